import ArgumentParser
import BraidGraph
import BraidRuntime
import BraidTransformer
import Foundation

/// `braid bench graph`: wall time of a fan-out graph (ParaThinker) as the number of paths grows.
struct BenchGraphCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "graph",
        abstract: "Wall time of a fan-out graph at several path counts, as a ratio to one path; attend vs reprefill.",
        discussion: """
        The graph must have the params `paths` (P), `finish` and `path_tokens` (per-path budget), as \
        Graphs/parathinker.yaml does; `summary_tokens` is set when present. Each run uses finish=all and \
        fixed budgets: end-of-sequence and stop strings are ignored, so every path writes exactly \
        --tokens tokens and the summary --summary-tokens, and the work grows exactly with P. Repeats go \
        round-robin over every setting, so load on the machine affects all of them alike; the ratio to \
        P = 1 is taken between medians of the same invocation. With --compare-reprefill every setting \
        also runs with the merged paths' KV computed again (same mask and positions) instead of read in \
        place, and the summary phase (from the last path's end to the run's end) is compared.

          braid bench graph Graphs/parathinker.yaml --paths 1,2,4,8,16 --tokens 64 --compare-reprefill
        """)

    @Argument(help: "The graph file (YAML), e.g. Graphs/parathinker.yaml.")
    var graph: String

    @Option(help: "Path counts P, comma-separated.")
    var paths = "1,2,4,8,16"

    @Option(help: "Per-path budget in tokens (every path writes exactly this many).")
    var tokens = 64

    @Option(help: "Summary budget in tokens (when the graph has a summary_tokens param).")
    var summaryTokens = 32

    @Option(help: "Repeats per setting; medians are reported with min and max.")
    var repeats = 3

    @Flag(help: "Also run each setting with the merge's source KV recomputed instead of read in place.")
    var compareReprefill = false

    @Option(help: ArgumentHelp("Also run this graph (same params) at each P and report its wall time as a ratio, "
                               + "e.g. Graphs/parathinker-reprefill.yaml (paths' text pasted into the summary's prompt).",
                               valueName: "GRAPH"))
    var compareGraph: String?

    @Option(help: "The question the graph is asked.")
    var question = "What is 12*13?"

    @Option(help: "Random seed of the runs.")
    var seed: UInt64 = 0

    @Option(help: "A GGUF model file or Hugging Face model folder (default: the cached SmolLM2-135M-Instruct).")
    var model: String?

    @Option(help: "Threads that compute each forward step (the caller plus a pool of workers; default: one per core).")
    var threads: Int?

    @Option(help: ActivationPrecision.help)
    var activations: ActivationPrecision = .f32

    @Option(name: .customLong("kv-type"), help: KVPrecision.help)
    var kvType: KVPrecision = .f32

    @Flag(help: "Print the report as JSON.")
    var json = false

    @Option(help: "Also write the JSON report to this file.")
    var jsonFile: String?

    @Flag(name: .shortAndLong, help: "No progress lines on standard error.")
    var quiet = false

    func validate() throws {
        guard tokens > 0 else { throw ValidationError("--tokens must be positive, got \(tokens)") }
        guard summaryTokens > 0 else { throw ValidationError("--summary-tokens must be positive, got \(summaryTokens)") }
        guard repeats > 0 else { throw ValidationError("--repeats must be positive, got \(repeats)") }
        if let threads, threads <= 0 { throw ValidationError("--threads must be positive, got \(threads)") }
    }

    func run() throws {
        let counts = try BenchLog.positiveList(paths, option: "--paths")
        let base = try loadGraph(graph, [:])
        let names = try checkParams(base, file: graph)
        let otherNames = try compareGraph.map { try checkParams(try loadGraph($0, [:]), file: $0) }
        let url = try resolveModelPath(model)
        let machine = BenchMachine.current(threads: threads, activations: activations, kvType: kvType)
        BenchLog.say("machine: \(machine.summary)", quiet: quiet)
        var variants: [Setting.Variant] = [.attend]
        if compareReprefill { variants.append(.recompute) }
        if compareGraph != nil { variants.append(.other) }
        var graphs: [Setting: Graph] = [:]
        for p in counts {
            for variant in variants {
                let (file, params) = variant == .other ? (compareGraph ?? graph, otherNames ?? names) : (graph, names)
                var overrides = ["paths": String(p), "finish": "all", "path_tokens": String(tokens)]
                if params.contains("summary_tokens") { overrides["summary_tokens"] = String(summaryTokens) }
                graphs[Setting(paths: p, variant: variant)] = try loadGraph(file, overrides)
            }
        }
        try SessionLoading.quickCheck(counts.flatMap { p in variants.compactMap { graphs[Setting(paths: p, variant: $0)] } },
                                      model: url, memoryLimit: nil, kvType: kvType)
        let session: BraidSession
        do {
            session = try BraidSession(model: url, threads: threads)
            session.transformer.activations = activations
            session.transformer.kvPrecision = kvType
        } catch {
            throw CLIFailure(.invalidInput, "error: cannot load model \(url.path): \(error)")
        }
        // Every setting is checked before any runs (each run checks again), so a P that can't fit is refused at once.
        for p in counts {
            for variant in variants {
                guard let g = graphs[Setting(paths: p, variant: variant)] else { continue }
                do {
                    _ = try session.check(graph: g, inputs: inputs(for: g))
                } catch let error as RunError {
                    throw CLIFailure(error.isInputError ? .invalidInput : .runFailure, "error: \(error)")
                }
            }
        }
        BenchLog.say("warm-up…", quiet: quiet)
        _ = try timedRun(session, graphs[Setting(paths: counts[0], variant: .attend)] ?? base, recompute: false)
        var samples: [Setting: [GraphRunSample]] = [:]
        for r in 0..<repeats {
            for p in counts {
                for variant in variants {
                    let setting = Setting(paths: p, variant: variant)
                    guard let g = graphs[setting] else { continue }
                    let sample = try timedRun(session, g, recompute: variant == .recompute)
                    samples[setting, default: []].append(sample)
                    BenchLog.say(String(format: "repeat %d/%d P=%d %@: %.2f s (summary %.2f s, %d tokens sampled)",
                                        r + 1, repeats, p, variant.rawValue, sample.seconds,
                                        sample.summarySeconds, sample.sampled), quiet: quiet)
                }
            }
        }
        let report = GraphBenchReport(graph: graph, compareGraph: compareGraph, model: url.path, machine: machine, tokensPerPath: tokens,
                                      summaryTokens: names.contains("summary_tokens") ? summaryTokens : nil,
                                      repeats: repeats, counts: counts, samples: samples,
                                      peakResidentBytes: BenchMachine.peakResidentBytes())
        try BenchLog.emit(report, text: report.text, json: json, file: jsonFile)
    }

    private func loadGraph(_ file: String, _ overrides: [String: String]) throws -> Graph {
        do {
            return try GraphLoader.load(path: file, overrides: overrides)
        } catch let error as GraphError {
            throw CLIFailure(.invalidInput, error.description)
        } catch {
            throw CLIFailure(.invalidInput, "error: \(file): \(error)")
        }
    }

    /// The graph's param names; the ones the benchmark sets must be there.
    private func checkParams(_ g: Graph, file: String) throws -> Set<String> {
        let names = Set(g.params.map(\.name))
        let missing = ["paths", "finish", "path_tokens"].filter { !names.contains($0) }
        guard missing.isEmpty else {
            throw CLIFailure(.invalidInput, "error: \(file): braid bench graph needs the params paths, finish and path_tokens; "
                + "missing: \(missing.joined(separator: ", ")) (see Graphs/parathinker.yaml)")
        }
        return names
    }

    /// The run's inputs: `--question`, when the graph takes a question.
    private func inputs(for g: Graph) -> [String: String] {
        g.input(named: "question") == nil ? [:] : ["question": question]
    }

    /// One run with fixed budgets; times the summary phase from the trace events as they arrive.
    private func timedRun(_ session: BraidSession, _ g: Graph, recompute: Bool) throws -> GraphRunSample {
        let options = RunOptions(inputs: inputs(for: g),
                                 seed: seed, recomputeMergedKV: recompute, fixedBudgets: true)
        var branches: Set<String> = []
        var lastBranchStop: Double?
        let start = BenchClock.now()
        let result: RunResult
        do {
            result = try session.run(graph: g, options: options) { event in
                switch event {
                case .thread(let t) where t.kind == "branch": branches.insert(t.thread)
                case .stop(let s) where branches.contains(s.thread): lastBranchStop = BenchClock.now()
                default: break
                }
            }
        } catch let error as RunError {
            throw CLIFailure(error.isInputError ? .invalidInput : .runFailure, "error: \(error)")
        }
        let end = BenchClock.now()
        let pathTokens = result.threads.filter { $0.kind == "branch" }.map(\.sampled)
        return GraphRunSample(seconds: end - start, summarySeconds: lastBranchStop.map { end - $0 } ?? 0,
                              sampled: result.stats.sampled, pathTokens: pathTokens,
                              forwards: result.stats.forwards, forwardSeconds: result.stats.forwardSeconds,
                              peakKVBytes: result.stats.peakKVBytes)
    }
}

/// One measured setting: P paths and which variant ran.
struct Setting: Hashable {
    /// What ran at a given P.
    enum Variant: String {
        /// The graph as written (its merge reads the paths' KV in place).
        case attend
        /// The graph with the merge's source KV recomputed (`RunOptions.recomputeMergedKV`).
        case recompute = "reprefill"
        /// The `--compare-graph` graph.
        case other = "compare-graph"
    }

    var paths: Int
    var variant: Variant
}

/// One run's numbers.
struct GraphRunSample: Codable {
    /// Wall time of the whole run (prompt, paths, summary).
    var seconds: Double
    /// From the last path's end to the run's end: the merge and the summary.
    var summarySeconds: Double
    /// Tokens sampled by every thread.
    var sampled: Int
    /// Tokens each path sampled (all equal to the budget when budgets are fixed).
    var pathTokens: [Int]
    var forwards: Int
    /// Time inside the scheduler's forward passes (the rest is sampling, text and control).
    var forwardSeconds: Double
    var peakKVBytes: Int
}
