/// A masked layout written by hand (or by the plan compiler): named segments, which segments
/// each one sees, and tokens with positions. `braid logits` runs one through the model and
/// prints every token's top logits — a research tool to see what any mask computes, and the
/// test hook between the compiler and the transformer. The JSON format is documented in
/// `Docs/transformer.md`; `Examples/masked-layout.json` is an example.
public struct LogitsLayout: Codable, Sendable, Equatable {
    /// One segment: its name, thought index, and the other segments its tokens see in full.
    public struct Segment: Codable, Sendable, Equatable {
        /// Unique name tokens refer to.
        public var name: String
        /// Thought-embedding index of the segment's tokens (default 0).
        public var thought: Int?
        /// Names of the other segments it sees, in order (default none). Its own segment is
        /// always seen last, causally.
        public var sees: [String]?
        /// Position of the segment's first token when the token gives none (default 0).
        public var start: Int?

        /// Creates a segment description.
        public init(name: String, thought: Int? = nil, sees: [String]? = nil, start: Int? = nil) {
            self.name = name
            self.thought = thought
            self.sees = sees
            self.start = start
        }
    }

    /// One entry of the token list: a token id or a text (which may tokenize to several
    /// tokens), the segment it is written to, and optionally its (first) position.
    public struct Entry: Codable, Sendable, Equatable {
        /// The segment the token(s) belong to.
        public var segment: String
        /// A vocabulary id (exactly one of `id` and `text`).
        public var id: Int32?
        /// Text, tokenized with the model's tokenizer, special tokens recognised.
        public var text: String?
        /// Position of the (first) token; default: one past the segment's previous token.
        public var position: Int?

        /// Creates an entry.
        public init(segment: String, id: Int32? = nil, text: String? = nil, position: Int? = nil) {
            self.segment = segment
            self.id = id
            self.text = text
            self.position = position
        }
    }

    /// A token after resolution: its index in the layout, segment, position and id.
    public struct Token: Sendable, Equatable {
        /// Index among all resolved tokens.
        public var index: Int
        /// Segment name.
        public var segment: String
        /// RoPE position.
        public var position: Int
        /// Vocabulary id.
        public var id: Int32
    }

    /// The segments, in any order (views reference them by name).
    public var segments: [Segment]
    /// The tokens, in order; tokens of one segment appear in their order within it.
    public var tokens: [Entry]

    /// Creates a layout.
    public init(segments: [Segment], tokens: [Entry]) {
        self.segments = segments
        self.tokens = tokens
    }

    /// Expands texts to ids and fills in positions; checks every name and value: unique names, `sees`
    /// naming other known segments without a cycle, non-negative thoughts, starts and positions, at
    /// least one token, and no position whose successor would overflow.
    public func resolve(encode: (String) throws -> [Int32]) throws -> [Token] {
        var names = Set<String>()
        for (k, s) in segments.enumerated() {
            guard !s.name.isEmpty, names.insert(s.name).inserted else {
                throw LayoutError("segments[\(k)]: name '\(s.name)' is empty or used twice")
            }
            if let j = s.thought, j < 0 { throw LayoutError("segment '\(s.name)': thought \(j) is negative") }
            if let p = s.start, p < 0 { throw LayoutError("segment '\(s.name)': start \(p) is negative") }
        }
        for s in segments {
            for other in s.sees ?? [] {
                guard names.contains(other) else { throw LayoutError("segment '\(s.name)' sees unknown segment '\(other)'") }
                guard other != s.name else { throw LayoutError("segment '\(s.name)' lists itself in 'sees' (it always sees itself)") }
            }
            if Set(s.sees ?? []).count != (s.sees ?? []).count { throw LayoutError("segment '\(s.name)' lists a segment twice in 'sees'") }
        }
        try Self.refuseCycles(segments)
        guard !tokens.isEmpty else { throw LayoutError("the layout has no tokens: 'tokens' is empty") }
        var next: [String: Int] = Dictionary(uniqueKeysWithValues: segments.map { ($0.name, $0.start ?? 0) })
        var out: [Token] = []
        for (k, entry) in tokens.enumerated() {
            guard names.contains(entry.segment) else { throw LayoutError("tokens[\(k)]: unknown segment '\(entry.segment)'") }
            let ids: [Int32]
            switch (entry.id, entry.text) {
            case let (id?, nil): ids = [id]
            case let (nil, text?): ids = try encode(text)
            default: throw LayoutError("tokens[\(k)]: give exactly one of 'id' and 'text'")
            }
            if let p = entry.position {
                guard p >= 0 else { throw LayoutError("tokens[\(k)]: position \(p) is negative") }
                next[entry.segment] = p
            }
            for id in ids {
                let position = next[entry.segment] ?? 0
                // The next token's default position is one past this one; Int.max has no successor.
                let (following, overflow) = position.addingReportingOverflow(1)
                guard !overflow else {
                    throw LayoutError("tokens[\(k)]: position \(position) is too large (the position after it would overflow)")
                }
                out.append(Token(index: out.count, segment: entry.segment, position: position, id: id))
                next[entry.segment] = following
            }
        }
        guard !out.isEmpty else { throw LayoutError("the layout has no tokens: every text in 'tokens' is empty") }
        return out
    }

