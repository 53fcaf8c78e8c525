import BraidTestSupport
import BraidCountdown
import BraidEval
import BraidGraph
import BraidRuntime
import Foundation
import Testing

/// The harness end to end on the real scheduler with a scripted model: inputs from the task plug-in,
/// answers checked by the task, statistics from the trace, one record per problem.
@Suite("Evaluator (scripted model)")
struct EvaluatorTests {
    /// Three held-out Countdown problems with their known solutions.
    static func problems() throws -> [(problem: Problem, eval: EvalProblem)] {
        let task = CountdownTask()
        return try task.generateProblems(count: 3, seed: 11).map { ($0, EvalProblem(task: task, problem: $0)) }
    }

    /// A model that answers the first problem with its solution and every other one with a wrong expression.
    static func model(answering problem: Problem) -> ScriptedModel {
        let right = "Let me see. \\boxed{\(problem.solution ?? "")}"
        let wrong = "Let me see. \\boxed{1+1}"
        let question = CountdownTask.question(for: problem)
        return ScriptedModel { visible in
            guard let turn = visible.range(of: "[assistant] ", options: .backwards) else { return nil }
            let reply = visible.contains(question) ? right : wrong
            return reply.dropFirst(visible[turn.upperBound...].count).first
        }
    }

    @Test("each problem is run, checked exactly, and recorded with its time, tokens and trace id")
    func endToEnd() throws {
        let problems = try Self.problems()
        #expect(problems[0].problem.solution != nil)
        let model = Self.model(answering: problems[0].problem)
        let evaluator = Evaluator(task: "countdown", seed: 5) { graph, options, observer in
            try BraidRunner.run(graph: graph, on: model, options: options, observer: observer)
        }
        let configuration = EvalConfiguration(graph: try EvalFixtures.graph("sequential.yaml", overrides: ["tokens": "64"]),
                                              setting: "tokens=64")
        var progress: [Int] = []
        let records = try evaluator.evaluate(configuration, problems: problems.map(\.eval)) { index, _ in progress.append(index) }
        #expect(progress == [0, 1, 2])
        #expect(records.map(\.correct) == [true, false, false])
        #expect(records.map(\.problem) == problems.map(\.problem.id))
        #expect(records[0].answer == problems[0].problem.solution)
        #expect(records[1].answer == "1+1" && records[1].reason != nil)
        #expect(records.allSatisfy { $0.checked == "answer" && $0.config == "sequential tokens=64" && $0.seed == 5 })
        // One thread: every sampled token is on the critical path; the reply was sampled token by token.
        #expect(records[0].sampledTokens == "Let me see. \\boxed{\(problems[0].problem.solution ?? "")}".count)
        #expect(records.allSatisfy { $0.sequentialTokens == $0.sampledTokens && $0.peakKVBytes > 0 && $0.seconds >= 0 })
        #expect(Set(records.map(\.traceID)).count == 3)
        let summary = EvalSummary(config: configuration.label, graph: "sequential", setting: "tokens=64", records: records)
        #expect(summary.correct == 1 && summary.n == 3)
    }

    @Test("traces are written per run under their trace id and read back")
    func traces() throws {
        let problems = try Self.problems()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("braid-eval-traces-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let model = Self.model(answering: problems[0].problem)
        let evaluator = Evaluator(task: "countdown", traceDirectory: directory) { graph, options, observer in
            try BraidRunner.run(graph: graph, on: model, options: options, observer: observer)
        }
        let records = try evaluator.evaluate(EvalConfiguration(graph: try EvalFixtures.graph("sequential.yaml")),
                                             problems: problems.prefix(2).map(\.eval))
        for record in records {
            let path = (directory as NSString).appendingPathComponent(EvalRecord.traceFileName(record.traceID))
            let events = try TraceReader.read(path: path)
            #expect(CriticalPath.sampledTokens(events) == record.sequentialTokens)
            #expect(events.contains { if case .run(let r) = $0 { return r.inputs["question"] == problems.first { $0.problem.id == record.problem }.map { CountdownTask.question(for: $0.problem) } } else { return false } })
        }
    }

    @Test("only the inputs a graph declares are passed; a graph that declares none of the task's is refused")
    func inputs() throws {
        let problem = try Self.problems()[0].eval
        let apr = try EvalFixtures.graph("apr.yaml")
        #expect(Set(try Evaluator.inputs(for: apr, problem: problem, task: "countdown").keys) == ["numbers", "target"])
        let sequential = try EvalFixtures.graph("sequential.yaml")
        #expect(Array(try Evaluator.inputs(for: sequential, problem: problem, task: "countdown").keys) == ["question"])
        let unrelated = try EvalFixtures.graph(yaml: "name: fixed\ninputs:\n  topic: {default: x}\nprompt: \"{topic}\"\nsteps:\n  - id: a\n    generate: {max_tokens: 2}\n")
        #expect(throws: EvalError.self) { try Evaluator.inputs(for: unrelated, problem: problem, task: "countdown") }
        let needy = try EvalFixtures.graph(yaml: "name: needy\ninputs:\n  question: {}\n  hint: {}\nprompt: \"{question}{hint}\"\nsteps:\n  - id: a\n    generate: {max_tokens: 2}\n")
        do {
            _ = try Evaluator.inputs(for: needy, problem: problem, task: "countdown")
            Issue.record("a graph needing an input the task lacks was accepted")
        } catch {
            #expect(error.description.contains("hint"))
        }
    }
}
