import Testing
@testable import BraidCountdown

@Suite("Solution checker and answer extraction")
struct CheckerTests {
    let problem = Problem(id: "t", numbers: [1, 4, 6, 8], target: 10)

    @Test("Accepted forms", arguments: [
        "8-6=2, 1+4=5, 2*5=10",
        "['8-6=2', '1+4=5', '2*5=10']",
        "8 - 6 = 2; 1 + 4 = 5; 2 × 5 = 10",
        "8-6=2\n1+4=5\n2*5=10",
        "(8-6)*(1+4)",
        "(8 - 6) * (1 + 4) = 10",
        "10 = (1+4)*(8-6)",
        "(8-6)*(4+1).",
    ])
    func accepts(answer: String) {
        let result = SolutionChecker.check(answer, for: problem)
        #expect(result.isCorrect, "\(answer): \(String(describing: result.problem))")
    }

    @Test("Rejected answers say why", arguments: [
        ("8-6=2, 1+4=5, 2*5=11", "arithmetic"),
        ("6-8=2, 1+4=5, 2*5=10", "rules"),
        ("8-6=2, 4/1=4, 2+4=6", "target"),
        ("8-6=2, 2*5=10", "numbers"),
        ("8-6=2, 1+4=5, 5*2=10, 1*1=1", "numbers"),
        ("(8-6)*(1+4)*1", "numbers"),
        ("(1-6)*(4-8)", "rules"),
        ("8/3", "rules"),
        ("(8-6)*(1+4) = 12", "arithmetic"),
        ("", "no answer"),
        ("ten", "parse"),
        ("(8-6)*(1+4", "parse"),
    ])
    func rejects(answer: String, reason: String) {
        let result = SolutionChecker.check(answer, for: problem)
        #expect(!result.isCorrect)
        #expect(result.problem?.description.contains(reason) == true, "\(answer): \(String(describing: result.problem))")
    }

    @Test("Division must be exact, repeated numbers count separately")
    func divisionAndRepeats() {
        let repeats = Problem(id: "r", numbers: [3, 3, 2], target: 3)
        #expect(SolutionChecker.check("3/3=1, 1+2=3", for: repeats).isCorrect)
        #expect(SolutionChecker.check("3*2=6, 6/3=2", for: repeats).problem != nil)
        #expect(SolutionChecker.check("3+3=6, 6/2=3", for: repeats).isCorrect)
        #expect(!SolutionChecker.check("7/2=3", numbers: [7, 2], target: 3).isCorrect)
    }

    @Test("Huge numbers are rejected, not trapped on overflow")
    func overflow() {
        let result = SolutionChecker.check("999999999999*999999999999=1, 1*1=1", numbers: [999_999_999_999, 999_999_999_999, 1], target: 1)
        #expect(!result.isCorrect)
        #expect(SolutionChecker.check("999999999999*999999999999*999999999999", numbers: [999_999_999_999, 999_999_999_999, 999_999_999_999], target: 1).problem != nil)
        let problem = Problem(id: "big", numbers: [1_000_000, 1_000_000, 1_000_000, 1_000_000, 1_000_000], target: 5)
        #expect(!ExhaustiveSolver.isSolvable(numbers: problem.numbers, target: problem.target))
    }

    @Test("Extraction: boxed answer, search path, labelled last line")
    func extraction() {
        #expect(AnswerExtractor.extract(from: "thinking... \\boxed{(8-6)*(1+4)} done") == "(8-6)*(1+4)")
        #expect(AnswerExtractor.extract(from: "a \\boxed{1} b \\boxed{{2}}") == "{2}")
        #expect(AnswerExtractor.extract(from: "Put it in \\boxed{}.\nAnswer: 3+4") == "3+4")
        let trace = """
            Current State: 10:[1, 4, 6, 8], Operations: []
            Exploring Operation: 8-6=2, Resulting Numbers: [1, 4, 2]
            Generated Node #0,0: 10:[1, 4, 2] Operation: 8-6=2
            Moving to Node #0,0,1
            Current State: 10:[2, 5], Operations: ['8-6=2', '1+4=5']
            Exploring Operation: 2*5=10, Resulting Numbers: [10]
            10,10 equal: Goal Reached

            """
        #expect(AnswerExtractor.extract(from: trace) == "8-6=2, 1+4=5, 2*5=10")
        #expect(AnswerExtractor.extract(from: "Current State: 10:[1, 4, 6, 8], Operations: []\nNo solution found.\n") == nil)
        #expect(AnswerExtractor.extract(from: "Let me think.\nAnswer: (8-6)*(1+4)\n") == "(8-6)*(1+4)")
        #expect(AnswerExtractor.extract(from: "  \n") == nil)
    }

    @Test("Expressions render with the parentheses they need to be read back")
    func expressionRendering() {
        let text = ParaThinkerTrace.expressionText(steps: "8-6=2, 1+4=5, 2*5=10", numbers: [1, 4, 6, 8])
        #expect(text == "(8-6)*(1+4)")
        #expect(text.map { SolutionChecker.check($0, for: problem).isCorrect } == true)
    }
}
