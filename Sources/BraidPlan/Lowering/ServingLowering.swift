/// What a compiled plan becomes on a serving engine's OpenAI-style `/v1/completions` API (vLLM, SGLang,
/// llama.cpp's llama-server), which takes a flat prompt and decodes with an ordinary causal mask at positions
/// 0, 1, 2, …: no request field carries an attention mask, position ids or per-segment embeddings.
///
/// Every segment the model decodes becomes one request whose prompt is the text of the segments in its view,
/// in view order. Whatever of the plan such a request can't express is listed in `changes`, never silently
/// dropped; `requests` and `spawns` give the request pattern (how many, which run together, which share which
/// prefix through the server's prefix cache).
public struct ServingLowering: Codable, Equatable, Sendable {
    /// The graph's name.
    public var graph: String
    /// Every rule of the plan that a serving engine can't execute as written, in plan order (those of spawned
    /// children that run steps of their own included, their step scoped as `SPAWN child: STEP`).
    public var changes: [ServingChange]
    /// One request per decoded segment of the static plan, in write order.
    public var requests: [ServingRequest]
    /// The request pattern of each run-time spawn point.
    public var spawns: [ServingSpawn]

    /// True when nothing is lowered: the served run means what the plan means (text, not tokens, crosses
    /// the wire, so the server's tokenization of the prompt text still applies).
    public var isExact: Bool { changes.isEmpty }

    /// Creates a lowering report.
    public init(graph: String, changes: [ServingChange], requests: [ServingRequest], spawns: [ServingSpawn]) {
        self.graph = graph
        self.changes = changes
        self.requests = requests
        self.spawns = spawns
    }

    /// Throws `ServingLowering.NotExact` listing every change when the run would lower anything: what a
    /// backend run calls when the user asked for exactness.
    public func requireExact() throws {
        guard changes.isEmpty else { throw NotExact(graph: graph, changes: changes) }
    }

    /// A backend run refused because it would change the plan's meaning.
    public struct NotExact: Error, CustomStringConvertible, Sendable {
        /// The graph's name.
        public var graph: String
        /// What would change.
        public var changes: [ServingChange]

        /// One line per change.
        public var description: String {
            let lines = changes.map { "  - \($0.kind.rawValue) (\($0.step)): \($0.planSays) → \($0.servedAs)" }
            return "\(graph): exactness required, but a serving engine would lower \(changes.count) rule(s):\n"
                + lines.joined(separator: "\n")
        }
    }
}

/// One rule of the plan, as the plan says it and as a serving engine does it instead.
public struct ServingChange: Codable, Equatable, Sendable {
    /// What kind of rule is lowered.
    public var kind: ServingChangeKind
    /// The graph step the rule comes from.
    public var step: String
    /// The segments the change affects.
    public var segments: [SegmentName]
    /// The rule as the plan states it.
    public var planSays: String
    /// What the serving engine does instead.
    public var servedAs: String

    /// Creates a change.
    public init(kind: ServingChangeKind, step: String, segments: [SegmentName], planSays: String, servedAs: String) {
        self.kind = kind
        self.step = step
        self.segments = segments
        self.planSays = planSays
        self.servedAs = servedAs
    }
}

/// The kinds of rule a serving API can't express.
public enum ServingChangeKind: String, Codable, Sendable, CaseIterable {
    /// A merge that reads the branches' KV in place becomes a re-prefill of their text.
    case attendMerge = "attend-merge"
    /// Branches that share start positions are laid end to end in the request that reads them together.
    case sharedPositions = "shared-positions"
    /// A segment placed after the longest of its sources starts after all of them.
    case afterLongestPositions = "after-longest-positions"
    /// Slot offsets of a naively flattened fork are dropped: each request counts from its own prompt.
    case flatSlots = "flat-slots"
    /// ParaThinker's thought embeddings have no request field: they are dropped.
    case thoughtEmbeddings = "thought-embeddings"
    /// A segment re-read in a request sees other segments than its own view gave it.
    case perTokenMask = "per-token-mask"
}

/// One request of the static plan.
public struct ServingRequest: Codable, Equatable, Sendable {
    /// The decoded segment the request produces.
    public var segment: SegmentName
    /// The thread that writes it.
    public var thread: ThreadID
    /// The plan stage; requests of one stage are in flight together.
    public var stage: Int
    /// The segments whose text forms the prompt, in order (the segment's view without itself).
    public var context: [SegmentName]
    /// The longest leading part of `context` that an earlier request's prompt (and output) already covered,
    /// which the server's prefix cache can reuse.
    public var sharedPrefix: [SegmentName]
    /// The fork whose branch this is, if any (its siblings' requests run at the same time).
    public var fork: String?
    /// When the fork's branches are identical siblings (`Plan.identicalSiblings`): how many, all decoded by one
    /// request with `n` completions (this segment is one of its choices); nil otherwise.
    public var n: Int?

    /// Creates a request.
    public init(segment: SegmentName, thread: ThreadID, stage: Int, context: [SegmentName], sharedPrefix: [SegmentName],
                fork: String?, n: Int? = nil) {
        self.segment = segment
        self.thread = thread
        self.stage = stage
        self.context = context
        self.sharedPrefix = sharedPrefix
        self.fork = fork
        self.n = n
    }
}

/// The request pattern of one spawn point (APR's client loop), per round.
public struct ServingSpawn: Codable, Equatable, Sendable {
    /// The graph step id.
    public var id: String
    /// The spawning thread.
    public var parent: ThreadID
    /// The parent's request stops at this text, which ends a spawn block.
    public var stopAt: String
    /// Most child requests one round puts in flight together.
    public var maxChildren: Int
    /// Most rounds (each: parent request, children, join).
    public var maxRounds: Int
    /// Whether a child's prompt starts from the parent's text (`parent`) or fresh (`isolated`).
    public var childContext: BranchContext

    /// Creates a spawn pattern.
    public init(id: String, parent: ThreadID, stopAt: String, maxChildren: Int, maxRounds: Int, childContext: BranchContext) {
        self.id = id
        self.parent = parent
        self.stopAt = stopAt
        self.maxChildren = maxChildren
        self.maxRounds = maxRounds
        self.childContext = childContext
    }
}
