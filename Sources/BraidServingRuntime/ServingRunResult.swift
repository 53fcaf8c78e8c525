/// What a served run produced.
public struct ServingRunResult: Codable, Sendable {
    /// The final answer (the plan's answer rule), if any.
    public var answer: String?
    /// The main thread's text after its prompt.
    public var finalText: String
    /// Every thread that ran, in the order they started.
    public var threads: [ServedThread]
    /// Each vote's ranked answers and winner, by vote id.
    public var votes: [String: ServedVote]
    /// Every request, in the order they ended.
    public var requests: [RequestRecord]
    /// Wall time of the run in seconds.
    public var seconds: Double
    /// Generated tokens on the run's longest chain of dependencies (a thread starts from its parent's count; a
    /// merge, vote or join raises the thread that reads other threads to the longest of them), counted as the local
    /// executor's trace is (`CriticalPath` in BraidEval): the run's decoding latency in tokens.
    public var sequentialTokens: Int = 0
    /// What the run did differently from the plan's request pattern and why (a server that refused `n`).
    public var notes: [String] = []
}

/// One thread of a served run.
public struct ServedThread: Codable, Sendable {
    /// The plan's thread id.
    public var name: String
    /// The thread that started it.
    public var parent: String?
    /// `main`, `branch` or `child`.
    public var kind: String
    /// Why it stopped: `done`, `finish-policy` (its fork's finish rule stopped it), `max-rounds` or `depth-limit` (a
    /// spawn block it wrote past `max_rounds` or at `max_depth` ended its spawn step).
    public var stopReason: String
    /// Its segments and their text, in write order.
    public var segments: [ServedSegment]

    /// The thread's whole text.
    public var text: String { segments.map(\.text).joined() }
}

/// A segment's text in a served run.
public struct ServedSegment: Codable, Sendable {
    /// The plan's segment id.
    public var name: String
    /// Its text (a decoded segment's forced prefix included).
    public var text: String
}

/// A vote's outcome.
public struct ServedVote: Codable, Sendable {
    /// Each branch's extracted answer in branch order (nil: none).
    public var answers: [String?]
    /// The winning answer.
    public var winner: String?
    /// Votes of the winner.
    public var votes: Int
}
