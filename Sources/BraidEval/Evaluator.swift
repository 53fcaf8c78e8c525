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

/// Runs configurations over a task's problems and records each run.
///
/// The harness knows nothing about any task: problems arrive as ``EvalProblem``s (an id, graph inputs and a
/// checker), and runs go through a closure, so the real model and test doubles are interchangeable. With a
/// ``RunMany`` closure (`BraidSession.runMany`) up to `batch` problems run together, every live thread of
/// every run in one forward pass per step; each run's record and trace are what it gives alone.
public struct Evaluator {
    /// Executes a graph with options, handing every trace event to the observer.
    public typealias Run = (Graph, RunOptions, @escaping (TraceEvent) -> Void) throws -> RunResult
    /// Executes several runs, at most `width` at once (`BraidSession.runMany`): events go to the observer with
    /// the request's index, and each run's result to the completion as it ends.
    public typealias RunMany = (_ requests: [RunRequest], _ width: Int, _ observer: @escaping (Int, TraceEvent) -> Void,
                                _ done: @escaping (Int, Result<RunResult, RunError>) throws -> Void) throws -> Void

    /// The task's name (recorded in every run).
    public var task: String
    /// The seed of every run (each thread draws from its own stream of it).
    public var seed: UInt64
    /// Overrides every segment's temperature; nil keeps the graph's.
    public var temperature: Double?
    /// When set, each run's trace is written there as `traceFileName(traceID)`.
    public var traceDirectory: String?
    /// Executes several runs that write their own traces (a served run's request trace), at most `width` at
    /// once: run i writes its trace to `traces[i]` (nil: none) and its result goes to the completion as it ends.
    public typealias RunWritingTraces = (_ requests: [RunRequest], _ traces: [String?], _ width: Int,
                                         _ done: @escaping (Int, Result<RunResult, RunError>) throws -> Void) throws -> Void

    /// How many problems run together (1: one after another).
    public var batch: Int
    /// How runs are executed, whichever initializer set it: requests, their trace paths, how many at once, the
    /// observer of trace events and the completion of each run.
    private typealias Execute = (_ requests: [RunRequest], _ traces: [String?], _ width: Int,
                                 _ observer: @escaping (Int, TraceEvent) -> Void,
                                 _ done: @escaping (Int, Result<RunResult, RunError>) throws -> Void) throws -> Void
    private let execute: Execute
    /// Whether runs write their own traces (then the harness writes none from trace events).
    private let runsWriteTraces: Bool

    /// Creates an evaluator that executes runs one after another with `run`.
    public init(task: String, seed: UInt64 = 0, temperature: Double? = nil, traceDirectory: String? = nil, run: @escaping Run) {
        self.init(task: task, seed: seed, temperature: temperature, traceDirectory: traceDirectory, batch: 1) { requests, _, observer, done in
            for (index, request) in requests.enumerated() {
                let result: Result<RunResult, RunError>
                do {
                    result = .success(try run(request.graph, request.options) { observer(index, $0) })
                } catch let error as RunError {
                    result = .failure(error)
                }
                try done(index, result)
            }
        }
    }

    /// Creates an evaluator that executes up to `batch` runs together with `runMany`.
    public init(task: String, seed: UInt64 = 0, temperature: Double? = nil, traceDirectory: String? = nil,
                batch: Int, runMany: @escaping RunMany) {
        self.init(task: task, seed: seed, temperature: temperature, traceDirectory: traceDirectory, batch: batch,
                  runsWriteTraces: false) { requests, _, width, observer, done in
            try runMany(requests, width, observer, done)
        }
    }

    /// Creates an evaluator whose runs write their own traces (`braid eval --backend`: each problem's request
    /// trace, named as a local run's trace would be), up to `width` problems at once.
    public init(task: String, seed: UInt64 = 0, temperature: Double? = nil, traceDirectory: String? = nil,
                width: Int, runWritingTraces: @escaping RunWritingTraces) {
        self.init(task: task, seed: seed, temperature: temperature, traceDirectory: traceDirectory, batch: width,
                  runsWriteTraces: true) { requests, traces, width, _, done in
            try runWritingTraces(requests, traces, width, done)
        }
    }

