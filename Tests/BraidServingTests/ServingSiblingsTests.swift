import BraidPlan
import BraidServing
import BraidServingRuntime
import BraidServingTestSupport
import Foundation
import Testing

/// Identical siblings (`Plan.identicalSiblings`) as one request with `n`, against scripted streams shaped like
/// llama-server's (choices interleaved by `index`, each choice's last chunk carrying its own `usage`), and
/// per-token log-probabilities in the request trace.
@Suite(.serialized, .timeLimit(.minutes(2)))
struct ServingSiblingsTests {
    /// Three samples of one prompt (nothing in them names the branch), then a vote over their answers.
    static let samples = """
        name: samples
        prompt: "Q: 7+8?\\n"
        steps:
          - id: chains
            fork:
              branches: 3
              finish: all
              generate: {max_tokens: 20, temperature: 0.7, stop: ["END"]}
          - id: majority
            vote: {from: chains, extract: 'answer (\\d+)'}
        answer: {from: majority}
        """

    /// A chunk of choice `index`.
    static func chunk(_ index: Int, _ text: String, finish: String? = nil, completion: Int? = nil) -> String {
        let encoded = String(decoding: (try? JSONEncoder().encode(text)) ?? Data("\"\"".utf8), as: UTF8.self)
        let reason = finish.map { "\"\($0)\"" } ?? "null"
        let usage = completion.map { #","usage":{"prompt_tokens":9,"completion_tokens":\#($0),"prompt_tokens_details":{"cached_tokens":8}}"# } ?? ""
        return #"{"choices":[{"index":\#(index),"text":\#(encoded),"finish_reason":\#(reason)}]\#(usage)}"#
    }

    @Test func identicalSiblingsAreOneRequestWithNAndEachChoiceIsABranch() async throws {
        let stub = try await StubServer.start([.stream(events: [
            Self.chunk(1, "answer 15"), Self.chunk(0, "answer"), Self.chunk(2, "answer 16"), Self.chunk(0, " 15 END more"),
            Self.chunk(1, "", finish: "stop", completion: 3), Self.chunk(2, "", finish: "length", completion: 20),
        ], done: true, interval: 0.01)])
        defer { Task { try? await stub.stop() } }
        let plan = try Scripted.plan(Self.samples)
        #expect(plan.identicalSiblings(try #require(plan.fork("chains")))?.count == 3)
        let result = try await CompletionsClient.with(baseURL: stub.baseURL) { client in
            try await ServingExecutor.run(plan: plan, client: client, options: ServingOptions(seed: 5))
        }
        #expect(stub.requests.count == 1)
        let body = try #require(try JSONSerialization.jsonObject(with: Data(stub.requests[0].utf8)) as? [String: Any])
        #expect(body["n"] as? Int == 3 && body["prompt"] as? String == "Q: 7+8?\n" && body["stop"] == nil)
        let seed = try #require(body["seed"] as? Int)
        let texts = Dictionary(uniqueKeysWithValues: result.threads.map { ($0.name, $0.text) })
        // Choice 0 stopped at Braid's stop string, which it keeps; what came after it in the same chunk is not read.
        #expect(texts["chains[0]"] == "answer 15 END")
        #expect(texts["chains[1]"] == "answer 15" && texts["chains[2]"] == "answer 16")
        #expect(result.answer == "15")
        let records = result.requests.sorted { ($0.choice ?? -1) < ($1.choice ?? -1) }
        #expect(records.map(\.segment) == ["chains[0]", "chains[1]", "chains[2]"])
        #expect(records.allSatisfy { $0.number == 1 && $0.n == 3 })
        #expect(records.map(\.seed) == [UInt64(seed), UInt64(seed) + 1, UInt64(seed) + 2], "choice i draws with seed + i")
        #expect(records.map(\.ending) == ["stop-string", "eos", "budget"])
        // Each choice's own counts, from its last chunk (llama-server's form); choice 0 ended before its came.
        #expect(records.map(\.completionTokens) == [nil, 3, 20] && records[1].cachedTokens == 8)
    }

    @Test func aServerThatRefusesNGetsOneRequestPerBranchWithTheSameSeeds() async throws {
        let stub = try await StubServer.start([], routes: [
            StubRoute(#""n":3"#, .json(status: 400, body: #"{"error":{"message":"Only one completion choice is allowed"}}"#)),
            StubRoute("Q:", Scripted.stream(["answer 15"])),
        ])
        defer { Task { try? await stub.stop() } }
        let plan = try Scripted.plan(Self.samples)
        let result = try await CompletionsClient.with(baseURL: stub.baseURL) { client in
            try await ServingExecutor.run(plan: plan, client: client, options: ServingOptions(seed: 5))
        }
        #expect(stub.requests.count == 4)
        let refusedSeed = try #require((try JSONSerialization.jsonObject(with: Data(stub.requests[0].utf8)) as? [String: Any])?["seed"] as? Int)
        let seeds = result.requests.sorted { $0.segment < $1.segment }.map(\.seed)
        #expect(seeds == [0, 1, 2].map { UInt64(refusedSeed) + $0 })
        #expect(result.requests.allSatisfy { $0.n == nil })
        #expect(result.notes.count == 1 && result.notes[0].contains("refused n=3 for fork 'chains'"))
        #expect(result.answer == "15")
        // Later identical siblings of the run go straight to one request each: nothing more is refused.
    }

    @Test func aServerThatIgnoresNHasTheBranchesItLeftOutSentSeparately() async throws {
        // One choice back for n=3 (a server that ignores n): the other two branches are sent one request each.
        let stub = try await StubServer.start([], routes: [
            StubRoute(#""n":3"#, .stream(events: [Self.chunk(0, "answer 15"), Self.chunk(0, "", finish: "stop", completion: 2)],
                                         done: true, interval: 0.01)),
            StubRoute("Q:", Scripted.stream(["answer 16"])),
        ])
        defer { Task { try? await stub.stop() } }
        let result = try await CompletionsClient.with(baseURL: stub.baseURL) { client in
            try await ServingExecutor.run(plan: try Scripted.plan(Self.samples), client: client, options: ServingOptions(seed: 5))
        }
        #expect(stub.requests.count == 3)
        let records = result.requests.sorted { $0.segment < $1.segment }
        #expect(records.map(\.segment) == ["chains[0]", "chains[1]", "chains[2]"])
        #expect(records[0].n == 3 && records[0].choice == 0 && records[1].n == nil && records[2].n == nil)
        #expect(records.map(\.seed) == [0, 1, 2].map { records[0].seed + $0 })
        #expect(records.map(\.text) == ["answer 15", "answer 16", "answer 16"])
        #expect(result.notes.count == 1 && result.notes[0].contains("answered n=3 for fork 'chains' with 1 choice(s)"))
        #expect(result.answer == "16")
    }

    @Test func aFirstFinishRuleClosesTheSharedStreamAndStopsTheOtherChoices() async throws {
        var events = [Self.chunk(0, "slow"), Self.chunk(1, "quick answer 4"), Self.chunk(2, "slow"),
                      Self.chunk(1, "", finish: "stop", completion: 2)]
        events += Array(repeating: Self.chunk(0, " more"), count: 200)
        let stub = try await StubServer.start([.stream(events: events, done: true, interval: 0.02)])
        defer { Task { try? await stub.stop() } }
        let plan = try Scripted.plan(Self.samples.replacingOccurrences(of: "finish: all", with: "finish: first"))
        let result = try await CompletionsClient.with(baseURL: stub.baseURL) { client in
            try await ServingExecutor.run(plan: plan, client: client)
        }
        let byThread = Dictionary(uniqueKeysWithValues: result.threads.map { ($0.name, $0) })
        #expect(byThread["chains[1]"]?.stopReason == "done")
        #expect(byThread["chains[0]"]?.stopReason == "finish-policy" && byThread["chains[2]"]?.stopReason == "finish-policy")
        #expect(byThread["chains[0]"]?.text == "slow" && byThread["chains[2]"]?.text == "slow")
        #expect(result.requests.map(\.ending).sorted() == ["eos", "finish-policy", "finish-policy"])
        let deadline = Date().addingTimeInterval(5)
        while stub.abandonedStreams < 1, Date() < deadline { try await Task.sleep(for: .milliseconds(20)) }
        #expect(stub.abandonedStreams == 1, "the one shared stream was closed")
        #expect(stub.eventsSent < 100)
    }

    @Test func branchesThatDifferAreNotSiblingsAndSeparateSiblingsCanBeAskedFor() async throws {
        // ParaThinker's paths are forced to start with their own <think{i}>: one request per path.
        let parathinker = try Scripted.libraryPlan("parathinker", overrides: ["paths": "2"])
        #expect(parathinker.forks.allSatisfy { parathinker.identicalSiblings($0) == nil })
        let stub = try await StubServer.start([], routes: [StubRoute("Q:", Scripted.stream(["answer 15"]))])
        defer { Task { try? await stub.stop() } }
        let result = try await CompletionsClient.with(baseURL: stub.baseURL) { client in
            try await ServingExecutor.run(plan: try Scripted.plan(Self.samples), client: client,
                                          options: ServingOptions(siblingsAsN: false))
        }
        #expect(stub.requests.count == 3 && !stub.requests.contains { $0.contains(#""n":"#) })
        #expect(Set(result.requests.map(\.seed)).count == 3)
    }

    @Test func logprobsAreAskedForAndRecordedPerTokenInBothForms() async throws {
        // llama-server's form (`content`) and the OpenAI form (`tokens`, `token_logprobs`: vLLM, SGLang).
        let llama = #"{"choices":[{"index":0,"text":" Paris","logprobs":{"content":[{"id":7042,"token":" Paris","logprob":-0.25,"top_logprobs":[]}]},"finish_reason":null}]}"#
        let openai = #"{"choices":[{"index":0,"text":".","logprobs":{"tokens":["."],"token_logprobs":[-0.5],"top_logprobs":[{".":-0.5}]},"finish_reason":"stop"}]}"#
        let stub = try await StubServer.start([.stream(events: [llama, openai], done: true, interval: 0.01)])
        defer { Task { try? await stub.stop() } }
        let plan = try Scripted.plan("""
            name: one
            prompt: "The capital of France is"
            steps:
              - id: say
                generate: {max_tokens: 4}
            """)
        let result = try await CompletionsClient.with(baseURL: stub.baseURL) { client in
            try await ServingExecutor.run(plan: plan, client: client, options: ServingOptions(logprobs: 2))
        }
        #expect(stub.requests.first?.contains(#""logprobs":2"#) == true)
        let record = try #require(result.requests.first)
        #expect(record.text == " Paris.")
        #expect(record.logprobs == [TokenLogprob(token: " Paris", logprob: -0.25), TokenLogprob(token: ".", logprob: -0.5)])
        #expect(record.jsonLine.contains(#""logprobs":[{"logprob":-0.25,"token":" Paris"}"#))
    }
}
