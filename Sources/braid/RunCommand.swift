import ArgumentParser
import BraidGraph
import BraidPlan
import BraidRuntime
import BraidServingRuntime
import BraidTransformer
import Foundation

/// `braid run`: execute a reasoning graph on the model, batching every live thread into one forward pass.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a reasoning graph on the model (batched decoding, merges in place, spawn/join, votes).",
        discussion: """
        Prints the final answer and each thread's text (or one JSON object with --json). While running, \
        a live view shows one line per thread when the output is a terminal, plain progress lines on \
        standard error otherwise.

        Examples:
          braid run Graphs/parathinker.yaml --question "What is 12*13?" --set paths=4
          braid run Graphs/self-consistency.yaml --question "What is 7+8?" --seed 3 --json
          braid run Graphs/parathinker.yaml --set finish=all --trace run.jsonl
          braid run Graphs/parathinker.yaml --set paths=4 --backend http://127.0.0.1:8080 --trace requests.jsonl

        With --backend URL the plan runs on an OpenAI-style /v1/completions server (llama-server, vLLM, SGLang) \
        instead: one streamed request per decoded segment, forks as concurrent requests (--concurrency), spawn/join \
        as APR's client. What the server can't express is printed first (as braid plan --backend openai shows it); \
        --require-exact refuses such a run. --trace then writes the request trace (one JSON object per request). \
        Prompts are rendered with --model's tokenizer and chat format, which must be the served model's.

        Exit codes: 0 success, 1 invalid input (graph, inputs, model file), 2 usage, 3 run failure.
        """)

    @Argument(help: "The graph file (YAML).")
    var graph: String

    @Option(help: "Shorthand for --input question=TEXT.")
    var question: String?

    @Option(name: .customLong("input"), help: ArgumentHelp("A graph input: name=value. Repeatable.", valueName: "name=value"))
    var inputAssignments: [String] = []

    @Option(name: .customLong("set"), help: ArgumentHelp("Override a param: name=value. Repeatable.", valueName: "name=value"))
    var assignments: [String] = []

    @Option(help: "Random seed; each thread draws from its own stream of it.")
    var seed: UInt64 = 0

    @Option(help: "Override every segment's sampling temperature (0 = greedy).")
    var temperature: Double?

    @Option(help: "A GGUF model file or Hugging Face model folder (default: the cached SmolLM2-135M-Instruct).")
    var model: String?

    @Option(name: .customLong("memory-limit"), help: "Most KV-cache memory the run may hold, e.g. 512MB, 2GB.")
    var memoryLimit: String?

    @Option(help: "Write the run's trace (JSON Lines) to this file.")
    var trace: String?

    @Flag(help: "Print one JSON object (answer, threads, votes, stats) instead of text.")
    var json = false

    @Flag(help: "Run one thread per forward pass instead of batching (same result, slower; for checks).")
    var sequential = false

    @Flag(name: .shortAndLong, help: "No live view or progress lines.")
    var quiet = false

    @Option(help: "Threads that compute each forward step (the caller plus a pool of workers; default: one per core).")
    var threads: Int?

    @Option(help: ActivationPrecision.help)
    var activations: ActivationPrecision = .f32

    @Option(name: .customLong("kv-type"), help: KVPrecision.help)
    var kvType: KVPrecision = .f32

    @OptionGroup var backendOptions: BackendOptions

    func validate() throws {
        if let threads, threads < 1 { throw ValidationError("--threads must be ≥ 1") }
        if activations != .f32, backendOptions.backend != nil {
            throw ValidationError("--activations applies to Braid's own transformer, not to a --backend server")
        }
        if kvType != .f32, backendOptions.backend != nil {
            throw ValidationError("--kv-type applies to Braid's own transformer, not to a --backend server")
        }
    }

    func run() throws {
        let overrides: [String: String]
        var inputs: [String: String]
        do {
            overrides = try OverrideSyntax.parse(assignments)
            inputs = try OverrideSyntax.parse(inputAssignments)
        } catch let error as OverrideSyntax.Malformed {
            throw CLIFailure(.usage, "error: \(error)".replacingOccurrences(of: "--set", with: "--set/--input"))
        }
        if let question { inputs["question"] = question }
        let loaded: Graph
        do {
            loaded = try GraphLoader.load(path: graph, overrides: overrides)
        } catch let error as GraphError {
            throw CLIFailure(.invalidInput, error.description)
        } catch {
            throw CLIFailure(.invalidInput, "error: \(graph): \(error)")
        }
        if let backend = backendOptions.backend { return try runOnBackend(backend, graph: loaded, inputs: inputs) }
        let limit = try SessionLoading.memoryLimit(memoryLimit)
        let url = try resolveModelPath(model)
        try SessionLoading.quickCheck([loaded], model: url, memoryLimit: limit, kvType: kvType)
        let session = try SessionLoading.session(at: url, memoryLimit: limit, threads: threads, activations: activations, kvType: kvType)
        try preflight(loaded, inputs: inputs, session: session)
        let writer: TraceWriter?
        do {
            writer = try trace.map { try TraceWriter(path: $0) }
        } catch {
            throw CLIFailure(.invalidInput, "error: \(error)")
        }
        let view = quiet ? nil : LiveView.forStandardError()
        let options = RunOptions(inputs: inputs, seed: seed, temperature: temperature,
                                 scheduling: sequential ? .sequential : .batched)
        let result: RunResult
        do {
            result = try session.run(graph: loaded, options: options) { event in
                writer?.write(event)
                view?.observe(event)
            }
        } catch let error as RunError {
            writer?.close()
            throw CLIFailure(error.isInputError ? .invalidInput : .runFailure, "error: \(error)")
        }
        writer?.close()
        if let error = writer?.error { throw CLIFailure(.runFailure, "error: writing the trace failed: \(error)") }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(result), as: UTF8.self))
        } else {
            print(RunReport.text(result, graph: loaded))
        }
    }
}

