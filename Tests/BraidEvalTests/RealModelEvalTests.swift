import BraidCountdown
import BraidEval
import BraidRuntime
import BraidTransformer
import Foundation
import Testing

/// `braid eval`'s harness on the real default model (needs a release build: `make test`).
@Suite("Eval on the real model")
struct RealModelEvalTests {
    struct Missing: Error, CustomStringConvertible {
        let description: String
    }

    @Test("two Countdown problems with tiny budgets: every run recorded, statistics consistent with the runs")
    func twoProblems() throws {
        let url = ModelCache.defaultModel
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw Missing(description: "model file \(url.path) is missing: run scripts/fetch-model.sh (or set BRAID_MODELS)")
        }
        let session = try BraidSession(model: url, threads: 1)
        let evaluator = Evaluator(task: "countdown") { graph, options, observer in
            try session.run(graph: graph, options: options, observer: observer)
        }
        let problems = try EvalTasks.named("countdown").generateProblems(count: 2, seed: 3)
        let budget = 6
        let sequential = EvalConfiguration(graph: try EvalFixtures.graph("sequential.yaml", overrides: ["tokens": "\(budget)"]))
        let parathinker = EvalConfiguration(graph: try EvalFixtures.graph("parathinker.yaml", overrides: [
            "paths": "2", "path_tokens": "\(budget)", "summary_tokens": "\(budget)", "finish": "all", "temperature": "0"]))
        for configuration in [sequential, parathinker] {
            let records = try evaluator.evaluate(configuration, problems: problems)
            #expect(records.count == 2)
            for record in records {
                #expect(record.error == nil, "\(record.error ?? "")")
                #expect(record.seconds > 0 && record.peakKVBytes > 0 && record.steps > 0)
                #expect(record.sequentialTokens <= record.sampledTokens)
                #expect(record.correct == false || record.answer != nil)
            }
            if configuration.graph.name == "sequential" {
                #expect(records.allSatisfy { $0.sampledTokens <= budget && $0.sequentialTokens == $0.sampledTokens })
            } else {
                // Two paths then a summary, each at most `budget` tokens: the critical path is at most two budgets.
                #expect(records.allSatisfy { $0.sampledTokens <= 3 * budget && $0.sequentialTokens <= 2 * budget })
            }
        }
    }
}
