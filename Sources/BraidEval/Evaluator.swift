import BraidCountdown
import BraidGraph
import BraidRuntime
import Foundation

/// Why an evaluation cannot run; the message says what is wrong and where.
public struct EvalError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What is wrong.
    public var description: String

    /// Creates an error.
    public init(_ description: String) { self.description = description }
}

/// One graph (with its overrides applied) to evaluate: a row of the table.
public struct EvalConfiguration: Sendable {
    /// The label in tables and plots (`parathinker path_tokens=64`).
    public var label: String
    /// The swept setting (`path_tokens=64`), or empty.
    public var setting: String
    /// The loaded graph.
    public var graph: Graph

    /// Creates a configuration; the label is the graph's name followed by the setting.
    public init(graph: Graph, setting: String = "") {
        self.graph = graph
        self.setting = setting
        label = setting.isEmpty ? graph.name : "\(graph.name) \(setting)"
    }
}

/// Runs configurations over a task's problems, one problem after another, and records each run.
///
/// The harness knows nothing about any task: problems arrive as ``EvalProblem``s (an id, graph inputs and a
/// checker), and runs go through `run`, so the real model and test doubles are interchangeable. Runs are not
/// batched across problems: the runtime batches the threads of one run into one forward pass per step, but
/// one run executes one graph on one set of inputs.
public struct Evaluator {
    /// Executes a graph with options, handing every trace event to the observer.
    public typealias Run = (Graph, RunOptions, @escaping (TraceEvent) -> Void) throws -> RunResult

    /// The task's name (recorded in every run).
    public var task: String
    /// The seed of every run (each thread draws from its own stream of it).
    public var seed: UInt64
    /// Overrides every segment's temperature; nil keeps the graph's.
    public var temperature: Double?
    /// When set, each run's trace is written there as `traceFileName(traceID)`.
    public var traceDirectory: String?
    private let run: Run

    /// Creates an evaluator that executes runs with `run`.
    public init(task: String, seed: UInt64 = 0, temperature: Double? = nil, traceDirectory: String? = nil, run: @escaping Run) {
        self.task = task
        self.seed = seed
        self.temperature = temperature
        self.traceDirectory = traceDirectory
        self.run = run
    }

    /// The graph inputs for one problem: the task's inputs that the graph declares. Fails when the graph
    /// requires an input the task does not give, or declares none of the task's inputs (every problem would get
    /// the same prompt).
    public static func inputs(for graph: Graph, problem: EvalProblem, task: String) throws(EvalError) -> [String: String] {
        let declared = Set(graph.inputs.map(\.name))
        let given = problem.inputs.filter { declared.contains($0.key) }
        let missing = graph.inputs.filter { $0.defaultValue == nil && given[$0.name] == nil }.map(\.name)
        if !missing.isEmpty {
            throw EvalError("graph '\(graph.name)' requires input(s) \(missing.joined(separator: ", ")) that task '\(task)' does not provide (it provides \(problem.inputs.keys.sorted().joined(separator: ", ")))")
        }
        if given.isEmpty {
            throw EvalError("graph '\(graph.name)' declares none of the inputs task '\(task)' provides (\(problem.inputs.keys.sorted().joined(separator: ", "))), so every problem would get the same prompt; add e.g. `inputs: {question: {}}` to the graph")
        }
        return given
    }

    /// Runs `configuration` on every problem in order; `progress` is called after each run with its index.
    /// A run that fails while running (context window, memory limit) is recorded as wrong with its error; a
    /// failure caused by the input (a bad graph or inputs) stops the evaluation.
    public func evaluate(_ configuration: EvalConfiguration, problems: [EvalProblem],
                         progress: (Int, EvalRecord) -> Void = { _, _ in }) throws -> [EvalRecord] {
        if let first = problems.first { _ = try Evaluator.inputs(for: configuration.graph, problem: first, task: task) }
        if let traceDirectory {
            do {
                try FileManager.default.createDirectory(atPath: traceDirectory, withIntermediateDirectories: true)
            } catch {
                throw EvalError("cannot create the trace directory '\(traceDirectory)': \(error.localizedDescription)")
            }
        }
        var records: [EvalRecord] = []
        for (index, problem) in problems.enumerated() {
            let record = try evaluate(configuration, problem: problem)
            records.append(record)
            progress(index, record)
        }
        return records
    }

    /// Runs `configuration` on one problem and checks the answer.
    public func evaluate(_ configuration: EvalConfiguration, problem: EvalProblem) throws -> EvalRecord {
        let graph = configuration.graph
        let options = RunOptions(inputs: try Evaluator.inputs(for: graph, problem: problem, task: task),
                                 seed: seed, temperature: temperature)
        let traceID = "\(configuration.label.replacingOccurrences(of: " ", with: ","))/\(problem.id)/s\(seed)"
        let writer = try traceDirectory.map { directory in
            try TraceWriter(path: (directory as NSString).appendingPathComponent(EvalRecord.traceFileName(traceID)))
        }
        defer { writer?.close() }
        var critical = CriticalPathCounter()
        var lastStep = 0
        var record = EvalRecord(config: configuration.label, graph: graph.name, task: task, problem: problem.id,
                                correct: false, answer: nil, reason: nil, checked: "text", seconds: 0, sampledTokens: 0,
                                writtenTokens: 0, sequentialTokens: 0, peakKVBytes: 0, steps: 0, seed: seed, traceID: traceID)
        let started = Date()
        let result: RunResult
        do {
            result = try run(graph, options) { event in
                writer?.write(event)
                critical.observe(event)
                if case .forward(let f) = event { lastStep = max(lastStep, f.step + 1) }
            }
        } catch let error as RunError where !error.isInputError {
            record.seconds = Date().timeIntervalSince(started)
            record.sequentialTokens = critical.longest
            record.steps = lastStep
            record.reason = "run failed"
            record.error = error.description
            return record
        }
        let verdict: EvalVerdict
        if let answer = result.answer {
            verdict = problem.check(output: answer)
            record.checked = "answer"
        } else {
            verdict = problem.check(output: result.finalText)
        }
        record.correct = verdict.isCorrect
        record.answer = verdict.answer
        record.reason = verdict.isCorrect ? nil : verdict.reason
        record.seconds = result.stats.seconds
        record.sampledTokens = result.stats.sampled
        record.writtenTokens = result.stats.written
        record.sequentialTokens = critical.longest
        record.peakKVBytes = result.stats.peakKVBytes
        record.steps = result.stats.steps
        return record
    }
}
