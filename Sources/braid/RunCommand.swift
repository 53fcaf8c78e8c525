import ArgumentParser
import BraidGraph
import BraidPlan
import BraidRuntime
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

    @Option(help: "The GGUF model file (default: the cached SmolLM2-135M-Instruct).")
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

    func validate() throws {
        if let threads, threads < 1 { throw ValidationError("--threads must be ≥ 1") }
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
        let limit = try SessionLoading.memoryLimit(memoryLimit)
        let url = try resolveModelPath(model)
        let session = try SessionLoading.session(at: url, memoryLimit: limit, threads: threads)
        try preflight(loaded, inputs: inputs, session: session, model: url, memoryLimit: limit)
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
    /// Compiles the graph and checks its worst case (the real prompt length, budgets, the model's shape)
    /// against the context window and `--memory-limit` before decoding anything. A static part that can't fit is refused
    /// (it is reached whenever every branch runs to its budget); segments that exist only once spawns happen have a
    /// worst case (every round, every child at full budget) that is rarely reached, so they only get a note, and
    /// the run stops with exit 3 if it really runs out.
    func preflight(_ graph: Graph, inputs: [String: String], session: BraidSession, model url: URL, memoryLimit: Int?) throws {
        let bounds: Bounds
        do {
            let plan = try GraphCompiler.compile(graph)
            // The prompt's length is known exactly; an input used elsewhere is bounded by its UTF-8 bytes.
            let values = graph.inputs.compactMap { inputs[$0.name] ?? $0.defaultValue }
            let prompt: Int
            do {
                prompt = try session.promptTokenCount(graph: graph, inputs: inputs)
            } catch let error as RunError {
                throw CLIFailure(.invalidInput, "error: \(error)")
            }
            let estimate = LengthEstimate(lengths: ["prompt": prompt], inputTokens: values.map(\.utf8.count).max() ?? 0)
            bounds = try Bounds.compute(plan, model: try ModelShapeReader.shape(model: url.path, kv: "f32"), estimate: estimate)
        } catch let error as PlanError {
            if !quiet { FileHandle.standardError.write(Data("note: the plan's bounds were not checked: \(error)\n".utf8)) }
            return
        }
        let violations = bounds.violations(memoryLimit: memoryLimit)
        if !quiet {
            let runTime = violations.filter(\.runTime)
            if let first = runTime.first {
                let more = runTime.count > 1 ? " (and \(runTime.count - 1) more run-time segments)" : ""
                FileHandle.standardError.write(Data("note: in the worst case (every spawn round, every child at full budget) \(first.error)\(more)\n".utf8))
            }
        }
        if let error = violations.first(where: { !$0.runTime })?.error {
            throw CLIFailure(.invalidInput, "error: refused before running: \(error) (see `braid plan \(self.graph)`)")
        }
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
