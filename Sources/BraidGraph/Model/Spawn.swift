/// Decoding in which the model itself decides to spawn child threads (`spawn:`), as in APR.
///
/// The parent decodes with `generation`, stopping at `trigger`. If the text then holds matches of
/// `message`, each match starts one child (up to `maxChildren`): its captures, plus those of every
/// `lookups` pattern searched in the parent's text, fill the child's prompt. Children run (in parallel),
/// each returning what `child.result` extracts from its text, or nothing. The spawn block (from `opener`,
/// or the first message, through the trigger) is removed from the parent and `join` is spliced in its
/// place; the parent then decodes again. This repeats up to `maxRounds` times. Children may spawn in turn
/// with the same protocol until `maxDepth`.
public struct Spawn: Sendable, Hashable {
    /// The parent's decoding between spawns (the trigger is an implicit stop string).
    public var generation: Generation
    /// The text that ends a spawn block and hands control to the children.
    public var trigger: Template
    /// The text that opens a spawn block; nil: the block starts at the first message.
    public var opener: Template?
    /// One match per child message; named captures become child variables.
    public var message: Pattern
    /// Extra patterns searched in the parent's text (after the message's captures are substituted).
    public var lookups: [Lookup]
    /// How each child runs.
    public var child: SpawnChild
    /// The text that replaces the spawn block once the children return.
    public var join: Join
    /// The most children one spawn block may start (further messages are ignored).
    public var maxChildren: Int
    /// The deepest nesting: 1 means children of the root never spawn (APR's released code).
    public var maxDepth: Int
    /// How many spawn blocks one thread may issue, one after another.
    public var maxRounds: Int

    /// Creates a spawn step.
    public init(generation: Generation, trigger: Template, opener: Template? = nil, message: Pattern,
                lookups: [Lookup] = [], child: SpawnChild, join: Join, maxChildren: Int = 8,
                maxDepth: Int = 1, maxRounds: Int = 8) {
        self.generation = generation
        self.trigger = trigger
        self.opener = opener
        self.message = message
        self.lookups = lookups
        self.child = child
        self.join = join
        self.maxChildren = maxChildren
        self.maxDepth = maxDepth
        self.maxRounds = maxRounds
    }
}

/// A pattern searched in the spawning thread's text to gather more child variables.
public struct Lookup: Sendable, Hashable {
    /// The regex; `{capture}` variables from the message are substituted (escaped) first.
    public var pattern: Pattern
    /// Which match counts.
    public var occurrence: Occurrence
    /// When true, a message whose lookup finds nothing starts no child; when false its captures are empty.
    public var required: Bool

    /// Creates a lookup.
    public init(pattern: Pattern, occurrence: Occurrence = .last, required: Bool = false) {
        self.pattern = pattern
        self.occurrence = occurrence
        self.required = required
    }
}

/// How a spawned child runs.
public struct SpawnChild: Sendable, Hashable {
    /// The child's opening text (variables: captures, `{i}`, `{i0}`, `{depth}`, inputs).
    public var prompt: Template
    /// What the child sees before its prompt.
    public var context: ChildContext
    /// The child's decoding; nil when it only runs `steps`.
    public var generation: Generation?
    /// Steps the child runs after its prompt and generation.
    public var steps: [Step]
    /// Extracts the child's returned text (named group `result`, else group 1, else the whole match);
    /// no match means the child found nothing. Nil: the child always returns its whole text.
    public var result: Pattern?
    /// Which match counts.
    public var occurrence: Occurrence

    /// Creates a child description.
    public init(prompt: Template, context: ChildContext = .isolated, generation: Generation? = Generation(),
                steps: [Step] = [], result: Pattern? = nil, occurrence: Occurrence = .last) {
        self.prompt = prompt
        self.context = context
        self.generation = generation
        self.steps = steps
        self.result = result
        self.occurrence = occurrence
    }
}

/// What a child sees before its own prompt.
public enum ChildContext: String, Sendable, Hashable, CaseIterable {
    /// Nothing: a fresh sequence (APR: each child has its own BOS-prefixed prompt).
    case isolated
    /// The parent's context up to the spawn block (read in place, not copied).
    case inherit
}

/// The text spliced into the parent where the spawn block was.
public struct Join: Sendable, Hashable {
    /// Text before the children's results.
    public var header: Template
    /// One per child that returned a result (variables: captures, `{result}`, `{i}`, `{i0}`, `{depth}`).
    public var found: Template
    /// One per child that found nothing (same variables, `{result}` empty).
    public var failed: Template
    /// Text after the children's results.
    public var footer: Template

    /// Creates a join.
    public init(header: Template = Template(pieces: []), found: Template, failed: Template,
                footer: Template = Template(pieces: [])) {
        self.header = header
        self.found = found
        self.failed = failed
        self.footer = footer
    }
}
