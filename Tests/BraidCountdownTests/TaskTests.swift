import Testing
@testable import BraidCountdown

@Suite("Eval task plug-in")
struct TaskTests {
    @Test("Countdown is registered and unknown tasks are refused with the known names")
    func registry() throws {
        #expect(try EvalTasks.named("countdown").name == "countdown")
        do {
            _ = try EvalTasks.named("chess")
            Issue.record("expected an error")
        } catch {
            #expect(error.description.contains("countdown"))
        }
    }

    @Test("Loaded problems carry the graph inputs and check outputs exactly")
    func loadAndCheck() throws {
        let problems = try ProblemGenerator(config: GeneratorConfig()).generate(count: 10, seed: 1, split: .heldout)
        let task = try EvalTasks.named("countdown")
        let items = try task.loadProblems(jsonl: JSONLines.text(problems), source: "h.jsonl")
        #expect(items.map(\.id) == problems.map(\.id))
        let solver = try TraceSolver(settings: SolverSettings(format: .parathinker, seed: 1))
        for (item, problem) in zip(items, problems) {
            let question = try #require(item.inputs["question"])
            #expect(question.contains(pythonList(problem.numbers)) && question.contains(String(problem.target)))
            #expect(item.inputs["apr_root"] == APRProtocol.rootPrompt(numbers: problem.numbers, target: problem.target))
            // Graphs/apr.yaml writes "Current State: {target}:[{numbers}]".
            #expect("\(item.inputs["target"] ?? ""):[\(item.inputs["numbers"] ?? "")]" == problem.stateText)
            #expect(item.check(output: solver.solve(problem).text).isCorrect)
            let wrong = item.check(output: "\\boxed{\(problem.numbers.map(String.init).joined(separator: "+"))}")
            #expect(wrong.isCorrect == (problem.numbers.reduce(0, +) == problem.target))
            #expect(!item.check(output: "I don't know").isCorrect)
        }
    }

    @Test("The checker takes whole outputs or what the graphs' answer regexes extract")
    func graphAnswers() throws {
        let task = CountdownTask()
        for problem in try thousandProblems().prefix(50) {
            let apr = try TraceSolver(settings: SolverSettings(format: .apr, seed: 1)).solve(problem)
            // Graphs/apr.yaml's answer: the path after the second-to-last "Goal Reached".
            let path = try #require(APRProtocol.searchResult(of: apr.text))
            #expect(task.check(output: path, problem: problem).isCorrect)
            #expect(task.check(output: apr.text, problem: problem).isCorrect)
            // Graphs/parathinker.yaml's answer: the content of \boxed{}.
            let para = try TraceSolver(settings: SolverSettings(format: .parathinker, seed: 1)).solve(problem)
            let boxed = try #require(para.answer)
            #expect(task.check(output: boxed, problem: problem).isCorrect)
            #expect(task.check(output: para.text, problem: problem).isCorrect)
        }
    }

    @Test("Generated eval problems come from the held-out split")
    func generatedAreHeldOut() throws {
        let items = try CountdownTask().generateProblems(count: 20, seed: 4)
        #expect(items.allSatisfy { $0.split == .heldout })
    }
}
