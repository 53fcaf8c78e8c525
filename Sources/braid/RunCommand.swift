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
        try SessionLoading.quickCheck([loaded], model: url, memoryLimit: limit)
        let session = try SessionLoading.session(at: url, memoryLimit: limit, threads: threads)
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
