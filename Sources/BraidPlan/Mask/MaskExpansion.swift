/// A plan expanded for given segment lengths into the token-level attention mask and position ids that the
/// runtime would use: tokens in write order, `attends(query, key)` true where the query token sees the key.
public struct MaskExpansion: Equatable, Sendable {
    /// One token of the expansion.
    public struct Token: Equatable, Sendable {
        /// Index in write order (row and column of the mask).
        public var index: Int
        /// The segment it belongs to.
        public var segment: SegmentName
        /// The thread that writes it.
        public var thread: ThreadID
        /// Its position id (for RoPE).
        public var position: Int
        /// Its thought-embedding index.
        public var thought: Int
        /// Its offset inside its segment.
        public var offset: Int
    }

    /// The plan that was expanded (with spawns instantiated).
    public var plan: Plan
    /// Tokens in write order.
    public var tokens: [Token]
    /// Token index range of each segment, in write order (empty ranges for zero-length segments).
    public var ranges: [(segment: SegmentName, range: Range<Int>)]
    /// Row-major n×n matrix, 1 where query (row) attends to key (column).
    public var bits: [UInt8]

    /// Number of tokens.
    public var count: Int { tokens.count }

    /// Whether `query` attends to `key`.
    public func attends(_ query: Int, _ key: Int) -> Bool {
        bits[query * tokens.count + key] != 0
    }

    /// Expands `plan` with `lengths`, instantiating each spawn for `lengths.rounds` rounds of
    /// `lengths.children` children (default 2, capped by the template).
    ///
    /// A flat fork's slot (see `FlatSlot`) is `lengths`' `slot` key if given, else computed from the
    /// branches' budgets, with `prefixTokens` counting a branch's forced text (the model's tokenizer); a flat
    /// fork whose branches have forced text needs one or the other.
    public static func expand(_ plan: Plan, lengths: MaskLengths,
                              prefixTokens: ((Segment) throws -> Int)? = nil) throws -> MaskExpansion {
        var instantiated = plan
        for template in plan.spawns {
            let children = min(lengths.children ?? 2, template.maxChildren)
            let rounds = min(lengths.rounds, template.maxRounds)
            for round in 0..<rounds {
                try instantiated.instantiateSpawn(template.id, round: round, children: max(1, children))
            }
        }
        return try expandConcrete(instantiated, lengths: lengths, prefixTokens: prefixTokens)
    }

    /// Expands a plan whose spawns are already instantiated (or that has none).
    static func expandConcrete(_ plan: Plan, lengths: MaskLengths,
                               prefixTokens: ((Segment) throws -> Int)? = nil) throws -> MaskExpansion {
        let (tokens, ranges) = try layOut(plan, lengths: lengths, prefixTokens: prefixTokens)
        var lookup: [SegmentName: Range<Int>] = [:]
        for (segment, range) in ranges { lookup[segment] = range }
        let n = tokens.count
        var bits = [UInt8](repeating: 0, count: n * n)
        for segment in plan.segments {
            guard let rows = lookup[segment.id] else { continue }
            for seen in segment.view {
                guard let keys = lookup[seen] else {
                    throw PlanError.inconsistent(segment: segment.id, reason: "its view names '\(seen)', which has no tokens")
                }
                for query in rows {
                    // The own segment is read causally; every other segment in the view is read whole.
                    let upper = seen == segment.id ? query + 1 : keys.upperBound
                    for key in keys.lowerBound..<upper { bits[query * n + key] = 1 }
                }
            }
        }
        return MaskExpansion(plan: plan, tokens: tokens, ranges: ranges, bits: bits)
    }

    /// The tokens of a concrete plan (spawns instantiated) in write order with their positions, and each
    /// segment's token range, without the n×n mask: what a run's layout is compared with after every step.
    public static func layOut(_ plan: Plan, lengths: MaskLengths, prefixTokens: ((Segment) throws -> Int)? = nil) throws
        -> (tokens: [Token], ranges: [(segment: SegmentName, range: Range<Int>)]) {
        var counts: [SegmentName: Int] = [:]
        var ends: [SegmentName: Int] = [:]
        var tokens: [Token] = []
        var ranges: [(segment: SegmentName, range: Range<Int>)] = []
        var slots: [String: Int] = [:]
        for segment in plan.segments {
            guard let length = lengths.length(of: segment, known: counts) else {
                throw PlanError.badLengths(segment: segment.id, reason: "no length given; add \(lengthNames(segment)) to --lengths")
            }
            var slot = 0
            if segment.placement.slot != nil, let fork = plan.fork(containing: segment.id) {
                if let known = lengths.values["slot"] ?? slots[fork.id] {
                    slot = known
                } else {
                    slot = try slotLength(of: fork, in: plan, prefixTokens: prefixTokens)
                    slots[fork.id] = slot
                }
            }
            guard let start = segment.placement.start(ends: ends, lengths: counts, slotLength: slot) else {
                throw PlanError.inconsistent(segment: segment.id, reason: "its position anchors are not placed before it")
            }
            counts[segment.id] = length
            ends[segment.id] = start + length
            let first = tokens.count
            for offset in 0..<length {
                tokens.append(Token(index: tokens.count, segment: segment.id, thread: segment.thread,
                                    position: start + offset, thought: segment.thought, offset: offset))
            }
            ranges.append((segment.id, first..<tokens.count))
        }
        return (tokens, ranges)
    }

    /// The `--lengths` entries that would give `segment` a length: its own id, and its step's name when that
    /// differs and applies (a spliced segment takes its length from its sources, not from its step).
    static func lengthNames(_ segment: Segment) -> String {
        var names = [segment.id]
        if segment.step != segment.id, segment.kind != .spliced { names.append(segment.step) }
        return names.map { "\($0)=N" }.joined(separator: " or ")
    }

    /// A flat fork's slot by `FlatSlot`'s rule (the largest branch budget, the paper's l_max).
    static func slotLength(of fork: ForkPlan, in plan: Plan, prefixTokens: ((Segment) throws -> Int)?) throws -> Int {
        try FlatSlot.length(of: fork, in: plan) { branch in
            guard let prefixTokens else {
                throw PlanError.badLengths(
                    segment: fork.id,
                    reason: "a flat fork's slot is its largest forced prefix plus max_tokens, and counting the prefix "
                        + "'\(FlatSlot.forcedText(of: branch) ?? "")' needs the model's tokenizer; give slot=N in --lengths, or a model")
            }
            return try prefixTokens(branch)
        }
    }

    /// Equality compares tokens and the mask (ranges follow from them).
    public static func == (lhs: MaskExpansion, rhs: MaskExpansion) -> Bool {
        lhs.tokens == rhs.tokens && lhs.bits == rhs.bits && lhs.plan == rhs.plan
    }
}