    /// Refuses segments whose views lead back to themselves (`a` sees `b`, `b` sees `a`): a layout must
    /// be writable in some order, every segment after those it sees, as a generation would write it.
    /// Iterative (Kahn's algorithm), so a long chain of segments cannot exhaust the stack.
    static func refuseCycles(_ segments: [Segment]) throws {
        var waiting: [String: Int] = [:]       // segment -> how many of the segments it sees are not yet placed
        var seers: [String: [String]] = [:]    // segment -> the segments that see it
        for s in segments {
            let seen = s.sees ?? []
            waiting[s.name] = seen.count
            for other in seen { seers[other, default: []].append(s.name) }
        }
        var ready = segments.map(\.name).filter { waiting[$0] == 0 }
        var placed = Set<String>()
        while let name = ready.popLast() {
            placed.insert(name)
            for seer in seers[name] ?? [] {
                waiting[seer, default: 0] -= 1
                if waiting[seer] == 0 { ready.append(seer) }
            }
        }
        guard placed.count < segments.count, let start = segments.first(where: { !placed.contains($0.name) }) else { return }
        // Every unplaced segment sees another unplaced one, so following those links must come round.
        let sees = Dictionary(segments.map { ($0.name, $0.sees ?? []) }, uniquingKeysWith: { first, _ in first })
        var walk: [String] = [], step: [String: Int] = [:]
        var current = start.name
        while step[current] == nil {
            step[current] = walk.count
            walk.append(current)
            guard let next = sees[current]?.first(where: { !placed.contains($0) }) else { break }
            current = next
        }
        let cycle = walk[(step[current] ?? 0)...] + [current]
        throw LayoutError("segments see each other in a cycle (\(cycle.map { "'\($0)'" }.joined(separator: " sees "))); a segment must be writable after everything it sees")
    }

    /// Checks resolved tokens against the model before anything runs: every id in the vocabulary, every
    /// thought index within the model's thought embeddings (a model without them ignores thought indices).
    public func check(_ resolved: [Token], against config: ModelConfig) throws {
        for t in resolved where t.id < 0 || Int(t.id) >= config.vocabSize {
            throw LayoutError("token \(t.index) (segment '\(t.segment)'): id \(t.id) is outside the model's vocabulary 0..<\(config.vocabSize)")
        }
        guard config.thoughtSlots > 0 else { return }
        for s in segments {
            if let j = s.thought, j >= config.thoughtSlots {
                throw LayoutError("segment '\(s.name)': thought \(j) is past the model's \(config.thoughtSlots) thought embeddings (0..<\(config.thoughtSlots))")
            }
        }
    }

    /// Segments that give a thought index above 0, which `config`'s model ignores because it has no
    /// thought embeddings (empty when it has them).
    public func ignoredThoughts(on config: ModelConfig) -> [String] {
        config.thoughtSlots > 0 ? [] : segments.filter { ($0.thought ?? 0) > 0 }.map(\.name)
    }

    /// Runs resolved tokens through the model in one batch (so every segment a token sees is
    /// complete) and returns logits for every token.
    public func evaluate(_ resolved: [Token], on transformer: Transformer) throws -> Logits {
        try check(resolved, against: transformer.config)
        let kv = transformer.makeKVStore()
        var segmentIDs: [String: SegmentID] = [:]
        for s in segments { segmentIDs[s.name] = try kv.makeSegment(thought: s.thought ?? 0) }
        var views: [String: ViewID] = [:]
        for s in segments {
            let list = ((s.sees ?? []) + [s.name]).compactMap { segmentIDs[$0] }
            views[s.name] = try kv.makeView(list)
        }
        let batch = try resolved.map { t -> QueryToken in
            guard let s = segmentIDs[t.segment], let v = views[t.segment] else {
                throw LayoutError("token \(t.index): unknown segment '\(t.segment)'")
            }
            return QueryToken(token: t.id, position: t.position, segment: s, view: v)
        }
        return try transformer.forward(batch: batch, kv: kv, logitRows: .all)
    }
}

/// A layout file that cannot be run, with what is wrong and where.
public struct LayoutError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The message.
    public let description: String
    /// Creates an error with a message.
    public init(_ description: String) { self.description = description }
}
