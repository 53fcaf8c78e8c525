import BraidRules

/// Upper bounds on segment lengths in tokens, from budgets and text alone (no tokenizer).
///
/// - Decoded segments: the forced prefix plus `max_tokens`.
/// - Prefilled text: its UTF-8 byte count, which bounds the token count of a byte-level BPE tokenizer
///   (every token covers at least one byte); a graph input left in a template (`{question}`) counts as
///   `inputTokens`, any other run-time variable (a spawn capture, `{answer}`) as `variableTokens`, `{i}` as 2;
///   chat messages add `chatOverheadPerMessage` for the template's markers.
/// - Spliced text: the sources' bounds plus the per-source template.
/// Explicit `lengths` (by segment id, `step.kind`, or step id for every non-spliced segment) override all of this.
public struct LengthEstimate: Sendable {
    /// Explicit lengths by segment id or step id.
    public var lengths: [String: Int]
    /// Lengths of segments a run has written, matched by segment id only (other segments of the same step keep
    /// their bounds). They take precedence over `lengths`.
    public var written: [SegmentName: Int] = [:]
    /// Tokens assumed for an input placeholder left in a template.
    public var inputTokens: Int
    /// Tokens the chat template adds per message (role markers, separators).
    public var chatOverheadPerMessage: Int
    /// Tokens assumed for a run-time variable that is not an input (a spawn capture such as `{node}`).
    public var variableTokens: Int
    /// The names counted as inputs (`nil`: every unknown variable is an input).
    var inputNames: Set<String>?

    /// Creates an estimator.
    public init(lengths: [String: Int] = [:], inputTokens: Int = 256, chatOverheadPerMessage: Int = 8, variableTokens: Int = 16) {
        self.lengths = lengths
        self.inputTokens = inputTokens
        self.chatOverheadPerMessage = chatOverheadPerMessage
        self.variableTokens = variableTokens
    }

    /// Upper bounds for every segment of `plan`, by id.
    public func maxTokens(in plan: Plan) -> [SegmentName: Int] {
        var estimate = self
        estimate.inputNames = plan.inputs.isEmpty ? nil : Set(plan.inputs)
        return estimate.maxTokensKnowingInputs(in: plan)
    }

    private func maxTokensKnowingInputs(in plan: Plan) -> [SegmentName: Int] {
        var result: [SegmentName: Int] = [:]
        for segment in plan.segments {
            result[segment.id] = maxTokens(of: segment, known: result)
        }
        return result
    }

    /// Upper bound for one segment, given the bounds of earlier segments (for spliced text).
    public func maxTokens(of segment: Segment, known: [SegmentName: Int]) -> Int {
        // A step's length names its own text; a merge's spliced copy of its sources is named only by id or `step.spliced`.
        if let exact = written[segment.id] { return exact }
        let byStep = segment.kind == .spliced ? nil : lengths[segment.step]
        if let explicit = lengths[segment.id] ?? lengths["\(segment.step).\(segment.kind.rawValue)"] ?? byStep { return explicit }
        switch segment.content {
        case .text(let template, let limit):
            let tokens = textTokens(template)
            return limit.map { min($0, tokens) } ?? tokens
        case .chat(let messages):
            return messages.reduce(0) { $0.adding(textTokens($1.text)).adding(chatOverheadPerMessage) }
        case .generate(let generation):
            return (generation.prefix.map { textTokens($0) } ?? 0).adding(generation.maxTokens)
        case .splice(let splice):
            let perSource = max(textTokens(splice.each), splice.failed.map { textTokens($0) } ?? 0).adding(splice.separator.utf8.count)
            return textTokens(splice.header).adding(textTokens(splice.footer))
                .adding(splice.sources.reduce(0) { $0.adding(known[$1] ?? 0).adding(perSource) })
        }
    }

    /// Bytes of the template's literal text, plus the tokens each placeholder is assumed to take
    /// (`placeholderTokens`).
    public func textTokens(_ template: Template) -> Int {
        var tokens = 0
        for piece in template.pieces {
            switch piece {
            case .text(let text): tokens = tokens.adding(text.utf8.count)
            case .variable(let name): tokens = tokens.adding(placeholderTokens(name, suffixBytes: 0))
            case .optional(let name, let suffix): tokens = tokens.adding(placeholderTokens(name, suffixBytes: suffix.utf8.count))
            }
        }
        return tokens
    }

    /// `textTokens(_:)` of template text in the graph language's syntax.
    public func textTokens(_ text: String) -> Int {
        textTokens(TemplateSyntax.parse(text))
    }

    /// The tokens one placeholder `{name}` (or `{name?suffix}`, with `suffixBytes` of suffix) is assumed to take.
    func placeholderTokens(_ name: String, suffixBytes: Int) -> Int {
        if Self.splicedFields.contains(name) { return 0 }
        if ["i", "i0", "depth"].contains(name) { return 2 }
        if inputNames?.contains(name) ?? true { return inputTokens.adding(suffixBytes) }
        return variableTokens.adding(suffixBytes)
    }

    /// Placeholders standing for text whose length is counted elsewhere.
    static let splicedFields: Set<String> = ["text", "result"]
}

extension Int {
    /// `self + other`, stopping at `Int.max` (bounds come from budgets a graph may set to anything).
    func adding(_ other: Int) -> Int {
        let (sum, overflow) = addingReportingOverflow(other)
        return overflow ? (other > 0 ? Int.max : Int.min) : sum
    }

    /// `self × other`, stopping at `Int.max` / `Int.min`.
    func multiplying(_ other: Int) -> Int {
        let (product, overflow) = multipliedReportingOverflow(by: other)
        return overflow ? ((self > 0) == (other > 0) ? Int.max : Int.min) : product
    }
}
