/// One of several independent batches that `Transformer.forward(parts:kv:)` runs in one pass (one run's step
/// when an executor hosts several runs).
public struct ForwardPart: Sendable {
    /// The part's query tokens, as `forward(batch:)` would take them.
    public var batch: [QueryToken]
    /// Which of the part's tokens get logits (indices into `batch`).
    public var logitRows: LogitRows

    /// Creates a part.
    public init(batch: [QueryToken], logitRows: LogitRows) {
        self.batch = batch
        self.logitRows = logitRows
    }
}

/// Consecutive rows of a pass that one matrix product computes, and the regime it uses.
struct RowGroup {
    var start: Int
    var count: Int
    /// The in-register kernels (a row's numbers independent of the other rows) rather than tiles + sgemm.
    var kernels: Bool
}

/// The tokens of one part, which attend on their own (see `Transformer.attend`).
struct AttentionPart {
    var tokens: Range<Int>
    /// The most keys one of its tokens sees.
    var maxVisible: Int
    /// Whether it attends block by block (`attendByBlock`) rather than token by token.
    var blockMajor: Bool
}

/// Where each part's tokens and logit rows sit in one pass, and how the products are cut so that every part
/// gets the numbers it would get alone.
///
/// Alone, a part of up to `kernelRowLimit` rows is multiplied by the kernels, whose result for a row does not
/// depend on the other rows; a larger one by tiles and sgemm, whose result may depend on the row count. So the
/// small parts come first and share one kernel product (however many rows they make together), and every
/// large part follows with a product of its own. The output head is cut the same way by logit rows.
struct PassLayout {
    /// Part indices in batch order.
    let order: [Int]
    /// The batch range of each part (by part index).
    let ranges: [Range<Int>]
    /// The non-empty part ranges in batch order (one attention part each).
    let tokenRanges: [Range<Int>]
    /// The matrix products over the batch's rows.
    let tokenGroups: [RowGroup]
    /// The batch indices whose logits are computed, in output order.
    let logitRows: [Int]
    /// The output-head products over `logitRows`.
    let logitGroups: [RowGroup]
    /// Each part's rows: where in `logitRows` they start, and its own indices.
    let logitSlots: [(start: Int, rows: [Int])]
    /// Tokens in the pass.
    let tokenCount: Int

    init(parts: [(tokens: Int, rows: [Int])], kernelRowLimit limit: Int) {
        let small = parts.indices.filter { parts[$0].tokens <= limit }
        let large = parts.indices.filter { parts[$0].tokens > limit }
        order = small + large
        var ranges = [Range<Int>](repeating: 0..<0, count: parts.count)
        var at = 0
        for p in order {
            ranges[p] = at..<(at + parts[p].tokens)
            at += parts[p].tokens
        }
        self.ranges = ranges
        tokenCount = at
        tokenRanges = order.map { ranges[$0] }.filter { !$0.isEmpty }
        let smallRows = small.reduce(0) { $0 + parts[$1].tokens }
        tokenGroups = (smallRows > 0 ? [RowGroup(start: 0, count: smallRows, kernels: true)] : [])
            + large.map { RowGroup(start: ranges[$0].lowerBound, count: parts[$0].tokens, kernels: false) }

        let fewRows = parts.indices.filter { parts[$0].rows.count <= limit }
        let manyRows = parts.indices.filter { parts[$0].rows.count > limit }
        var rows: [Int] = []
        var slots = [(start: Int, rows: [Int])](repeating: (0, []), count: parts.count)
        var groups: [RowGroup] = []
        for p in fewRows + manyRows {
            slots[p] = (rows.count, parts[p].rows)
            if parts[p].rows.count > limit {
                groups.append(RowGroup(start: rows.count, count: parts[p].rows.count, kernels: false))
            }
            rows.append(contentsOf: parts[p].rows.map { ranges[p].lowerBound + $0 })
        }
        let fewCount = fewRows.reduce(0) { $0 + parts[$1].rows.count }
        if fewCount > 0 { groups.insert(RowGroup(start: 0, count: fewCount, kernels: true), at: 0) }
        logitRows = rows
        logitGroups = groups
        logitSlots = slots
    }

    /// Each part's logits out of the pass's (indexed by the part's own batch indices).
    func split(_ all: Logits) -> [Logits] {
        logitSlots.map { slot in
            let from = slot.start * all.vocabSize, to = (slot.start + slot.rows.count) * all.vocabSize
            return Logits(vocabSize: all.vocabSize, batchIndices: slot.rows, values: Array(all.values[from..<to]))
        }
    }
}
