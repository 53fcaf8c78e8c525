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
}
