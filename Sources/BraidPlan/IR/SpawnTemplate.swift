import BraidGraph

/// A point where a thread may spawn children at run time (APR): the model's own text decides whether and
/// how many, so the plan holds a template that `Plan.instantiateSpawn` turns into segments.
///
/// One *round* of spawning: the parent's segment `trigger` (round 0) or `trigger#r` ends with a spawn block;
/// each extracted message becomes a child thread (`id#r.child[c]`) writing a `message` segment (its prompt)
/// and a generated segment; then the parent, its trigger segment truncated before the spawn block, prefills a
/// `join` segment (`id#r.join`) with the children's results and continues decoding in `trigger#(r+1)`,
/// which may spawn again.
public struct SpawnTemplate: Codable, Equatable, Sendable {
    /// The spawn's id: the graph step id scoped by its thread (`search`, `think[0]/search`,
    /// `search#0.child[1]/search` for a child's own spawn).
    public var id: String
    /// The graph step id (unscoped); a child's own spawn template is `Naming.scoped(step, thread: child)`.
    public var step: String
    /// The thread that spawns.
    public var parent: ThreadID
    /// Round 0's parent segment, whose text may end in a spawn block.
    public var trigger: SegmentName
    /// The text that ends a spawn block (an extra stop string of the trigger segment).
    public var triggerText: Template
    /// The text that opens a spawn block (`nil`: the block starts at the first message).
    public var opener: Template?
    /// The pattern extracting the child messages from the parent's text (one match per child).
    public var messagePattern: Pattern
    /// Extra patterns searched in the parent's visible text for child variables.
    public var lookups: [SpawnLookup]
    /// Extracts a child's returned text (`nil`: its whole text).
    public var resultPattern: Pattern?
    /// Which match of `resultPattern` counts.
    public var resultOccurrence: Occurrence
    /// Template of a child's prompt (may use the message's captures and the parent's text).
    public var childPrompt: Template
    /// What a child sees of its parent.
    public var context: BranchContext
    /// A child's generation (after its prompt).
    public var child: Decoding
    /// When children run steps of their own: their plan, whose root thread starts with the prompt segment
    /// `message` (then `output` if the child decodes before its steps). `nil`: prompt and `child` only.
    public var childPlan: Plan?
    /// Most children one round may spawn.
    public var maxChildren: Int
    /// The nesting depth of the spawning thread: 0 for the root's threads (and their branches), 1 for a child
    /// of theirs, and so on.
    public var depth: Int
    /// The graph's `max_depth`: a thread at depth `maxDepth` or deeper writes no spawn round (a spawn block stops
    /// it). Children of a round get templates of their own one level deeper (see `Plan.instantiateSpawn`).
    public var maxDepth: Int
    /// Most rounds the parent may spawn (each followed by a join); bounds the parent's total length.
    public var maxRounds: Int
    /// How the join block is written from the children's results (`each` for a child that returned one,
    /// `failed` for one that found nothing); `sources` is empty here and filled per round.
    public var join: Splice

    /// Creates a spawn template.
    public init(id: String, step: String? = nil, parent: ThreadID, trigger: SegmentName = "", triggerText: Template,
                opener: Template? = nil, messagePattern: Pattern, lookups: [SpawnLookup] = [], resultPattern: Pattern? = nil,
                resultOccurrence: Occurrence = .last,
                childPrompt: Template, context: BranchContext, child: Decoding, childPlan: Plan? = nil,
                maxChildren: Int, depth: Int = 0, maxDepth: Int = 1, maxRounds: Int, join: Splice) {
        self.id = id
        self.step = step ?? id
        self.parent = parent
        self.trigger = trigger
        self.triggerText = triggerText
        self.opener = opener
        self.messagePattern = messagePattern
        self.lookups = lookups
        self.resultPattern = resultPattern
        self.resultOccurrence = resultOccurrence
        self.childPrompt = childPrompt
        self.context = context
        self.child = child
        self.childPlan = childPlan
        self.maxChildren = maxChildren
        self.depth = depth
        self.maxDepth = maxDepth
        self.maxRounds = maxRounds
        self.join = join
    }

    /// Whether the spawning thread may still spawn (its depth is under `maxDepth`).
    public var maySpawn: Bool { depth < maxDepth }

    /// Levels of spawning left below the spawning thread (0: a spawn block stops it).
    public var levelsLeft: Int { max(0, maxDepth - depth) }

    /// The parent's segment that may spawn in round `round`.
    public func trigger(round: Int) -> SegmentName {
        Naming.spawnTrigger(trigger, round: round)
    }

    /// The thread id of child `child` of round `round` (children are numbered in the order they start; a message
    /// whose required lookup failed starts none and takes no number).
    public func childThread(round: Int, child: Int) -> ThreadID {
        Naming.spawnChild(id, round: round, child: child)
    }

    /// The join segment of round `round`.
    public func joinSegment(round: Int) -> SegmentName {
        Naming.spawnJoin(id, round: round)
    }
}

/// A pattern searched in a spawning parent's visible text, with a message's captures substituted, for a child's
/// variables (APR's "Generated Node" line).
public struct SpawnLookup: Codable, Equatable, Sendable {
    /// The pattern (`{capture}` variables are substituted, escaped, when it is used).
    public var pattern: Pattern
    /// Which match counts.
    public var occurrence: Occurrence
    /// When true, a message whose lookup finds nothing starts no child (it is joined as failed and takes no
    /// child number); when false its captures are empty.
    public var required: Bool

    /// Creates a lookup.
    public init(pattern: Pattern, occurrence: Occurrence = .last, required: Bool = false) {
        self.pattern = pattern
        self.occurrence = occurrence
        self.required = required
    }
}

/// The segments one instantiated round of a spawn added to a plan.
public struct SpawnInstance: Equatable, Sendable {
    /// The child threads, in order.
    public var children: [ThreadID]
    /// Each child's prompt segment.
    public var messages: [SegmentName]
    /// Each child's generated segment.
    public var outputs: [SegmentName]
    /// The parent's join segment.
    public var join: SegmentName
    /// The parent's continuation, the next round's trigger.
    public var continuation: SegmentName
}
