import ArgumentParser
import BraidCountdown
import BraidEval
import BraidGraph
import BraidPlan
import BraidRuntime
import BraidServingRuntime
import BraidTransformer
import Foundation

/// `braid eval`: run graphs over a task's problems and report accuracy, latency, tokens and KV.
struct EvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Evaluate graphs on a task: accuracy (95% Wilson interval), wall time, tokens, peak KV.",
        discussion: """
        Runs each graph on each problem (--batch N problems at a time, every live thread of every run in \
        one forward pass per step; each run's result and trace are what it gives alone), checks the answers exactly with the task's checker and prints one table row per graph and \
        setting. With --compare (several graphs) or --plot, also writes an SVG of accuracy against wall \
        time and against tokens.

        Examples:
          braid countdown generate --numbers 4 --count 20 --seed 1 > problems.jsonl
          braid eval Graphs/parathinker.yaml --task countdown --problems problems.jsonl --set paths=2
          braid eval Graphs/parathinker.yaml --problems problems.jsonl --set paths=2 --batch 8
          braid eval --compare Graphs/sequential.yaml Graphs/parathinker.yaml --problems problems.jsonl \\
            --n 20 --sweep path_tokens=32,64 --out results.jsonl --plot compare.svg
          braid eval Graphs/sequential.yaml --problems problems.jsonl --backend http://127.0.0.1:8080

        With --backend URL every run goes to an OpenAI-style /v1/completions server instead (as braid run \
        --backend does; each graph's lowering is printed first, --require-exact refuses a lowered graph). \
        Up to --concurrency problems then run at once, all their requests together at most --concurrency in \
        flight. Records of served runs count tokens the server generated; --traces gets each problem's request \
        trace (one JSON object per request), named as a local run's trace.

        Exit codes: 0 success, 1 invalid input (graph, problems, model file), 2 usage, 3 run failure.
        """)

    @Argument(help: "The graph file(s) (YAML). More than one needs --compare.")
    var graphs: [String] = []

    @Flag(help: "Evaluate several graphs and print them side by side (writes a plot, default eval-compare.svg).")
    var compare = false

    @Option(help: "The task (known: \(EvalTasks.all.map(\.name).joined(separator: ", "))).")
    var task = "countdown"

    @Option(help: "Problems file (JSONL, e.g. from `braid countdown generate`); without it, --n problems are generated.")
    var problems: String?

    @Option(help: "Evaluate the first N problems.")
    var n = 200

    @Option(name: .customLong("problem-seed"), help: "Seed for generated problems (when --problems is not given).")
    var problemSeed: UInt64 = 1

    @Option(help: "A GGUF model file or Hugging Face model folder (default: the cached SmolLM2-135M-Instruct).")
    var model: String?

    @Option(name: .customLong("set"), help: ArgumentHelp("Override a param of every graph: name=value. Repeatable.", valueName: "name=value"))
    var assignments: [String] = []

    @Option(help: ArgumentHelp("Run each graph at each value of a param (a budget): name=v1,v2,… Repeatable (all combinations).", valueName: "name=v1,v2"))
    var sweep: [String] = []

    @Option(help: "Problems run together: every live thread of every run shares one forward pass per step (1: one after another).")
    var batch = 1

    @Option(help: "Run seed (the same for every problem).")
    var seed: UInt64 = 0

    @Option(help: "Override every segment's sampling temperature (0 = greedy).")
    var temperature: Double?

    @Flag(help: "Print one JSON object (summaries) instead of the table.")
    var json = false

    @Option(help: "Write every run (problem, answer, correct, time, tokens, trace id) to this JSONL file.")
    var out: String?

    @Option(help: "Write each run's trace to this directory, named by its trace id.")
    var traces: String?

    @Option(help: "Write the accuracy plot (SVG) to this file.")
    var plot: String?

    @Option(name: .customLong("from"), help: "Summarize a results file written by --out instead of running (table, --plot, --json).")
    var from: String?

    @Option(name: .customLong("memory-limit"), help: "Most KV-cache memory one run may hold, e.g. 512MB.")
    var memoryLimit: String?

    @Option(help: "Threads that compute each forward step (the caller plus a pool of workers; default: one per core).")
    var threads: Int?

    @Option(help: ActivationPrecision.help)
    var activations: ActivationPrecision = .f32

    @Option(name: .customLong("kv-type"), help: KVPrecision.help)
    var kvType: KVPrecision = .f32

    @Flag(name: .shortAndLong, help: "No progress lines.")
    var quiet = false

    @OptionGroup var backendOptions: BackendOptions

    func validate() throws {
        if let threads, threads < 1 { throw ValidationError("--threads must be ≥ 1") }
        if activations != .f32, backendOptions.backend != nil {
            throw ValidationError("--activations applies to Braid's own transformer, not to a --backend server")
        }
        if kvType != .f32, backendOptions.backend != nil {
            throw ValidationError("--kv-type applies to Braid's own transformer, not to a --backend server")
        }
        if from != nil {
            if !graphs.isEmpty { throw ValidationError("--from summarizes a results file; give no graphs with it") }
            return
        }
        if graphs.isEmpty { throw ValidationError("give a graph file (or several with --compare), or --from results.jsonl") }
        if graphs.count > 1 && !compare { throw ValidationError("several graphs need --compare") }
        if n < 1 { throw ValidationError("--n must be at least 1") }
        if batch < 1 { throw ValidationError("--batch must be at least 1") }
        if backendOptions.backend != nil, batch > 1 { throw ValidationError("--batch is for Braid's runtime; with --backend use --concurrency") }
    }

    func run() throws {
        if let from { return try summarize(from) }
        let evalTask: AnyEvalTask
        do { evalTask = try EvalTasks.named(task) } catch { throw CLIFailure(.usage, "error: \(error)") }
        let problemList = try loadProblems(evalTask)
        let configurations = try loadConfigurations()
        let evaluator = try backendOptions.backend.map { try backendEvaluator($0, task: evalTask, configurations: configurations) }
            ?? sessionEvaluator(task: evalTask, configurations: configurations)
        let results: EvalResultsFile
        do { results = try EvalResultsFile(path: out) } catch { throw CLIFailure(.invalidInput, "error: \(error)") }
        let source = problems ?? "generated (seed \(problemSeed))"
        log("eval: task \(evalTask.name), \(problemList.count) problems from \(source), \(configurations.count) configuration(s); "
            + (backendOptions.backend != nil ? "on the server, up to \(backendOptions.concurrency) problems at a time, at most \(backendOptions.concurrency) requests in flight"
               : batch == 1 ? "problems run one after another (each run batches its own threads in one forward pass per step)"
               : "\(batch) problems at a time, every live thread of every run in one forward pass per step"))
        var summaries: [EvalSummary] = []
        var throughputs: [EvalThroughput] = []
        for configuration in configurations {
            let records: [EvalRecord]
            let started = Date()
            do {
                records = try evaluator.evaluate(configuration, problems: problemList) { index, record in
                    results.append(record)
                    log(String(format: "[%@ %d/%d] %@ %@ %.2f s, %d tokens (%d sequential)%@",
                               configuration.label, index + 1, problemList.count, record.problem,
                               record.correct ? "correct" : "wrong", record.seconds, record.sampledTokens,
                               record.sequentialTokens, record.error.map { " — \($0)" } ?? " — answer: \(record.answer ?? "none")"))
                }
            } catch let error as EvalError {
                throw CLIFailure(.invalidInput, "error: \(error)")
            } catch let failure as RunFailure {
                throw CLIFailure(.invalidInput, "error: \(configuration.label): \(failure)")
            } catch let error as RunError {
                throw CLIFailure(error.isInputError ? .invalidInput : .runFailure, "error: \(configuration.label): \(error)")
            }
            let throughput = EvalThroughput(config: configuration.label, problems: records.count, batch: evaluator.batch,
                                            seconds: Date().timeIntervalSince(started))
            log(throughput.line)
            throughputs.append(throughput)
            summaries.append(EvalSummary(config: configuration.label, graph: configuration.graph.name,
                                         setting: configuration.setting, records: records))
        }
        results.close()
        if let error = results.error { throw CLIFailure(.runFailure, "error: writing \(out ?? ""): \(error)") }
        try report(summaries, task: evalTask.name, problems: problemList.count, source: source, seed: seed,
                   throughput: throughputs)
    }

    /// Prints the table (or JSON) and writes the plot.
    private func report(_ summaries: [EvalSummary], task: String, problems: Int, source: String, seed: UInt64,
                        throughput: [EvalThroughput] = []) throws {
        let plotPath = plot ?? (compare ? "eval-compare.svg" : nil)
        if let plotPath {
            let title = "\(task): \(problems) problems, seed \(seed)"
            do {
                try EvalPlot.render(summaries, title: title).write(toFile: plotPath, atomically: true, encoding: .utf8)
            } catch {
                throw CLIFailure(.runFailure, "error: cannot write \(plotPath): \(error.localizedDescription)")
            }
        }
        if json {
            let report = EvalReport(task: task, problems: problems, source: source, seed: seed,
                                    scheduling: backendOptions.backend != nil
                                        ? "served: up to \(backendOptions.concurrency) problems at once, at most \(backendOptions.concurrency) requests in flight"
                                        : batch == 1 ? "sequential across problems; batched within a run"
                                        : "\(batch) problems at a time, all their threads in one forward pass per step",
                                    summaries: summaries, throughput: throughput.isEmpty ? nil : throughput,
                                    plot: plotPath, results: out)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(report), as: UTF8.self))
        } else {
            print(EvalTable.render(summaries))
            for row in throughput { print(row.line) }
            if let plotPath { print("plot: \(plotPath)") }
            if let out { print("runs: \(out)") }
        }
    }

    /// `--from FILE`: the table and plot of recorded runs, without running anything.
    private func summarize(_ path: String) throws {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw CLIFailure(.invalidInput, "error: cannot read results file '\(path)'")
        }
        let records: [EvalRecord]
        do { records = try EvalResultsFile.parse(text, file: path) } catch { throw CLIFailure(.invalidInput, "error: \(error)") }
        guard let first = records.first else { throw CLIFailure(.invalidInput, "error: \(path): no runs") }
        let summaries = EvalSummary.grouped(records)
        try report(summaries, task: first.task, problems: summaries.map(\.n).max() ?? 0, source: path, seed: first.seed)
    }

    private func loadProblems(_ evalTask: AnyEvalTask) throws -> [EvalProblem] {
        do {
            guard let problems else { return try evalTask.generateProblems(count: n, seed: problemSeed) }
            guard let text = try? String(contentsOfFile: problems, encoding: .utf8) else {
                throw CLIFailure(.invalidInput, "error: cannot read problems file '\(problems)'")
            }
            let all = try evalTask.loadProblems(jsonl: text, source: problems)
            guard !all.isEmpty else { throw CLIFailure(.invalidInput, "error: \(problems): no problems") }
            return Array(all.prefix(n))
        } catch let failure as CLIFailure {
            throw failure
        } catch {
            throw CLIFailure(.invalidInput, "error: \(error)")
        }
    }

    /// Every graph at every swept setting, with the --set overrides.
    private func loadConfigurations() throws -> [EvalConfiguration] {
        let overrides: [String: String]
        let sweeps: EvalSweep
        do {
            overrides = try OverrideSyntax.parse(assignments)
            sweeps = try EvalSweep(sweep)
        } catch {
            throw CLIFailure(.usage, "error: \(error)")
        }
        do {
            return try sweeps.configurations(graphs: graphs, overrides: overrides)
        } catch let error as GraphError {
            throw CLIFailure(.invalidInput, error.description)
        } catch {
            throw CLIFailure(.invalidInput, "error: \(error)")
        }
    }

    /// Runs on Braid's runtime: the model loaded once, `--batch` problems together.
    private func sessionEvaluator(task: AnyEvalTask, configurations: [EvalConfiguration]) throws -> Evaluator {
        let session = try loadSession(configurations.map(\.graph))
        return Evaluator(task: task.name, seed: seed, temperature: temperature, traceDirectory: traces,
                         batch: batch) { requests, width, observer, done in
            try session.runMany(requests, width: width, observer: observer, done: done)
        }
    }

    /// Runs on the server at `url`: each graph's lowering printed (and refused under exactness) first, then up to
    /// `--concurrency` problems at once through `ServingExecutor`, all their requests under one limit of
    /// `--concurrency` in flight; each problem's request trace goes to `--traces`, named as a local run's trace.
    /// A failed served run is recorded as wrong with its error.
    private func backendEvaluator(_ url: String, task: AnyEvalTask, configurations: [EvalConfiguration]) throws -> Evaluator {
        var plans: [Graph: Plan] = [:]
        for configuration in configurations {
            plans[configuration.graph] = try BackendRun.lower(configuration.graph, requireExact: backendOptions.requireExact, quiet: quiet)
        }
        let renderer = try BackendRun.renderer(model: model)
        let concurrency = backendOptions.concurrency
        return Evaluator(task: task.name, seed: seed, temperature: temperature, traceDirectory: traces,
                         width: concurrency) { requests, tracePaths, width, done in
            let runs = try requests.map { request -> BackendEval.Run in
                guard let plan = plans[request.graph] else {
                    throw RunError.badInput("graph '\(request.graph.name)' was not lowered before the run")
                }
                let options = request.options
                return BackendEval.Run(plan: plan, options: backendOptions.serving(
                    inputs: try BackendRun.inputs(options.inputs, plan: plan), seed: options.seed, temperature: options.temperature))
            }
            try BackendEval.runMany(runs, traces: tracePaths, url: url, width: width, concurrency: concurrency,
                                    renderer: renderer) { index, outcome in
                switch outcome {
                case .success(let served): try done(index, .success(BackendRun.runResult(served)))
                case .failure(let failure as CLIFailure) where failure.code == .invalidInput: throw failure
                case .failure(let error): try done(index, .failure(RunError.model(thread: nil, reason: "\(error)")))
                }
            }
        }
    }

    /// The model, loaded once for every run, after the quick bounds check of every graph.
    private func loadSession(_ graphs: [Graph]) throws -> BraidSession {
        let url = try resolveModelPath(model)
        let limit = try SessionLoading.memoryLimit(memoryLimit)
        try SessionLoading.quickCheck(graphs, model: url, memoryLimit: limit, kvType: kvType)
        return try SessionLoading.session(at: url, memoryLimit: limit, threads: threads, activations: activations, kvType: kvType)
    }

    private func log(_ line: String) {
        guard !quiet else { return }
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}

/// What `braid eval --json` prints.
struct EvalReport: Encodable {
    var task: String
    var problems: Int
    var source: String
    var seed: UInt64
    var scheduling: String
    var summaries: [EvalSummary]
    var throughput: [EvalThroughput]?
    var plot: String?
    var results: String?
}

/// How fast one configuration went through its problems: wall time of the whole configuration.
struct EvalThroughput: Encodable {
    var config: String
    var problems: Int
    var batch: Int
    var seconds: Double
    var problemsPerSecond: Double { seconds > 0 ? Double(problems) / seconds : 0 }

    /// `throughput: LABEL: 32 problems in 41.2 s = 0.78 problems/s (batch 8)`.
    var line: String {
        String(format: "throughput: %@: %d problems in %.1f s = %.3f problems/s (batch %d)",
               config, problems, seconds, problemsPerSecond, batch)
    }

    enum CodingKeys: String, CodingKey { case config, problems, batch, seconds, problemsPerSecond }

    func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(config, forKey: .config)
        try c.encode(problems, forKey: .problems)
        try c.encode(batch, forKey: .batch)
        try c.encode(seconds, forKey: .seconds)
        try c.encode(problemsPerSecond, forKey: .problemsPerSecond)
    }
}
