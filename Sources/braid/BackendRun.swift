import BraidGraph
import BraidPlan
import BraidRuntime
import BraidServing
import BraidServingRuntime
import BraidServingSession
import BraidTransformer
import Foundation

/// `--backend URL` on `braid run` and `braid eval`: the plan runs on an OpenAI-style `/v1/completions` server
/// (`ServingExecutor`) instead of Braid's own runtime. What the two commands share: the lowering report printed
/// before running, the refusal under `--require-exact` (or the graph's `require: exact`), the prompt renderer taken
/// from the local model file's tokenizer, and waiting for the async run from a synchronous command.
enum BackendRun {
    /// Compiles the graph, prints its serving lowering (to standard error unless `quiet`) and refuses it when
    /// exactness is required and anything would be lowered.
    static func lower(_ graph: Graph, requireExact: Bool, quiet: Bool) throws -> Plan {
        let plan = try PlanCommand.compile(graph)
        let report = ServingLowering.lower(plan)
        if !quiet { FileHandle.standardError.write(Data((ServingLoweringText.render(report) + "\n").utf8)) }
        if requireExact || graph.requiresExact {
            do {
                try report.requireExact()
            } catch let error as ServingLowering.NotExact {
                let why = requireExact ? "--require-exact" : "the graph's require: exact"
                throw CLIFailure(.invalidInput, "error: refused by \(why): \(error)")
            }
        }
        return plan
    }

    /// The plan's inputs: the values given over its defaults (`Plan.inputValues`); an unknown or missing one is
    /// invalid input, reported before anything is sent.
    static func inputs(_ given: [String: String], plan: Plan) throws -> [String: String] {
        do {
            return try plan.inputValues(given)
        } catch {
            throw CLIFailure(.invalidInput, "error: \(error)")
        }
    }

    /// The renderer of chat prompts, token cuts and token-id prompts: the tokenizer of the local model file
    /// (`--model`, default the cached SmolLM2), which must be the served model's. Only the tokenizer is read; the
    /// model's weights are not.
    static func renderer(model: String?) throws -> TokenizerPromptRenderer {
        let url = try resolveModelPath(model)
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw CLIFailure(.invalidInput, "error: model file \(url.path) does not exist (the backend run renders prompts with its tokenizer; pass --model with the served model's GGUF)")
        }
        do {
            return TokenizerPromptRenderer(tokenizer: try ModelFiles.tokenizer(url))
        } catch {
            throw CLIFailure(.invalidInput, "error: cannot read the tokenizer of \(url.path): \(error)")
        }
    }

    /// Runs `plan` on the server at `url`, waiting for it (the command is synchronous). Every request is written to
    /// `trace` as it ends, so a failed run keeps what it completed.
    static func run(_ plan: Plan, url: String, options: ServingOptions, renderer: TokenizerPromptRenderer,
                    trace: RequestTraceWriter?) throws -> ServingRunResult {
        let box = ResultBox()
        let semaphore = DispatchSemaphore(value: 0)
        Task {
            do {
                let configuration = ClientConfiguration(maxConnections: max(64, options.concurrency))
                let result = try await CompletionsClient.with(baseURL: url, configuration: configuration) { client in
                    try await ServingExecutor.run(plan: plan, client: client, options: options, renderer: renderer,
                                                  observer: { trace?.write($0) })
                }
                box.set(.success(result))
            } catch {
                box.set(.failure(error))
            }
            semaphore.signal()
        }
        semaphore.wait()
        trace?.close()
        switch box.get() {
        case .success(let result)?: return result
        case .failure(let failure as ServingRunFailure)?: throw CLIFailure(.runFailure, "error: \(failure)")
        case .failure(let error)?: throw CLIFailure(.runFailure, "error: \(error)")
        case nil: throw CLIFailure(.runFailure, "error: the backend run ended without a result")
        }
    }

    /// A served run as the eval harness records runs: answer, final text, wall time; tokens are the server's counts
    /// (generated = sampled; prompt plus generated = written), sequential tokens the executor's own count; one step
    /// per request. No KV is held on this side.
    static func runResult(_ served: ServingRunResult) -> RunResult {
        let generated = served.requests.reduce(0) { $0 + ($1.completionTokens ?? $1.chunks) }
        let prompts = served.requests.reduce(0) { $0 + ($1.promptTokens ?? 0) }
        return RunResult(answer: served.answer, finalText: served.finalText, threads: [], outputs: [:], votes: [:],
                         stats: RunStats(steps: served.requests.count, forwards: 0, sampled: generated,
                                         written: generated + prompts, seconds: served.seconds, forwardSeconds: 0,
                                         peakKVBytes: 0, sequentialTokens: served.sequentialTokens))
    }

    /// Carries the async run's outcome to the waiting command.
    final class ResultBox: @unchecked Sendable {
        private let lock = NSLock()
        private var value: Result<ServingRunResult, any Error>?
        func set(_ result: Result<ServingRunResult, any Error>) { lock.withLock { value = result } }
        func get() -> Result<ServingRunResult, any Error>? { lock.withLock { value } }
    }
}
