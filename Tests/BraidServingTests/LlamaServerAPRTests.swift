import BraidPlan
import BraidServing
import BraidServingRuntime
import BraidServingSession
import BraidTransformer
import Foundation
import Testing

/// APR's spawn/join through a real llama-server with the Countdown APR model shipped in `Models/countdown/`
/// (skipped, saying so, only where the server binary is not built; see `LlamaServerTests`).
@Suite(.serialized, .timeLimit(.minutes(5)), .enabled(if: LlamaServer.binary != nil, LlamaServer.missing))
struct LlamaServerAPRTests {
    @Test func aprWithTheCountdownModelSpawnsChildrenThatRunTogetherAndJoinsTheirResults() async throws {
        let model = LlamaServer.shipped("countdown-apr")
        let tokenizer = try ModelFiles.open(URL(fileURLWithPath: model)).tokenizer
        // Graphs/apr.yaml as APR's client runs it, kept short: one round of at most 4 children, then the parent's
        // continuation. A slot per request in flight; 2,048 positions each, so that the continuation (the parent's
        // text, the join block and its own budget) fits a slot.
        let server = try await LlamaServer.start(model: model, slots: 6, context: 6 * 2048)
        defer { server.stop() }
        try await CompletionsClient.with(baseURL: server.baseURL) { client in
            let plan = try Scripted.libraryPlan("apr", overrides: ["parent_tokens": "600", "child_tokens": "300",
                                                                   "max_children": "4", "max_rounds": "1"])
            let result = try await ServingExecutor.run(plan: plan, client: client,
                                                       options: ServingOptions(inputs: ["target": "10", "numbers": "1, 4, 6"]),
                                                       renderer: TokenizerPromptRenderer(tokenizer: tokenizer))
            let children = result.threads.filter { $0.kind == "child" }
            let childRequests = result.requests.filter { request in children.contains { $0.name == request.thread } }
            #expect(children.count >= 2, "the parent spawned \(children.count) children: \(result.finalText.prefix(600))")
            // The first round's children were all sent, and all decoding, before the first of them ended. The times
            // are when this process received each chunk: on a loaded machine a stream's chunks can arrive in one
            // burst, so first chunks get 50 ms of slack (a child decoded after another would start ≥ 100 ms later).
            let firstRound = childRequests.filter { $0.thread.contains("#0.child[") }
            let firstEnd = firstRound.map(\.ended).min() ?? 0
            #expect(firstRound.count >= 2 && firstRound.allSatisfy { $0.sent < firstEnd && ($0.firstChunk ?? .infinity) < firstEnd + 0.05 })
            // Each child starts from its own prompt (isolated), as APR's children do.
            #expect(firstRound.allSatisfy { $0.prompt.hasPrefix("Moving to Node #0,") && $0.prompt.contains("Current State: ") })
            // The parent's next request re-sends its text cut before the spawn block, plus the join block.
            let parent = result.requests.filter { $0.thread == "main" }.sorted { $0.number < $1.number }
            #expect(parent.count >= 2)
            let continuation = try #require(parent.dropFirst().first)
            #expect(continuation.prompt.contains("<Sub Searches>\n") && continuation.prompt.hasSuffix("<End Sub Searches>\n"))
            #expect(!continuation.prompt.contains("<Calling Sub Searches>"), "the spawn block was replaced by the join")
            let joined = continuation.prompt.components(separatedBy: "<Goal Reached in Sub Search ").count - 1
                + continuation.prompt.components(separatedBy: "<No Solution in Sub Search ").count - 1
            // One line per message: a child's result or failure (a message whose lookup failed started none).
            #expect(joined >= firstRound.count)
            print("apr.yaml with countdown-apr via llama-server: \(children.count) children in \(Set(childRequests.map { $0.thread.components(separatedBy: ".child[")[0] }).count) round(s), "
                  + "\(result.requests.count) requests, \(String(format: "%.2f", result.seconds)) s; answer \(result.answer ?? "(none)")")
            for request in firstRound {
                print(String(format: "  %@: sent %.3f s, first chunk %.3f s, ended %.3f s, %@, %d tokens", request.thread,
                             request.sent, request.firstChunk ?? -1, request.ended, request.ending, request.completionTokens ?? -1))
            }
            // llama-server tokenizes the prompts Braid sends exactly as Braid's tokenizer does (phrases included).
            for request in [parent[0], continuation] + firstRound.prefix(2) {
                let answer = try await client.post(path: "/tokenize", json: try JSONSerialization.data(withJSONObject: [
                    "content": request.prompt, "add_special": false]), label: "tokenize")
                let ids = try #require((try JSONSerialization.jsonObject(with: answer) as? [String: Any])?["tokens"] as? [Int])
                #expect(ids == tokenizer.encode(request.prompt).map(Int.init), "request #\(request.number) (\(request.segment))")
            }
        }
    }
}
