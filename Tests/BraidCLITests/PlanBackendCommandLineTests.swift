import Foundation
import Testing

/// `braid plan --backend openai`: the serving lowering report through the binary, and `--require-exact`.
@Suite struct PlanBackendCommandLineTests {
    @Test func parathinkerListsItsLoweringsAndIsRefusedUnderRequireExact() throws {
        let shown = try BraidProcess.run(["plan", "Graphs/parathinker.yaml", "--set", "paths=4", "--backend", "openai"])
        #expect(shown.status == 0, "stderr: \(shown.error)")
        for rule in ["attend-merge", "shared-positions", "after-longest-positions", "thought-embeddings"] {
            #expect(shown.output.contains(rule), "\(rule) missing from:\n\(shown.output)")
        }
        #expect(shown.output.contains("fork think: 4 requests at once"), "\(shown.output)")
        let refused = try BraidProcess.run(["plan", "Graphs/parathinker.yaml", "--backend", "openai", "--require-exact"])
        #expect(refused.status == 1)
        #expect(refused.error.contains("refused: parathinker: exactness required, but a serving engine would lower 4 rule(s)"),
                "stderr: \(refused.error)")
        #expect(!refused.output.isEmpty, "the report is printed before the refusal")
    }

    @Test func sequentialPassesRequireExactAndPrintsJSON() throws {
        let outcome = try BraidProcess.run(["plan", "Graphs/sequential.yaml", "--backend", "openai", "--require-exact", "--format", "json"])
        #expect(outcome.status == 0, "stderr: \(outcome.error)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(outcome.output.utf8)) as? [String: Any])
        #expect((object["changes"] as? [Any])?.isEmpty == true)
        #expect((object["requests"] as? [[String: Any]])?.map { $0["segment"] as? String } == ["reason"])
    }

    @Test func backendUsageErrorsExitTwo() throws {
        let unknown = try BraidProcess.run(["plan", "Graphs/sequential.yaml", "--backend", "grpc"])
        #expect(unknown.status == 2)
        #expect(unknown.error.contains("--backend must be openai"), "stderr: \(unknown.error)")
        let alone = try BraidProcess.run(["plan", "Graphs/sequential.yaml", "--require-exact"])
        #expect(alone.status == 2)
        #expect(alone.error.contains("--require-exact needs --backend"), "stderr: \(alone.error)")
    }
}
