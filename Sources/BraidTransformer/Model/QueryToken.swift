/// One token to run through the model: what it is, where it sits, where its K/V go, and what
/// it may attend to.
public struct QueryToken: Hashable, Sendable {
    /// Vocabulary id.
    public var token: Int32
    /// RoPE position (any non-negative value; segments may overlap in position).
    public var position: Int
    /// The segment this token's keys and values are appended to.
    public var segment: SegmentID
    /// The segments it attends to; the last must be `segment`, which is attended causally.
    public var view: ViewID

    /// Creates a query token.
    public init(token: Int32, position: Int, segment: SegmentID, view: ViewID) {
        self.token = token
        self.position = position
        self.segment = segment
        self.view = view
    }
}

/// Which batch rows get output logits. The output head is the largest matrix of a small
/// model, so rows nobody samples from are skipped.
public enum LogitRows: Sendable, Equatable {
    /// No logits (prefill whose last token is sampled later, or KV-only writes).
    case none
    /// Only the last token of the batch.
    case last
    /// Every token of the batch.
    case all
    /// These batch indices, in this order.
    case rows([Int])

    func resolve(batchCount n: Int) throws -> [Int] {
        switch self {
        case .none: return []
        case .last: return n > 0 ? [n - 1] : []
        case .all: return Array(0..<n)
        case let .rows(list):
            for r in list where r < 0 || r >= n { throw ModelError.invalidLogitRow(r) }
            return list
        }
    }
}

/// Output logits for selected rows of a batch.
public struct Logits: Sendable {
    /// Vocabulary size (length of each row).
    public let vocabSize: Int
    /// The batch index of each row, in row order.
    public let batchIndices: [Int]
    /// Row-major `[batchIndices.count, vocabSize]`.
    public var values: [Float]

    /// Creates logits from rows.
    public init(vocabSize: Int, batchIndices: [Int], values: [Float]) {
        self.vocabSize = vocabSize
        self.batchIndices = batchIndices
        self.values = values
    }

    /// Number of rows.
    public var rowCount: Int { batchIndices.count }

    /// The logits of row `r` (not batch index).
    public func row(_ r: Int) -> ArraySlice<Float> { values[(r * vocabSize)..<((r + 1) * vocabSize)] }

    /// The logits of batch token `index`, or `nil` if none were requested for it.
    public func row(forBatchIndex index: Int) -> ArraySlice<Float>? {
        batchIndices.firstIndex(of: index).map { row($0) }
    }

    /// The `k` largest logits of row `r`, largest first (ties: lower id first).
    public func top(_ k: Int, row r: Int) -> [(id: Int32, logit: Float)] {
        let slice = row(r)
        let base = slice.startIndex
        var best: [(id: Int32, logit: Float)] = []
        best.reserveCapacity(k + 1)
        for i in slice.indices {
            let v = slice[i]
            if best.count == k, let last = best.last, !(v > last.logit) { continue }
            var at = best.count
            while at > 0 && v > best[at - 1].logit { at -= 1 }
            best.insert((Int32(i - base), v), at: at)
            if best.count > k { best.removeLast() }
        }
        return best
    }

    /// The id of the largest logit of row `r` (greedy decoding).
    public func argmax(row r: Int) -> Int32 { top(1, row: r).first?.id ?? 0 }
}