extension RunCommand {
    /// `--backend URL`: the lowering report, then the plan on the server; prints the answer and each thread's text
    /// (or the result as JSON).
    func runOnBackend(_ url: String, graph: Graph, inputs given: [String: String]) throws {
        let plan = try BackendRun.lower(graph, requireExact: backendOptions.requireExact, quiet: quiet)
        let inputs = try BackendRun.inputs(given, plan: plan)
        let renderer = try BackendRun.renderer(model: model)
        let writer: RequestTraceWriter?
        do {
            writer = try trace.map { try RequestTraceWriter(path: $0) }
        } catch {
            throw CLIFailure(.invalidInput, "error: can't write the request trace \(trace ?? ""): \(error)")
        }
        let options = backendOptions.serving(inputs: inputs, seed: seed, temperature: temperature)
        let result = try BackendRun.run(plan, url: url, options: options, renderer: renderer, trace: writer)
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(result), as: UTF8.self))
        } else {
            print(BackendReport.text(result))
        }
    }

    /// Runs the session's bounds check (`BraidSession.check`, which `session.run` repeats) up front, to refuse a
    /// plan that can't fit before the trace file is opened and to print its notes (a run-time spawn worst case
    /// that would not fit) before decoding starts.
    func preflight(_ graph: Graph, inputs: [String: String], session: BraidSession) throws {
        let report: Preflight.Report
        do {
            report = try session.check(graph: graph, inputs: inputs)
        } catch let error as RunError {
            throw CLIFailure(error.isInputError ? .invalidInput : .runFailure, "error: \(error)")
        }
        guard !quiet else { return }
        for note in report.notes { FileHandle.standardError.write(Data("note: \(note)\n".utf8)) }
    }
}

/// The plain-text report of a served run.
enum BackendReport {
    static func text(_ result: ServingRunResult) -> String {
        var out = ""
        for thread in result.threads where thread.kind != "main" {
            out += "── \(thread.name) (\(thread.stopReason))\n" + thread.text.trimmingCharacters(in: .whitespacesAndNewlines) + "\n\n"
        }
        out += "── main\n" + result.finalText.trimmingCharacters(in: .whitespacesAndNewlines) + "\n\n"
        for (id, vote) in result.votes.sorted(by: { $0.key < $1.key }) {
            out += "vote \(id): \(vote.winner ?? "none") (\(vote.votes) votes)\n"
        }
        let completion = result.requests.compactMap(\.completionTokens).reduce(0, +)
        let prompt = result.requests.compactMap(\.promptTokens).reduce(0, +)
        let cached = result.requests.compactMap(\.cachedTokens).reduce(0, +)
        out += String(format: "%d requests, %.2f s; server counts: %d prompt tokens (%d from its prefix cache), %d generated\n",
                      result.requests.count, result.seconds, prompt, cached, completion)
        for note in result.notes { out += "note: \(note)\n" }
        out += "answer: \(result.answer ?? "(none)")"
        return out
    }
}

/// The plain-text report of a run.
enum RunReport {
    static func text(_ result: RunResult, graph: Graph) -> String {
        var out = ""
        for thread in result.threads where thread.kind != "main" {
            let body = thread.segments.map(\.text).joined()
            out += "── \(thread.name) (\(thread.sampled) tokens, \(thread.lastDecode ?? thread.stopReason))\n"
            out += body.trimmingCharacters(in: .whitespacesAndNewlines) + "\n\n"
        }
        if let main = result.threads.first {
            out += "── main (\(main.sampled) tokens)\n" + result.finalText.trimmingCharacters(in: .whitespacesAndNewlines) + "\n\n"
        }
        for (id, vote) in result.votes.sorted(by: { $0.key < $1.key }) {
            let counts = vote.counts.map { "\($0.answer): \($0.votes)" }.joined(separator: ", ")
            out += "vote \(id): \(vote.winner ?? "none") (\(counts))\n"
        }
        let s = result.stats
        out += String(format: "%d steps, %d tokens sampled, %.2f s (%.1f tok/s), peak KV ",
                      s.steps, s.sampled, s.seconds, Double(s.sampled) / max(s.seconds, 1e-9)) + ByteCount.format(s.peakKVBytes) + "\n"
        out += "answer: \(result.answer ?? "(none)")"
        return out
    }
}
