import BraidGraph
import BraidPlan
import BraidTransformer
import Foundation

/// Runs reasoning graphs on one loaded model.
///
/// ```swift
/// let session = try BraidSession(model: ModelCache.defaultModel)
/// let result = try session.run(graph: "Graphs/parathinker.yaml",
///                              inputs: ["question": "What is 12*13?"], overrides: ["paths": "4"])
/// print(result.answer ?? "no answer")
/// ```
///
/// Each run gets a fresh KV cache; the weights are loaded once. Every run is checked first (`check(graph:inputs:)`):
/// a plan that can't fit the context window or `kvByteLimit` is refused with `RunError.refused` before any token is
/// decoded. Not thread-safe: one run at a time.
public final class BraidSession {
    /// The transformer (weights loaded and dequantized).
    public let transformer: Transformer
    /// The model's tokenizer.
    public let tokenizer: Tokenizer
    /// The most KV bytes a run may hold at once (`--memory-limit`); nil: no limit.
    public var kvByteLimit: Int?

    /// Loads a GGUF model file or a Hugging Face model folder (`config.json`, safetensors, tokenizer files).
    /// - Parameter threads: threads that compute each forward step (as `--threads`); nil is one per core.
    public init(model url: URL, kvByteLimit: Int? = nil, threads: Int? = nil) throws {
        let (source, tokenizer) = try ModelFiles.open(url)  // a GGUF file or a Hugging Face folder
        self.tokenizer = tokenizer
        transformer = Transformer(weights: try Weights(source: source), threads: threads)
        self.kvByteLimit = kvByteLimit
    }

    /// Wraps an already loaded transformer and tokenizer.
    public init(transformer: Transformer, tokenizer: Tokenizer, kvByteLimit: Int? = nil) {
        self.transformer = transformer
        self.tokenizer = tokenizer
        self.kvByteLimit = kvByteLimit
    }

    /// The number of tokens of the graph's root prompt with these inputs (exact, for bounds checked before a run).
    public func promptTokenCount(graph: Graph, inputs: [String: String]) throws -> Int {
        let model = TransformerModel(transformer: transformer, tokenizer: tokenizer)
        let defaults = Dictionary(graph.inputs.compactMap { input in input.defaultValue.map { (input.name, $0) } },
                                  uniquingKeysWith: { first, _ in first })
        let values = try Engine.inputValues {
            try Plan.inputValues(graph: graph.name, inputs: graph.inputs.map(\.name), defaults: defaults, given: inputs)
        }
        let tokens = try Engine.forcedTokens(GraphCompiler.promptContent(graph.prompt), variables: values, model: model,
                                             graph: graph.name) ?? []
        return tokens.count + (model.beginOfSequence == nil ? 0 : 1)
    }

    /// The bounds check for this model and memory limit.
    public var preflight: Preflight {
        Preflight(config: transformer.config, memoryLimit: kvByteLimit, kvPrecision: transformer.kvPrecision)
    }

    /// Compiles `graph` and checks its worst case (the prompt's real length with these inputs, every branch at its
    /// budget) against the context window and `kvByteLimit`. Throws `RunError.refused` naming the segment at fault;
    /// otherwise returns the bounds and notes (a run-time spawn worst case that would not fit). `run` calls it.
    public func check(graph: Graph, inputs: [String: String]) throws -> Preflight.Report {
        try preflight.check(graph, inputs: inputs, promptTokens: try promptTokenCount(graph: graph, inputs: inputs))
    }

    /// Loads a graph file (with `--set`-style overrides) and runs it.
    public func run(graph path: String, inputs: [String: String] = [:], overrides: [String: String] = [:],
                    options: RunOptions = RunOptions(), observer: ((TraceEvent) -> Void)? = nil) throws -> RunResult {
        let graph = try GraphLoader.load(path: path, overrides: overrides)
        var options = options
        options.inputs.merge(inputs) { _, new in new }
        return try run(graph: graph, options: options, observer: observer)
    }

    /// Runs a loaded graph, after `check(graph:inputs:)` (a plan that can't fit throws `RunError.refused`).
    public func run(graph: Graph, options: RunOptions = RunOptions(), observer: ((TraceEvent) -> Void)? = nil) throws -> RunResult {
        let report = try check(graph: graph, inputs: options.inputs)
        let model = TransformerModel(transformer: transformer, tokenizer: tokenizer, kvByteLimit: kvByteLimit)
        guard let plan = report.plan else {
            return try BraidRunner.run(graph: graph, on: model, options: options, observer: observer)  // throws the compile error
        }
        return try BraidRunner.run(graph: graph, plan: plan, on: model, options: options, roundCheck: preflight, observer: observer)
    }
}

/// Runs a graph on any `RuntimeModel` (the real transformer or a test double).
public enum BraidRunner {
    /// Executes `graph` on `model` and returns the answer, every thread's text and the run's statistics;
    /// `observer` receives every trace event as it happens.
    /// The graph is compiled into its plan first (`GraphCompiler`); a graph with no plan can't run
    /// (`RunError.uncompilable`). With `roundCheck`, spawn rounds are checked as they are instantiated.
    public static func run(graph: Graph, on model: RuntimeModel, options: RunOptions = RunOptions(),
                           roundCheck: Preflight? = nil, observer: ((TraceEvent) -> Void)? = nil) throws -> RunResult {
        let plan: Plan
        do {
            plan = try GraphCompiler.compile(graph)
        } catch let error as PlanError {
            throw RunError.uncompilable(error)
        }
        return try run(graph: graph, plan: plan, on: model, options: options, roundCheck: roundCheck, observer: observer)
    }

    /// Executes `plan`, compiled from `graph`, on `model` (the graph is not read: see `run(plan:on:options:roundCheck:observer:)`).
    public static func run(graph: Graph, plan: Plan, on model: RuntimeModel, options: RunOptions = RunOptions(),
                           roundCheck: Preflight? = nil, observer: ((TraceEvent) -> Void)? = nil) throws -> RunResult {
        try run(plan: plan, on: model, options: options, roundCheck: roundCheck, observer: observer)
    }

    /// Executes a compiled plan on `model`: every thread walks its program in the plan (`PlanThread.program`); nothing
    /// is read from the graph it was compiled from. With `roundCheck`, every run-time spawn round is checked against
    /// its shape and memory limit as it is instantiated (`RunError.spawnRefused` before any child token).
    public static func run(plan: Plan, on model: RuntimeModel, options: RunOptions = RunOptions(),
                           roundCheck: Preflight? = nil, observer: ((TraceEvent) -> Void)? = nil) throws -> RunResult {
        let engine = try Engine(model: model, plan: plan, options: options, roundCheck: roundCheck,
                                observer: observer ?? { _ in })
        return try engine.run()
    }
}
