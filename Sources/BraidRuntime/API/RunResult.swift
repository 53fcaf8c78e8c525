/// What a run produced.
public struct RunResult: Sendable, Codable {
    /// The final answer the graph's `answer:` rule extracted; nil when it matched nothing.
    public var answer: String?
    /// The main thread's text after the prompt (the final context).
    public var finalText: String
    /// Every thread, in the order they started.
    public var threads: [ThreadResult]
    /// The main thread's step outputs by step id (a vote's winner, a segment's text).
    public var outputs: [String: String]
    /// Votes by step id.
    public var votes: [String: VoteOutcome]
    /// Counters and timings.
    public var stats: RunStats

    /// Creates a result (the engine's, or another executor's: `braid eval --backend` records served runs so).
    public init(answer: String?, finalText: String, threads: [ThreadResult], outputs: [String: String],
                votes: [String: VoteOutcome], stats: RunStats) {
        self.answer = answer
        self.finalText = finalText
        self.threads = threads
        self.outputs = outputs
        self.votes = votes
        self.stats = stats
    }
}

/// One thread's outcome.
public struct ThreadResult: Sendable, Codable, Equatable {
    /// Its name (`main`, `think[0]`, `search#0.child[1]`).
    public var name: String
    /// The thread that started it.
    public var parent: String?
    /// `main`, `branch` or `child`.
    public var kind: String
    /// Everything it wrote (prompt and forced text included).
    public var text: String
    /// Tokens it sampled.
    public var sampled: Int
    /// Why it stopped (`done`, `finish-policy`, …).
    public var stopReason: String
    /// How its last decoding ended (`eos`, `stop-string`, `budget`, …), if it decoded.
    public var lastDecode: String?
    /// The token ids it wrote, per segment, in order.
    public var segments: [SegmentResult]
}

/// One segment a thread wrote.
public struct SegmentResult: Sendable, Codable, Equatable {
    /// The segment's name.
    public var name: String
    /// Position of its first token.
    public var start: Int
    /// Its tokens.
    public var tokens: [Int32]
    /// Its text.
    public var text: String
}

/// Counters and timings of a run.
public struct RunStats: Sendable, Codable, Equatable {
    /// Scheduler steps (rounds of forward passes).
    public var steps: Int
    /// Forward passes.
    public var forwards: Int
    /// Tokens sampled.
    public var sampled: Int
    /// Tokens written (sampled and forced).
    public var written: Int
    /// Wall time of the run in seconds.
    public var seconds: Double
    /// Time spent in forward passes in seconds.
    public var forwardSeconds: Double
    /// The most KV bytes in use at once.
    public var peakKVBytes: Int
    /// Sampled tokens on the run's longest chain of dependencies, when the executor counted them itself (a served
    /// run, which has no trace events to count them from); nil for a local run, whose trace gives them.
    public var sequentialTokens: Int?

    /// Creates counters.
    public init(steps: Int, forwards: Int, sampled: Int, written: Int, seconds: Double, forwardSeconds: Double,
                peakKVBytes: Int, sequentialTokens: Int? = nil) {
        self.sequentialTokens = sequentialTokens
        self.steps = steps
        self.forwards = forwards
        self.sampled = sampled
        self.written = written
        self.seconds = seconds
        self.forwardSeconds = forwardSeconds
        self.peakKVBytes = peakKVBytes
    }
}
