import BraidRules

/// The name of a segment in a plan, unique within it (`prompt`, `think[0]`, `summary`). The runtime names its
/// KV segments the same (see `Naming`); a KV handle is `BraidTransformer.SegmentID`, a different thing.
public typealias SegmentName = String

/// The name of a thread in a plan, unique within it (`main`, `think[0]`).
public typealias ThreadID = String

/// A span of tokens that one thread writes, contiguous in that thread's positions.
///
/// A segment is the unit the runtime allocates KV for and the unit a view lists: a token of a segment
/// attends to every token of the segments earlier in its view and, causally, to the tokens of its own
/// segment written before it.
public struct Segment: Codable, Equatable, Sendable {
    /// Unique name of the segment.
    public var id: SegmentName
    /// What kind of span this is.
    public var kind: SegmentKind
    /// The thread that writes the segment.
    public var thread: ThreadID
    /// The id of the graph step the segment comes from (the key `--lengths` uses).
    public var step: String
    /// Branch index within its fork (0-based), if the segment belongs to a fork branch.
    public var branch: Int?
    /// Where the segment's first token sits.
    public var placement: Placement
    /// Ordered list of segments this segment attends to; the segment itself is last and is read causally.
    public var view: [SegmentName]
    /// The thought-embedding index added to this segment's keys and values (ParaThinker's T^(j)); 0 = none.
    public var thought: Int
    /// How the segment's tokens come about (prefilled text, decoding, or other segments' text).
    public var content: SegmentContent
    /// The index of the stage (see `Plan.stages`) in which the segment is written.
    public var stage: Int
    /// When the segment's KV blocks are released (filled in by liveness analysis).
    public var lifetime: Lifetime

    /// Creates a segment; `lifetime` defaults to "until the end of the run" until liveness analysis runs.
    public init(id: SegmentName, kind: SegmentKind, thread: ThreadID, step: String, branch: Int? = nil,
                placement: Placement, view: [SegmentName], thought: Int = 0, content: SegmentContent,
                stage: Int, lifetime: Lifetime = Lifetime(lastReader: "", reason: .runEnd)) {
        self.id = id
        self.kind = kind
        self.thread = thread
        self.step = step
        self.branch = branch
        self.placement = placement
        self.view = view
        self.thought = thought
        self.content = content
        self.stage = stage
        self.lifetime = lifetime
    }
}

/// What a segment holds.
public enum SegmentKind: String, Codable, Sendable, CaseIterable {
    /// The thread's initial prompt (prefilled).
    case prompt
    /// Forced text prefilled into a thread (e.g. tunnel-vision's flawed prefix).
    case prefix
    /// Text the model decodes, possibly opened by a forced prefix (`<think1>`).
    case generated
    /// A spawned child's prompt, built from the message its parent wrote.
    case message
    /// A merge's decoded segment that reads its sources (ParaThinker's summary).
    case summary
    /// Other segments' text prefilled again (a `reprefill` or `text` merge, or a spawn's join block).
    case spliced
}

/// How a segment's tokens are produced.
public enum SegmentContent: Codable, Equatable, Sendable {
    /// Text prefilled as is: a template over the graph's run-time variables (`{question}`); `maxTokens` keeps only
    /// that many of its tokens (`nil` = all).
    case text(template: Template, maxTokens: Int?)
    /// Chat messages, formatted by the model's chat template, then prefilled.
    case chat(messages: [PromptMessage])
    /// Tokens the model decodes; the generation's forced prefix (if any) is written first.
    case generate(Decoding)
    /// Other segments' text prefilled again (no KV of theirs is read).
    case splice(Splice)
}

/// How a spliced segment's text is put together from its sources' text.
public struct Splice: Codable, Equatable, Sendable {
    /// The segments whose text is taken, in order (for a join: each child's segments).
    public var sources: [SegmentName]
    /// Text before the first source (a template over the run's variables).
    public var header: Template
    /// Template for one source (`{text}` = its text, `{i}` 1-based, `{i0}` 0-based; a join's `{result}`
    /// and message captures).
    public var each: Template
    /// For a join: template for a child that found nothing (`nil` = not a join).
    public var failed: Template?
    /// Text between two sources (literal).
    public var separator: String
    /// Text after the last source (a template over the run's variables).
    public var footer: Template

    /// Creates a splice.
    public init(sources: [SegmentName], header: Template = Template(pieces: []),
                each: Template = Template(pieces: [.variable("text")]), failed: Template? = nil,
                separator: String = "", footer: Template = Template(pieces: [])) {
        self.sources = sources
        self.header = header
        self.each = each
        self.failed = failed
        self.separator = separator
        self.footer = footer
    }
}

/// One chat message of a prompt.
public struct PromptMessage: Codable, Equatable, Sendable {
    /// `system`, `user` or `assistant`.
    public var role: String
    /// The message text.
    public var text: Template

    /// Creates a chat message.
    public init(role: String, text: Template) {
        self.role = role
        self.text = text
    }
}

/// The decoding part of a segment: forced prefix, budget, stops and sampling.
public struct Decoding: Codable, Equatable, Sendable {
    /// Text forced token by token before free decoding starts (`<think{i}>`, `<summary>…`), if any.
    public var prefix: Template?
    /// Most tokens decoded after the prefix.
    public var maxTokens: Int
    /// Strings that end the segment when generated (templates over the run's variables).
    public var stop: [Template]
    /// SamplingSettings overrides; `nil` fields fall back to the run's defaults.
    public var sampling: SamplingSettings

    /// Creates a generation.
    public init(prefix: Template? = nil, maxTokens: Int, stop: [Template] = [], sampling: SamplingSettings = SamplingSettings()) {
        self.prefix = prefix
        self.maxTokens = maxTokens
        self.stop = stop
        self.sampling = sampling
    }
}

/// SamplingSettings overrides of one generation.
public struct SamplingSettings: Codable, Equatable, Sendable {
    /// Softmax temperature.
    public var temperature: Double?
    /// Nucleus mass.
    public var topP: Double?
    /// Keep the k most likely tokens.
    public var topK: Int?
    /// Random seed.
    public var seed: UInt64?

    /// Creates sampling overrides (all optional).
    public init(temperature: Double? = nil, topP: Double? = nil, topK: Int? = nil, seed: UInt64? = nil) {
        self.temperature = temperature
        self.topP = topP
        self.topK = topK
        self.seed = seed
    }
}
