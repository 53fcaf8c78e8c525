/// Closes a fork: one continuation that reads all its branches (`merge:`).
public struct Merge: Sendable, Hashable {
    /// The id of the fork whose branches are read.
    public var from: String
    /// How the branches are read.
    public var mode: MergeMode
    /// For `reprefill` and `text`: how each branch's text is laid out (variables `{text}`, `{i}`, `{i0}`).
    public var each: Template
    /// For `reprefill` and `text`: what goes between two branches' texts.
    public var separator: String
    /// Forced text opening the merged segment (e.g. `<summary>By analyzing ...`).
    public var prefix: Template?
    /// Where the merged segment starts in position space.
    public var positions: MergePositions
    /// The merged segment's decoding; nil when the merge only appends text.
    public var generation: Generation?

    /// Creates a merge.
    public init(from: String, mode: MergeMode = .attend, each: Template = Template(pieces: [.variable("text")]),
                separator: String = "", prefix: Template? = nil, positions: MergePositions = .afterLongest,
                generation: Generation? = Generation()) {
        self.from = from
        self.mode = mode
        self.each = each
        self.separator = separator
        self.prefix = prefix
        self.positions = positions
        self.generation = generation
    }
}

/// Where a merged segment starts in position space.
public enum MergePositions: String, Sendable, Hashable, CaseIterable {
    /// One past the longest branch's last position (ParaThinker).
    case afterLongest = "after-longest"
    /// One past the sum of all branch lengths, as if the branches were concatenated.
    case flat
}

/// Majority vote over a fork's branches (`vote:`). The winner becomes the step's answer; `text`, when
/// given, is appended to the context with `{answer}` and `{votes}` filled in.
public struct Vote: Sendable, Hashable {
    /// The id of the fork whose branches vote.
    public var from: String
    /// Extracts each branch's answer (named group `answer`, else group 1, else the whole match).
    public var extract: Pattern
    /// Which match in a branch counts.
    public var occurrence: Occurrence
    /// How ties are broken.
    public var tie: TieRule
    /// Text appended after the vote, or nil to append nothing.
    public var text: Template?

    /// Creates a vote.
    public init(from: String, extract: Pattern, occurrence: Occurrence = .last, tie: TieRule = .firstBranch,
                text: Template? = nil) {
        self.from = from
        self.extract = extract
        self.occurrence = occurrence
        self.tie = tie
        self.text = text
    }
}

/// How the final answer is read (`answer:`).
public struct Answer: Sendable, Hashable {
    /// The step whose output holds the answer: a vote's winner, or a segment's text. Nil: the whole
    /// final context after the prompt.
    public var from: String?
    /// Extracts the answer (named group `answer`, else group 1, else the whole match); nil takes the
    /// text trimmed of whitespace.
    public var regex: Pattern?
    /// Which match counts.
    public var occurrence: Occurrence

    /// Creates an answer rule.
    public init(from: String? = nil, regex: Pattern? = nil, occurrence: Occurrence = .last) {
        self.from = from
        self.regex = regex
        self.occurrence = occurrence
    }
}