    /// The one place the settings are stored; the public initializers differ only in how runs are executed.
    private init(task: String, seed: UInt64, temperature: Double?, traceDirectory: String?, batch: Int,
                 runsWriteTraces: Bool, execute: @escaping Execute) {
        self.task = task
        self.seed = seed
        self.temperature = temperature
        self.traceDirectory = traceDirectory
        self.batch = max(1, batch)
        self.execute = execute
        self.runsWriteTraces = runsWriteTraces
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

    /// The trace id of a run: `CONFIG/PROBLEM/sSEED` (spaces in the label become commas).
    func traceID(_ configuration: EvalConfiguration, problem: EvalProblem) -> String {
        "\(configuration.label.replacingOccurrences(of: " ", with: ","))/\(problem.id)/s\(seed)"
    }

    /// Runs `configuration` on every problem (`batch` at a time); `progress` is called with each record in
    /// problem order, as soon as it and every earlier one are done. A run that fails while running (context
    /// window, memory limit) is recorded as wrong with its error; a failure caused by the input (a bad graph or
    /// inputs, a plan that preflight refuses) stops the evaluation, naming the problem. A run's trace file is
    /// opened with its first event, so a refused run leaves none.
    public func evaluate(_ configuration: EvalConfiguration, problems: [EvalProblem],
                         progress: (Int, EvalRecord) -> Void = { _, _ in }) throws -> [EvalRecord] {
        if let traceDirectory {
            do {
                try FileManager.default.createDirectory(atPath: traceDirectory, withIntermediateDirectories: true)
            } catch {
                throw EvalError("cannot create the trace directory '\(traceDirectory)': \(error.localizedDescription)")
            }
        }
        let requests = try problems.map { problem in
            RunRequest(graph: configuration.graph,
                       options: RunOptions(inputs: try Evaluator.inputs(for: configuration.graph, problem: problem, task: task),
                                           seed: seed, temperature: temperature))
        }
        let tracePaths = problems.map { problem in
            traceDirectory.map { ($0 as NSString).appendingPathComponent(EvalRecord.traceFileName(traceID(configuration, problem: problem))) }
        }
        let runs = problems.indices.map { index in
            let problem = problems[index]
            return EvalRun(record: EvalRecord(config: configuration.label, graph: configuration.graph.name, task: task,
                                       problem: problem.id, correct: false, answer: nil, reason: nil, checked: "text",
                                       seconds: 0, sampledTokens: 0, writtenTokens: 0, sequentialTokens: 0,
                                       peakKVBytes: 0, steps: 0, seed: seed, traceID: traceID(configuration, problem: problem)),
                    tracePath: runsWriteTraces ? nil : tracePaths[index])
        }
        var records = [EvalRecord?](repeating: nil, count: problems.count)
        var reported = 0
        try withoutActuallyEscaping(progress) { progress in
            try execute(requests, tracePaths, batch, { index, event in runs[index].observe(event) }) { index, result in
                let run = runs[index]
                try run.close()
                switch result {
                case .success(let output):
                    records[index] = run.checked(output, problem: problems[index])
                case .failure(let error) where error.isInputError:
                    throw RunFailure(problem: problems[index].id, error: error)
                case .failure(let error):
                    records[index] = run.failed(error)
                }
                while reported < records.count, let record = records[reported] {
                    progress(reported, record)
                    reported += 1
                }
            }
        }
        return records.compactMap { $0 }
    }

    /// Runs `configuration` on one problem and checks the answer.
    public func evaluate(_ configuration: EvalConfiguration, problem: EvalProblem) throws -> EvalRecord {
        guard let record = try evaluate(configuration, problems: [problem]).first else {
            throw EvalError("problem \(problem.id): the run reported no result")
        }
        return record
    }
}

/// A run that failed because of its input (a plan that preflight refuses, bad inputs), with the problem it was.
public struct RunFailure: Error, CustomStringConvertible {
    /// The problem's id.
    public var problem: String
    /// Why the run could not run.
    public var error: RunError
    /// `problem ID: reason`.
    public var description: String { "problem \(problem): \(error)" }
}
