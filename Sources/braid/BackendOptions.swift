import ArgumentParser
import BraidServingRuntime

/// The `--backend` options `braid run` and `braid eval` share: where the server is, what model name to send,
/// how many requests may be in flight, whether lowering is refused, whether log-probabilities are recorded, and how
/// prompts are sent.
struct BackendOptions: ParsableArguments {
    @Option(help: "Run on an OpenAI-style /v1/completions server at this base URL (e.g. http://127.0.0.1:8080) instead of Braid's runtime.")
    var backend: String?

    @Option(name: .customLong("backend-model"), help: "With --backend: the model name sent in each request (vLLM and SGLang need it).")
    var backendModel: String?

    @Option(help: "With --backend: most requests in flight at once (braid eval: across all problems run together).")
    var concurrency: Int = 16

    @Flag(name: .customLong("require-exact"), help: "With --backend: refuse (exit 1) a plan that the server would run lowered.")
    var requireExact = false

    @Flag(name: .customLong("separate-siblings"), help: "With --backend: send identical sibling branches one request each instead of one request with n.")
    var separateSiblings = false

    @Option(help: "With --backend: ask for N top log-probabilities per generated token and record each token's in the request trace.")
    var logprobs: Int?

    @Option(name: .customLong("prompt-form"), help: "With --backend: send prompts as the token ids Braid's runtime would prefill (ids: the server sees exactly the local run's tokens) or as text the server tokenizes itself (text). Default: ids; a server that refuses ids gets text.")
    var promptForm: PromptForm?

    func validate() throws {
        if concurrency < 1 { throw ValidationError("--concurrency must be at least 1") }
        if let logprobs, logprobs < 0 { throw ValidationError("--logprobs must be at least 0") }
        if backend == nil {
            if requireExact { throw ValidationError("--require-exact needs --backend") }
            if logprobs != nil { throw ValidationError("--logprobs needs --backend") }
            if separateSiblings { throw ValidationError("--separate-siblings needs --backend") }
            if promptForm != nil { throw ValidationError("--prompt-form needs --backend") }
        }
    }

    /// The executor's options for one run with these backend settings.
    func serving(inputs: [String: String], seed: UInt64, temperature: Double?) -> ServingOptions {
        ServingOptions(inputs: inputs, seed: seed, temperature: temperature, model: backendModel,
                       concurrency: concurrency, logprobs: logprobs, siblingsAsN: !separateSiblings,
                       promptForm: promptForm ?? .ids)
    }
}

extension PromptForm: ExpressibleByArgument {}
