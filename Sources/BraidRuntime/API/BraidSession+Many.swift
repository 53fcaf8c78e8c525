import BraidGraph
import BraidPlan
import BraidTransformer

/// One run for `BraidSession.runMany`: a loaded graph and its options (inputs, seed, …).
public struct RunRequest {
    /// The graph to run.
    public var graph: Graph
    /// Its inputs and settings.
    public var options: RunOptions

    /// Creates a request.
    public init(graph: Graph, options: RunOptions) {
        self.graph = graph
        self.options = options
    }
}

extension BraidSession {
    /// Runs several graphs (or one graph on several inputs) together: up to `width` runs are live at once,
    /// every live thread of every live run goes into the same forward pass each step, and a run that ends
    /// frees its slot for the next request (in order).
    ///
    /// Each run is what `run(graph:options:observer:)` would make of it alone — the same preflight check (a
    /// refused run fails with `RunError.refused` before any token), its own KV cache accounting and
    /// `kvByteLimit`, its own seeded samplers — and its trace is identical but for wall times. `observer`
    /// gets every run's events with the request's index; `done` is told of each run's result (or why it
    /// failed) as it ends, in the order runs end; a throw from `done` stops everything.
    public func runMany(_ requests: [RunRequest], width: Int,
                        observer: @escaping (Int, TraceEvent) -> Void = { _, _ in },
                        done: @escaping (Int, Result<RunResult, RunError>) throws -> Void) throws {
        let host = TransformerModel(transformer: transformer, tokenizer: tokenizer)
        let driver = MultiRun(host: host, width: width, byteLimit: kvByteLimit, start: { [self] index, share in
            let request = requests[index]
            let report = try check(graph: request.graph, inputs: request.options.inputs)
            let plan: Plan
            if let checked = report.plan {
                plan = checked
            } else {
                do {
                    plan = try GraphCompiler.compile(request.graph)  // throws the compiler's error
                } catch let error as PlanError {
                    throw RunError.uncompilable(error)
                }
            }
            return try Engine(model: share, graph: request.graph, plan: plan, options: request.options) { observer(index, $0) }
        }, done: done)
        try driver.run(count: requests.count)
    }
}
