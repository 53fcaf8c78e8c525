/// Countdown as an ``EvalTask``: problems from JSONL files written by `braid countdown generate`,
/// answers found with ``AnswerExtractor`` and checked exactly with ``SolutionChecker``.
public struct CountdownTask: EvalTask {
    /// The generator settings used by ``generateProblems(count:seed:)``.
    public var config: GeneratorConfig

    /// A task generating APR's 4-number problems by default.
    public init(config: GeneratorConfig = GeneratorConfig()) {
        self.config = config
    }

    /// `countdown`.
    public var name: String { "countdown" }

    /// One line for help texts.
    public var summary: String { "reach a target from 3-4 numbers with + - * / (APR's task)" }

    /// The problems in a JSONL file (see ``ProblemFile``).
    public func loadProblems(jsonl: String, source: String) throws -> [Problem] {
        try ProblemFile.parse(jsonl, source: source)
    }

    /// `count` held-out problems from `seed`.
    public func generateProblems(count: Int, seed: UInt64) throws -> [Problem] {
        try ProblemGenerator(config: config).generate(count: count, seed: seed, split: .heldout)
    }

    /// The problem's id.
    public func id(of problem: Problem) -> String { problem.id }

    /// `question` (natural-language prompt asking for a boxed expression), `numbers` (`1, 4, 6, 8`, the
    /// form `Graphs/apr.yaml` puts inside brackets), `target` (`10`), `state` (the SoS+ prompt) and
    /// `apr_root` (the APR root prompt).
    public func inputs(for problem: Problem) -> [String: String] {
        [
            "question": CountdownTask.question(for: problem),
            "numbers": problem.numbers.map(String.init).joined(separator: ", "),
            "target": String(problem.target),
            "state": "Current State: \(problem.stateText), Operations: []\n",
            "apr_root": APRProtocol.rootPrompt(numbers: problem.numbers, target: problem.target),
        ]
    }

    /// Extracts the answer from `output` and checks it exactly.
    public func check(output: String, problem: Problem) -> EvalVerdict {
        guard let answer = AnswerExtractor.extract(from: output) else {
            return EvalVerdict(isCorrect: false, answer: nil, reason: AnswerProblem.missing.description)
        }
        let result = SolutionChecker.check(answer, for: problem)
        return EvalVerdict(isCorrect: result.isCorrect, answer: answer, reason: result.problem?.description)
    }

    /// The natural-language question for a problem (also the ParaThinker traces' prompt).
    public static func question(for problem: Problem) -> String {
        "Using the numbers \(pythonList(problem.numbers)), make \(problem.target). You may use +, -, * and /, "
            + "each number exactly once; subtraction must not go negative and division must be exact. "
            + "Put the final expression in \\boxed{}."
    }
}
