import BraidGraph
import BraidPlan
import BraidServing
import BraidServingRuntime
import BraidTransformer
import Foundation

/// Runs graphs on a serving engine only: the served model's tokenizer, and no weights. A served run needs the
/// tokenizer for chat prompts, token cuts and token-id prompts, never the transformer, so this reads the model
/// file's tokenizer alone (`ModelFiles.tokenizer`: a GGUF file's metadata; its tensors are not read) and holds no
/// `Transformer`. `BraidSession.run(graph:on:options:observer:)` runs the same way with a loaded session's tokenizer.
///
/// ```swift
/// let session = try ServingSession(model: ModelCache.defaultModel)
/// let graph = try GraphLoader.load(path: "Graphs/self-consistency.yaml", overrides: ["samples": "8"])
/// let result = try await session.run(graph: graph, on: ServingBackend(baseURL: "http://127.0.0.1:8080"),
///                                    options: ServingOptions(inputs: ["question": "What is 12*13?"]))
/// print(result.answer ?? "no answer", result.requests.count)
/// ```
public struct ServingSession: Sendable {
    /// The served model's tokenizer.
    public let tokenizer: Tokenizer

    /// Reads the tokenizer of a GGUF model file or a Hugging Face model folder, and nothing else of the model.
    /// - Throws: `GGUFError`, `HFError` or `TokenizerError`, naming the file and the problem.
    public init(model url: URL) throws {
        tokenizer = try ModelFiles.tokenizer(url)
    }

    /// Uses a tokenizer already loaded.
    public init(tokenizer: Tokenizer) {
        self.tokenizer = tokenizer
    }

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

    /// Runs `graph` on an OpenAI-style `/v1/completions` server: its plan, executed by `ServingExecutor` (one
    /// streamed request per decoded segment, forks as concurrent requests, spawn/join as APR's client loop). The
    /// tokenizer renders chat prompts, token cuts and the prompts' token ids, so it must be the served model's.
    /// Nothing is sent when the graph is refused (see `servingPlan(graph:requireExact:)`) or its inputs don't match
    /// (`InputError`). `observer` sees every request as it ends (a request trace). Throws `ServingRunFailure` for a
    /// failed run, with every request completed before the failure.
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
