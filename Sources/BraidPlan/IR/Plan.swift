import BraidGraph

/// A compiled reasoning graph: every segment that will be written, who writes it, where it sits, what it
/// attends to, and when its KV is released.
///
/// Static parts are concrete segments. Parts decided at run time (spawned children, a parent's rounds of
/// spawning) are `SpawnTemplate`s, which `Plan.instantiateSpawn` turns into concrete segments. Token counts
/// are never part of the plan: they are symbolic (`len(think[0])`) and bounded by budgets; `MaskExpansion`
/// and the runtime supply them.
///
/// `segments` is in *write order*: a segment's view only names segments before it, so laying tokens out in
/// this order gives a causal mask.
public struct Plan: Codable, Equatable, Sendable {
    /// The version of the JSON form this value encodes (see Docs/plan.md).
    public static let formatVersion = 3

    /// The JSON form's version (`Plan.formatVersion` when built by this library).
    public var version: Int
    /// The graph's name (its file's base name).
    public var graph: String
    /// The graph's params after `--set` overrides, as text.
    public var params: [String: String]
    /// The names of the graph's run-time inputs (`{question}`), which templates may still contain.
    public var inputs: [String]
    /// The inputs' default values (an input without one must be given for every run).
    public var inputDefaults: [String: String]
    /// The threads, root first.
    public var threads: [PlanThread]
    /// The segments, in write order.
    public var segments: [Segment]
    /// The stages, in execution order; each names segments written side by side.
    public var stages: [Stage]
    /// The forks.
    public var forks: [ForkPlan]
    /// The merges.
    public var merges: [MergePlan]
    /// Run-time spawn points, instantiated by the runtime.
    public var spawns: [SpawnTemplate]
    /// Majority votes over forks' answers.
    public var votes: [VotePlan]
    /// How the final answer is taken from the final text, if the graph says.
    public var answer: AnswerRule?

    /// Creates an empty plan for a graph.
    public init(graph: String, params: [String: String] = [:]) {
        self.version = Plan.formatVersion
        self.graph = graph
        self.params = params
        self.inputs = []
        self.inputDefaults = [:]
        self.threads = []
        self.segments = []
        self.stages = []
        self.forks = []
        self.merges = []
        self.spawns = []
        self.votes = []
        self.answer = nil
    }

    /// The segment with this id, if any (a scan: for many lookups, build `segmentIndex` once).
    public func segment(_ id: SegmentName) -> Segment? {
        segments.first { $0.id == id }
    }

    /// Maps each segment id to its index in `segments`.
    public var segmentIndex: [SegmentName: Int] {
        var index: [SegmentName: Int] = [:]
        for (i, segment) in segments.enumerated() { index[segment.id] = i }
        return index
    }

    /// The thread with this id, if any.
    public func thread(_ id: ThreadID) -> PlanThread? {
        threads.first { $0.id == id }
    }

    /// The fork with this step id, if any.
    public func fork(_ id: String) -> ForkPlan? {
        forks.first { $0.id == id }
    }

    /// The fork whose branch segments include `segment`, if any.
    public func fork(containing segment: SegmentName) -> ForkPlan? {
        forks.first { $0.segments.contains(segment) }
    }
}

/// A majority vote over the answers a fork's branches produced.
public struct VotePlan: Codable, Equatable, Sendable {
    /// The vote's id: the graph step id scoped by its thread (`vote`, `think[0]/vote`).
    public var id: String
    /// The graph step id (unscoped; what the trace and `RunResult.votes` name).
    public var step: String
    /// The thread that votes (its program's `vote` step).
    public var thread: ThreadID
    /// The fork voted over.
    public var fork: String
    /// The branch segments whose text is read (text only; no KV is read).
    public var sources: [SegmentName]
    /// The pattern that extracts an answer from a branch's text (named group `answer`, else group 1, else the
    /// whole match).
    public var pattern: Pattern
    /// Which match in a branch's text counts.
    public var occurrence: Occurrence
    /// How ties are broken.
    public var tie: TieRule
    /// The segment of forced text written after the vote (`{answer}` = the winner, `{votes}` = its votes), if any.
    public var text: SegmentName?

    /// Creates a vote.
    public init(id: String, step: String? = nil, thread: ThreadID = Naming.mainThread, fork: String,
                sources: [SegmentName], pattern: Pattern, occurrence: Occurrence = .last, tie: TieRule = .firstBranch,
                text: SegmentName? = nil) {
        self.id = id
        self.step = step ?? id
        self.thread = thread
        self.text = text
        self.fork = fork
        self.sources = sources
        self.pattern = pattern
        self.occurrence = occurrence
        self.tie = tie
    }
}

/// How the final answer is extracted.
public struct AnswerRule: Codable, Equatable, Sendable {
    /// The pattern applied to the answer's text (named group `answer`, else group 1, else the match); `nil`: the
    /// text itself, trimmed of surrounding whitespace.
    public var pattern: Pattern?
    /// The step whose output is the answer's text (a vote's winner, or the text of that step's segments); `nil`:
    /// the main thread's text after the prompt.
    public var from: String?
    /// Which match counts.
    public var occurrence: Occurrence

    /// Creates an answer rule.
    public init(pattern: Pattern?, from: String? = nil, occurrence: Occurrence = .last) {
        self.pattern = pattern
        self.from = from
        self.occurrence = occurrence
    }
}
