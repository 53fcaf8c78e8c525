import BraidServingTestSupport
import Foundation
import Testing

/// `braid run --backend URL` through the binary: the lowering report first, refusals under `--require-exact` and
/// the graph's `require: exact` before anything is sent, and a server that is not there failing the run (exit 3)
/// with the thread, the request and the reason.
@Suite struct RunBackendCommandLineTests {
    @Test func aLoweredGraphIsRefusedUnderRequireExactBeforeAnyRequest() throws {
        let refused = try BraidProcess.run(["run", "Graphs/parathinker.yaml", "--backend", "http://127.0.0.1:1", "--require-exact"])
        #expect(refused.status == 1, "stderr: \(refused.error)")
        #expect(refused.error.contains("attend-merge"), "the lowering report comes first: \(refused.error)")
        #expect(refused.error.contains("refused by --require-exact: parathinker: exactness required, but a serving engine would lower 4 rule(s)"),
                "stderr: \(refused.error)")
        #expect(!refused.error.contains("connection refused"))
    }

    @Test func aGraphThatRequiresExactnessIsRefusedByRunAndPlan() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("braid-require-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let source = try String(contentsOf: BraidProcess.repository.appendingPathComponent("Graphs/parathinker.yaml"), encoding: .utf8)
        let graph = folder.appendingPathComponent("exact.yaml")
        try (source + "\nrequire: exact\n").write(to: graph, atomically: true, encoding: .utf8)
        let run = try BraidProcess.run(["run", graph.path, "--backend", "http://127.0.0.1:1"])
        #expect(run.status == 1, "stderr: \(run.error)")
        #expect(run.error.contains("refused by the graph's require: exact"), "stderr: \(run.error)")
        let plan = try BraidProcess.run(["plan", graph.path, "--backend", "openai"])
        #expect(plan.status == 1 && plan.error.contains("exactness required"), "stderr: \(plan.error)")
    }

    @Test func noServerFailsTheRunNamingTheThreadAndRequest() throws {
        let outcome = try BraidProcess.run(["run", "Graphs/sequential.yaml", "--backend", "http://127.0.0.1:1", "-q"])
        #expect(outcome.status == 3, "stderr: \(outcome.error)")
        #expect(outcome.error.contains("thread 'main', request #1 (segment 'reason')"), "stderr: \(outcome.error)")
        #expect(outcome.error.contains("connection refused"), "stderr: \(outcome.error)")
    }

    @Test func backendOptionsNeedABackend() throws {
        let outcome = try BraidProcess.run(["run", "Graphs/sequential.yaml", "--require-exact"])
        #expect(outcome.status == 2)
        #expect(outcome.error.contains("--require-exact needs --backend"), "stderr: \(outcome.error)")
    }

    @Test func evalOnAMissingServerRecordsEachProblemAsFailedWithTheRequest() throws {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("braid-eval-backend-\(UUID().uuidString).jsonl")
        defer { try? FileManager.default.removeItem(at: out) }
        let outcome = try BraidProcess.run(["eval", "Graphs/sequential.yaml", "--n", "2", "--backend", "http://127.0.0.1:1",
                                            "--out", out.path])
        #expect(outcome.status == 0, "stderr: \(outcome.error)")
        #expect(outcome.error.contains("lowered: nothing"),
                "the lowering report comes first: \(outcome.error)")
        #expect(outcome.output.contains("sequential (2 failed)"), "\(outcome.output)")
        let records = try String(contentsOf: out, encoding: .utf8).split(separator: "\n")
        #expect(records.count == 2)
        #expect(records.allSatisfy { $0.contains("thread 'main', request #1 (segment 'reason')") && $0.contains("connection refused") })
        let batched = try BraidProcess.run(["eval", "Graphs/sequential.yaml", "--backend", "http://127.0.0.1:1", "--batch", "2"])
        #expect(batched.status == 2 && batched.error.contains("with --backend use --concurrency"), "stderr: \(batched.error)")
    }

    /// A streamed answer with a boxed result, as llama-server sends it.
    static let boxed = StubReply.stream(events: [#"{"choices":[{"index":0,"text":" so \\boxed{15}","finish_reason":"stop"}]}"#],
                                        done: true, interval: 0.01)

    @Test func evalOnAServerRunsProblemsTogetherAndWritesEachOnesRequestTrace() async throws {
        // The stub answers only once all three problems' requests have arrived: run one after another, the first
        // would get a 500 instead.
        let stub = try await StubServer.start([.afterRequests(count: 3, within: 30, reply: Self.boxed)])
        defer { Task { try? await stub.stop() } }
        let folder = try BraidProcess.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let out = folder + "/records.jsonl"
        let traces = folder + "/traces"
        let outcome = try BraidProcess.run(["eval", "Graphs/sequential.yaml", "--n", "3", "--set", "tokens=16", "-q",
                                            "--backend", stub.baseURL, "--concurrency", "3", "--traces", traces, "--out", out])
        #expect(outcome.status == 0, "stderr: \(outcome.error)")
        #expect(stub.requests.count == 3)
        let records = try String(contentsOfFile: out, encoding: .utf8).split(separator: "\n")
        #expect(records.count == 3 && records.allSatisfy { !$0.contains("\"error\"") }, "\(records)")
        // Each problem's one request streamed one chunk without the server's counts: one sequential token.
        #expect(records.allSatisfy { $0.contains(#""sequentialTokens":1"#) }, "\(records)")
        // One request trace per problem, named as a local run's trace, holding that problem's request.
        let files = try FileManager.default.contentsOfDirectory(atPath: traces).sorted()
        #expect(files.count == 3 && files.allSatisfy { $0.hasPrefix("sequential__") && $0.hasSuffix("__s0.jsonl") }, "\(files)")
        var prompts: Set<String> = []
        for file in files {
            let lines = try String(contentsOfFile: traces + "/" + file, encoding: .utf8).split(separator: "\n")
            #expect(lines.count == 1 && lines[0].contains(#""segment":"reason""#) && lines[0].contains(#""ending":"eos""#))
            let object = try #require(try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any])
            prompts.insert(try #require(object["prompt"] as? String))
        }
        #expect(prompts.count == 3, "each trace holds its own problem's prompt")
    }

    @Test func evalWithConcurrencyOneSendsOneProblemAtATime() async throws {
        let stub = try await StubServer.start([.afterRequests(count: 2, within: 2, reply: Self.boxed)])
        defer { Task { try? await stub.stop() } }
        let out = try BraidProcess.temporaryFolder() + "/records.jsonl"
        let outcome = try BraidProcess.run(["eval", "Graphs/sequential.yaml", "--n", "2", "--set", "tokens=16", "-q",
                                            "--backend", stub.baseURL, "--concurrency", "1", "--out", out])
        #expect(outcome.status == 0, "stderr: \(outcome.error)")
        let records = try String(contentsOfFile: out, encoding: .utf8).split(separator: "\n")
        // The first problem's request waited alone and got the 500; the second found the first already there.
        #expect(records.count == 2)
        #expect(records[0].contains("only 1 of 2 requests arrived in time"), "\(records)")
        #expect(!records[1].contains("\"error\""), "\(records)")
    }
}
