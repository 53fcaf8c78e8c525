/// The verdict of a task's checker on one model output.
public struct EvalVerdict: Sendable, Equatable {
    /// True when the output answers the problem correctly.
    public var isCorrect: Bool
    /// The answer found in the output, if any.
    public var answer: String?
    /// Why the output is wrong (`nil` when correct).
    public var reason: String?

    /// Creates a verdict.
    public init(isCorrect: Bool, answer: String?, reason: String?) {
        self.isCorrect = isCorrect
        self.answer = answer
        self.reason = reason
    }
}

/// A benchmark task, as the eval harness (`braid eval --task NAME`) sees it: it can load or generate
/// problems, turn one into the graph's named inputs, and check a model's output exactly.
/// The harness knows nothing else about the task.
///
/// To add a task: write a type conforming to `EvalTask` (its own `Problem` type, loader, inputs and
/// checker) and add `AnyEvalTask(MyTask())` to ``EvalTasks/all``. See `Docs/countdown.md`.
public protocol EvalTask: Sendable {
    /// The task's own problem type.
    associatedtype Problem: Sendable

    /// The name on the command line (`--task countdown`); lowercase, no spaces.
    var name: String { get }
    /// One line for `--help` and reports.
    var summary: String { get }
    /// The problems in a JSONL file's contents; `source` names the file in errors.
    func loadProblems(jsonl: String, source: String) throws -> [Problem]
    /// `count` fresh problems from `seed` (held-out split where the task has one).
    func generateProblems(count: Int, seed: UInt64) throws -> [Problem]
    /// The problem's stable id (used in result files).
    func id(of problem: Problem) -> String
    /// The graph inputs for the problem. Every task provides `question` (a self-contained prompt);
    /// tasks may add more (Countdown adds `numbers`, `target`, `state`, `apr_root`).
    func inputs(for problem: Problem) -> [String: String]
    /// Checks a model's complete output (the task finds the answer in it).
    func check(output: String, problem: Problem) -> EvalVerdict
}

/// One problem with the task's details erased: what the harness iterates over.
public struct EvalProblem: Sendable {
    /// The problem's id.
    public let id: String
    /// The graph inputs (``EvalTask/inputs(for:)``).
    public let inputs: [String: String]
    private let checker: @Sendable (String) -> EvalVerdict

    /// Wraps one problem of `task`.
    public init<T: EvalTask>(task: T, problem: T.Problem) {
        id = task.id(of: problem)
        inputs = task.inputs(for: problem)
        checker = { task.check(output: $0, problem: problem) }
    }

    /// Checks a model output against this problem.
    public func check(output: String) -> EvalVerdict { checker(output) }
}

/// A task with its problem type erased, so tasks can sit in one registry.
public struct AnyEvalTask: Sendable {
    /// The task's name.
    public let name: String
    /// The task's one-line summary.
    public let summary: String
    private let load: @Sendable (String, String) throws -> [EvalProblem]
    private let generate: @Sendable (Int, UInt64) throws -> [EvalProblem]

    /// Erases `task`.
    public init<T: EvalTask>(_ task: T) {
        name = task.name
        summary = task.summary
        load = { text, source in try task.loadProblems(jsonl: text, source: source).map { EvalProblem(task: task, problem: $0) } }
        generate = { count, seed in try task.generateProblems(count: count, seed: seed).map { EvalProblem(task: task, problem: $0) } }
    }

    /// The problems in a JSONL file's contents.
    public func loadProblems(jsonl: String, source: String) throws -> [EvalProblem] { try load(jsonl, source) }

    /// `count` generated problems.
    public func generateProblems(count: Int, seed: UInt64) throws -> [EvalProblem] { try generate(count, seed) }
}

/// The tasks `braid eval --task` knows.
public enum EvalTasks {
    /// Every registered task.
    public static let all: [AnyEvalTask] = [AnyEvalTask(CountdownTask())]

    /// The task called `name`; the error lists the known ones.
    public static func named(_ name: String) throws(CountdownError) -> AnyEvalTask {
        guard let task = all.first(where: { $0.name == name.lowercased() }) else {
            throw .invalidConfig("unknown task '\(name)'; known tasks: \(all.map(\.name).joined(separator: ", "))")
        }
        return task
    }
}
