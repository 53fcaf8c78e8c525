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
    /// What `graph` becomes on a serving engine, with its compiled plan: `ServingSession.servingPlan(graph:requireExact:)`.
    public func servingPlan(graph: Graph, requireExact: Bool = false) throws -> (plan: Plan, lowering: ServingLowering) {
        try ServingSession(tokenizer: tokenizer).servingPlan(graph: graph, requireExact: requireExact)
    }

    /// Runs `graph` on an OpenAI-style `/v1/completions` server instead of this session's transformer, with this
    /// session's tokenizer: `ServingSession.run(graph:on:options:observer:)`. A program that only serves needs no
    /// weights: `ServingSession(model:)` reads the tokenizer alone.
    public func run(graph: Graph, on backend: ServingBackend, options: ServingOptions = ServingOptions(),
                    observer: (@Sendable (RequestRecord) -> Void)? = nil) async throws -> ServingRunResult {
        try await ServingSession(tokenizer: tokenizer).run(graph: graph, on: backend, options: options, observer: observer)
    }
}
