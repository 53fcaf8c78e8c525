import BraidServing

/// What the client tests share when they talk to a `StubServer`: client limits sized for the stub, scripted
/// answers, requests, and catching the client's error.
public enum StubFixture {
    /// Short backoffs; limits generous enough for a healthy answer on a machine busy with the rest of the suite.
    public static let fast = ClientConfiguration(connectTimeout: 10, idleTimeout: 20, requestTimeout: 60,
                                                 retry: RetryPolicy(maxAttempts: 3, initialBackoff: 0.01, multiplier: 2))
    /// For the timeout tests: a short idle limit, against a server that stays silent far longer.
    public static let impatient = ClientConfiguration(connectTimeout: 10, idleTimeout: 0.5, requestTimeout: 60, retry: .never)
    /// A whole (not streamed) completion with the server's token counts, cached prompt tokens included.
    public static let ok = #"{"id":"cmpl-1","choices":[{"index":0,"text":" 15","finish_reason":"stop"}],"usage":{"prompt_tokens":7,"completion_tokens":2,"total_tokens":9,"prompt_tokens_details":{"cached_tokens":4}}}"#
    /// A seeded request: its answer is reproducible, so the client may send it again after a failure.
    public static let seeded = CompletionRequest(prompt: .text("7+8="), maxTokens: 4, temperature: 0, seed: 1)
    /// An unseeded request: sent again only when the server closed its connection before answering.
    public static let unseeded = CompletionRequest(prompt: .text("7+8="), maxTokens: 4)
    /// A streamed completion's last chunk: the token counts, without choices (vLLM's `include_usage`).
    public static let usage = #"{"choices":[],"usage":{"prompt_tokens":12,"completion_tokens":3,"total_tokens":15}}"#

    /// One streamed chunk of choice 0 (`text` is put into the JSON as it is: no quotes or backslashes in it).
    public static func chunk(_ text: String, finish: String? = nil) -> String {
        let reason = finish.map { #""\#($0)""# } ?? "null"
        return #"{"choices":[{"index":0,"text":"\#(text)","finish_reason":\#(reason)}]}"#
    }

    /// The client's error from `run`: nil when it succeeded; any other error is thrown on (failing the test).
    public static func servingError(_ run: () async throws -> Void) async throws -> ServingError? {
        do {
            try await run()
            return nil
        } catch let error as ServingError {
            return error
        }
    }
}
