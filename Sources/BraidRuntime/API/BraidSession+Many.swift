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
    /// Every request is checked first, before any run starts (the preflight of `run(graph:options:observer:)`,
    /// and compiling its plan): the requests that fail it are told to `done` first, in request order, so a caller
    /// that stops at a refused run (a throw from `done`) stops before any token is decoded. Each run is then what
    /// `run(graph:options:observer:)` would make of it alone — its own KV cache accounting and `kvByteLimit`, its
    /// spawn rounds checked as they are instantiated, its own seeded samplers — and its trace is identical but for
    /// wall times. `observer` gets every run's events with the request's index; `done` is told of each run's
    /// result (or why it failed) as it ends, in the order runs end; a throw from `done` stops everything.
    public func runMany(_ requests: [RunRequest], width: Int,
                        observer: @escaping (Int, TraceEvent) -> Void = { _, _ in },
                        done: @escaping (Int, Result<RunResult, RunError>) throws -> Void) throws {
        var plans: [(index: Int, plan: Plan)] = []
        for (index, request) in requests.enumerated() {
            do {
                plans.append((index, try checkedPlan(request)))
            } catch {
                try done(index, .failure(MultiRun.runError(error)))
            }
        }
        let host = TransformerModel(transformer: transformer, tokenizer: tokenizer)
        let driver = MultiRun(host: host, width: width, byteLimit: kvByteLimit, start: { [self] k, share in
            let (index, plan) = plans[k]
            let request = requests[index]
            return try Engine(model: share, plan: plan, options: request.options,
                              roundCheck: preflight) { observer(index, $0) }
        }, done: { k, result in try done(plans[k].index, result) })
        try driver.run(count: plans.count)
    }

    /// The request's plan once its preflight passes (`RunError.refused`, or the compiler's error, otherwise).
    private func checkedPlan(_ request: RunRequest) throws -> Plan {
        if let checked = try check(graph: request.graph, inputs: request.options.inputs).plan { return checked }
        do {
            return try GraphCompiler.compile(request.graph)  // throws the compiler's error
        } catch let error as PlanError {
            throw RunError.uncompilable(error)
        }
    }
}
