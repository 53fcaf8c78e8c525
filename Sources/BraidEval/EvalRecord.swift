/// One run of one configuration on one problem: a line of `braid eval --out results.jsonl`.
public struct EvalRecord: Sendable, Codable, Equatable {
    /// The configuration's label (graph name plus any swept setting, e.g. `parathinker path_tokens=64`).
    public var config: String
    /// The graph's name.
    public var graph: String
    /// The task's name.
    public var task: String
    /// The problem's id.
    public var problem: String
    /// Whether the checked answer is correct.
    public var correct: Bool
    /// The answer the task's checker found (nil: none).
    public var answer: String?
    /// Why it is wrong, as the checker says (nil when correct).
    public var reason: String?
    /// What was checked: `answer` (the graph's `answer:` rule matched) or `text` (the main thread's final text).
    public var checked: String
    /// Wall time of the run in seconds.
    public var seconds: Double
    /// Tokens sampled by all threads.
    public var sampledTokens: Int
    /// Tokens written (sampled and forced: prompts, prefixes, joins).
    public var writtenTokens: Int
    /// Sampled tokens on the critical path (see ``CriticalPath``).
    public var sequentialTokens: Int
    /// The most KV bytes in use at once.
    public var peakKVBytes: Int
    /// Scheduler steps.
    public var steps: Int
    /// The seed the run used.
    public var seed: UInt64
    /// Identifies the run's trace: `CONFIG/PROBLEM/sSEED`, and the trace file's name (`/` → `__`, `.jsonl`)
    /// when traces are written (`--traces DIR`).
    public var traceID: String
    /// Set when the run failed (a context overflow, a memory limit); the run counts as wrong.
    public var error: String?

    /// Creates a record.
    public init(config: String, graph: String, task: String, problem: String, correct: Bool, answer: String?,
                reason: String?, checked: String, seconds: Double, sampledTokens: Int, writtenTokens: Int,
                sequentialTokens: Int, peakKVBytes: Int, steps: Int, seed: UInt64, traceID: String, error: String? = nil) {
        self.config = config
        self.graph = graph
        self.task = task
        self.problem = problem
        self.correct = correct
        self.answer = answer
        self.reason = reason
        self.checked = checked
        self.seconds = seconds
        self.sampledTokens = sampledTokens
        self.writtenTokens = writtenTokens
        self.sequentialTokens = sequentialTokens
        self.peakKVBytes = peakKVBytes
        self.steps = steps
        self.seed = seed
        self.traceID = traceID
        self.error = error
    }

    /// The file name a trace with this id is written to: path separators and other unsafe characters become `_`.
    public static func traceFileName(_ traceID: String) -> String {
        let safe = traceID.replacingOccurrences(of: "/", with: "__").map { c -> Character in
            c.isLetter || c.isNumber || "-_.=,".contains(c) ? c : "_"
        }
        return String(safe) + ".jsonl"
    }
}

/// One configuration's results over all problems: a row of the eval table and a point of the plots.
public struct EvalSummary: Sendable, Codable, Equatable {
    /// The configuration's label.
    public var config: String
    /// The graph's name.
    public var graph: String
    /// The swept setting (`path_tokens=64`), empty when none: the points of one graph are joined in plots.
    public var setting: String
    /// Problems run.
    public var n: Int
    /// Problems answered correctly.
    public var correct: Int
    /// correct / n (0 when n is 0).
    public var accuracy: Double
    /// 95% Wilson interval of the accuracy.
    public var interval: ProportionInterval
    /// Mean wall time per problem in seconds.
    public var meanSeconds: Double
    /// 90th percentile (nearest rank) of the wall time in seconds.
    public var p90Seconds: Double
    /// Mean sampled tokens per problem.
    public var meanTokens: Double
    /// Mean critical-path sampled tokens per problem.
    public var meanSequentialTokens: Double
    /// The most KV bytes any run held at once.
    public var peakKVBytes: Int
    /// Runs that failed (counted as wrong).
    public var failed: Int

    /// Summarizes `records` (all of one configuration).
    public init(config: String, graph: String, setting: String, records: [EvalRecord]) {
        self.config = config
        self.graph = graph
        self.setting = setting
        n = records.count
        correct = records.filter(\.correct).count
        accuracy = n == 0 ? 0 : Double(correct) / Double(n)
        interval = EvalStatistics.wilson(successes: correct, trials: n)
        let seconds = records.map(\.seconds)
        meanSeconds = EvalStatistics.mean(seconds) ?? 0
        p90Seconds = EvalStatistics.percentile(seconds, 90) ?? 0
        meanTokens = EvalStatistics.mean(records.map { Double($0.sampledTokens) }) ?? 0
        meanSequentialTokens = EvalStatistics.mean(records.map { Double($0.sequentialTokens) }) ?? 0
        peakKVBytes = records.map(\.peakKVBytes).max() ?? 0
        failed = records.filter { $0.error != nil }.count
    }
}

extension EvalSummary {
    /// One summary per configuration in `records`, in order of first appearance (for re-reading a results file).
    public static func grouped(_ records: [EvalRecord]) -> [EvalSummary] {
        var order: [String] = []
        var byConfig: [String: [EvalRecord]] = [:]
        for record in records {
            if byConfig[record.config] == nil { order.append(record.config) }
            byConfig[record.config, default: []].append(record)
        }
        return order.map { config in
            let runs = byConfig[config] ?? []
            let graph = runs.first?.graph ?? config
            let setting = config.hasPrefix(graph + " ") ? String(config.dropFirst(graph.count + 1)) : ""
            return EvalSummary(config: config, graph: graph, setting: setting, records: runs)
        }
    }
}
