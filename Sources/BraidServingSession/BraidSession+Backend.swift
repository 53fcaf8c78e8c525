import BraidGraph
import BraidPlan
import BraidRuntime
import BraidServing
import BraidServingRuntime
import Foundation

/// A graph run on a serving engine from the library API: where the server is and how to talk to it.
public struct ServingBackend: Sendable {
    /// The server's base URL; requests go to `baseURL/v1/completions`.
    public var baseURL: String
    /// Refuse a graph the server would run lowered (as `--require-exact`); a graph with `require: exact` is
    /// refused the same way whatever this says.
    public var requireExact: Bool
    /// The HTTP client's limits (timeouts, retries, connections; at least `ServingOptions.concurrency` connections
    /// are allowed whatever this says).
    public var client: ClientConfiguration

    /// Creates a backend.
    public init(baseURL: String, requireExact: Bool = false, client: ClientConfiguration = ClientConfiguration()) {
        self.baseURL = baseURL
        self.requireExact = requireExact
        self.client = client
    }
}

extension BraidSession {
    /// What `graph` becomes on a serving engine (`ServingLowering`, as `braid plan --backend openai` prints it),
    /// with its compiled plan. Throws the compile error of a graph that has no plan, and
    /// `ServingLowering.NotExact` (listing every change) when exactness is required — by `requireExact` or by
    /// the graph's `require: exact` — and anything would be lowered.
    public func servingPlan(graph: Graph, requireExact: Bool = false) throws -> (plan: Plan, lowering: ServingLowering) {
        let plan = try GraphCompiler.compile(graph)
        let lowering = ServingLowering.lower(plan)
        if requireExact || graph.requiresExact { try lowering.requireExact() }
        return (plan, lowering)
    }

    /// Runs `graph` on an OpenAI-style `/v1/completions` server instead of this session's transformer: the same
    /// plan, executed by `ServingExecutor` (one streamed request per decoded segment, forks as concurrent requests,
    /// spawn/join as APR's client loop). The session's tokenizer renders chat prompts and token cuts, so it must
    /// be the served model's. Nothing is sent when the graph is refused (see `servingPlan(graph:requireExact:)`)
    /// or its inputs don't match (`InputError`). `observer` sees every request as it ends (a request trace).
    /// Throws `ServingRunFailure` for a failed run, with every request completed before the failure.
    ///
    /// ```swift
    /// let session = try BraidSession(model: ModelCache.defaultModel)
    /// let graph = try GraphLoader.load(path: "Graphs/self-consistency.yaml", overrides: ["samples": "8"])
    /// let result = try await session.run(graph: graph, on: ServingBackend(baseURL: "http://127.0.0.1:8080"),
    ///                                    options: ServingOptions(inputs: ["question": "What is 12*13?"]))
    /// print(result.answer ?? "no answer", result.requests.count)
    /// ```
    public func run(graph: Graph, on backend: ServingBackend, options: ServingOptions = ServingOptions(),
                    observer: (@Sendable (RequestRecord) -> Void)? = nil) async throws -> ServingRunResult {
        let plan = try servingPlan(graph: graph, requireExact: backend.requireExact).plan
        var options = options
        options.inputs = try plan.inputValues(options.inputs)
        var configuration = backend.client
        configuration.maxConnections = max(configuration.maxConnections, options.concurrency)
        let renderer = TokenizerPromptRenderer(tokenizer: tokenizer)
        let run = options
        return try await CompletionsClient.with(baseURL: backend.baseURL, configuration: configuration) { client in
            try await ServingExecutor.run(plan: plan, client: client, options: run, renderer: renderer, observer: observer)
        }
    }
}
