import BraidTestSupport
import BraidCountdown
import BraidRuntime
import Testing

/// `Graphs/apr.yaml` replayed on the Countdown solver's APR traces: the scripted model plays back the
/// solver's parent segments and children, so the runtime has to rebuild every child prompt (message,
/// lookups) and every join block exactly as APR's protocol does for the recording to play through.
@Suite("APR replay of Countdown solver traces (scripted model)")
struct CountdownReplayTests {
    @Test("apr.yaml reproduces the solver's parent and child strings on generated problems")
    func replay() throws {
        let problems = try ProblemGenerator(config: GeneratorConfig()).generate(count: 8, seed: 5, split: .train)
        let solver = try TraceSolver(settings: SolverSettings(format: .apr, seed: 9))
        // The solver keeps up to 40 successors per expansion; the graph's default max_children (10) would refuse them.
        let graph = try Fixtures.graph("apr.yaml", overrides: ["parent_tokens": "60000", "child_tokens": "60000", "max_children": "40"])
        var spawning = 0
        for problem in problems {
            let record = solver.solve(problem)
            let thread = try #require(record.apr, "problem \(problem.id) has an APR record")
            let children = thread.children.flatMap { $0 }
            #expect(children.allSatisfy { $0.children.isEmpty }, "APR's solver nests one level only")
            let model = ScriptedModel(documents: thread.segments + children.map(\.finalText))
            let inputs = ["target": String(problem.target), "numbers": problem.numbers.map(String.init).joined(separator: ", ")]
            let (result, events) = try Fixtures.run(graph, on: model, options: RunOptions(inputs: inputs))
            let parent = record.prompt + result.finalText
            #expect(parent == thread.finalText, "problem \(problem.id): parent \(Self.difference(parent, thread.finalText))")
            let childTexts = result.threads.filter { $0.kind == "child" }.map(\.text)
            #expect(childTexts.count == children.count, "problem \(problem.id): number of children")
            for (k, (ours, recorded)) in zip(childTexts, children.map(\.finalText)).enumerated() {
                #expect(ours == recorded, "problem \(problem.id), child \(k): \(Self.difference(ours, recorded))")
            }
            let rounds = events.filter { $0.kind == "join" }.count
            #expect(rounds == thread.children.count)
            if rounds > 0 { spawning += 1 }
            #expect(model.liveSegments == 0)
        }
        #expect(spawning > 0, "some recordings spawn")
    }

    /// Where two long texts first differ, with a little context (full texts are too long to read).
    static func difference(_ a: String, _ b: String) -> String {
        let x = Array(a.utf8), y = Array(b.utf8)
        var i = 0
        while i < x.count, i < y.count, x[i] == y[i] { i += 1 }
        func around(_ s: [UInt8]) -> String {
            String(decoding: s[max(0, i - 80)..<min(s.count, i + 80)], as: UTF8.self).debugDescription
        }
        return "first difference at byte \(i) of \(x.count)/\(y.count): ours \(around(x)) recorded \(around(y))"
    }
}
