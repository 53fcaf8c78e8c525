/// Byte-level BPE on one pre-token piece: start from one token per byte, then repeatedly merge the adjacent
/// pair with the lowest merge rank (the leftmost one on ties) until no listed merge applies.
///
/// The pairs live in a min-heap and the symbols in a linked list, so a piece of n bytes costs O(n log n)
/// rather than the O(n²) of rescanning all pairs after every merge: a 10 000-space piece stays fast.
struct BytePairEncoder: Sendable {
    /// The token of each single byte, -1 when the vocabulary lacks it.
    private let byteTokens: [Int32]
    /// `(left << 32 | right)` → `(rank << 32 | merged)`, both ids non-negative.
    private let merges: [UInt64: UInt64]
    /// - Parameters:
    ///   - byteTokens: 256 entries, the token spelling each byte or -1.
    ///   - merges: in rank order (first = merged first), as token ids.
    init(byteTokens: [Int32], merges: [(left: Int32, right: Int32, merged: Int32)]) {
        self.init(byteTokens: byteTokens, rankedMerges: merges.enumerated().map { rank, merge in
            (merge.left, merge.right, merge.merged, Int32(clamping: rank))
        })
    }

    /// Merges with explicit ranks; several merges may share a rank (SentencePiece's score order, where the
    /// leftmost of equally scored pairs merges first).
    init(byteTokens: [Int32], rankedMerges: [(left: Int32, right: Int32, merged: Int32, rank: Int32)]) {
        self.byteTokens = byteTokens
        var table: [UInt64: UInt64] = [:]
        table.reserveCapacity(rankedMerges.count)
        for merge in rankedMerges where merge.rank >= 0 {
            let key = Self.pairKey(merge.left, merge.right)
            // A pair listed twice keeps its best rank, as HF tokenizers does.
            let value = UInt64(UInt32(bitPattern: merge.rank)) << 32 | UInt64(UInt32(bitPattern: merge.merged))
            if let existing = table[key], existing >> 32 <= value >> 32 { continue }
            table[key] = value
        }
        self.merges = table
    }

    /// Every merge with its rank, best first (for writing the vocabulary to another format).
    var rankedMerges: [(left: Int32, right: Int32, merged: Int32, rank: Int32)] {
        merges.map { key, value in
            (Int32(truncatingIfNeeded: key >> 32), Int32(truncatingIfNeeded: key & 0xFFFF_FFFF),
             Int32(truncatingIfNeeded: value & 0xFFFF_FFFF), Int32(truncatingIfNeeded: value >> 32))
        }.sorted { ($0.rank, $0.left, $0.right) < ($1.rank, $1.left, $1.right) }
    }

    private static func pairKey(_ left: Int32, _ right: Int32) -> UInt64 {
        UInt64(UInt32(bitPattern: left)) << 32 | UInt64(UInt32(bitPattern: right))
    }

    /// Appends the tokens of `bytes` to `output`.
    ///
    /// A byte the vocabulary has no token for is dropped, as HF tokenizers and llama.cpp do (SmolLM2 lacks
    /// a few control bytes and the lead bytes 0xF1, 0xF2 of planes 4-11). There is no unknown-token
    /// substitution: byte-level vocabularies are meant to cover every byte that text really contains.
    func encode(_ bytes: ArraySlice<UInt8>, into output: inout [Int32]) {
        var ids: [Int32] = []
        ids.reserveCapacity(bytes.count)
        for byte in bytes {
            let id = byteTokens[Int(byte)]
            if id >= 0 { ids.append(id) }
        }
        if ids.count < 2 {
            output.append(contentsOf: ids)
            return
        }
        merge(&ids)
        output.append(contentsOf: ids)
    }

    /// Applies the merges to `ids` in place (the result is compacted to the surviving symbols). Ids must be
    /// non-negative (tokens of the vocabulary).
    func merge(_ ids: inout [Int32]) {
        let count = ids.count
        guard count >= 2 else { return }
        // Linked list over positions; a merged-away symbol gets id -1.
        var next = [Int32](unsafeUninitializedCapacity: count) { buffer, initialized in
            for index in 0..<count { buffer[index] = Int32(index + 1) }
            initialized = count
        }
        var previous = [Int32](unsafeUninitializedCapacity: count) { buffer, initialized in
            for index in 0..<count { buffer[index] = Int32(index - 1) }
            initialized = count
        }
        var heap = PairHeap()
        for left in 0..<(count - 1) {
            if let rank = rankOf(ids[left], ids[left + 1]) {
                heap.push(PairHeap.Entry(rank: rank, left: Int32(left), right: Int32(left + 1)))
            }
        }
        while let entry = heap.pop() {
            let left = Int(entry.left), right = Int(entry.right)
            // Skip entries made stale by an earlier merge: a side was merged away, is no longer adjacent,
            // or changed to a token that forms a different pair.
            guard ids[left] >= 0, ids[right] >= 0, Int(next[left]) == right,
                  let merged = mergedOf(ids[left], ids[right]), merged.rank == entry.rank else { continue }
            ids[left] = merged.token
            ids[right] = -1
            let after = Int(next[right])
            next[left] = Int32(after)
            if after < count { previous[after] = Int32(left) }
            let before = Int(previous[left])
            if before >= 0, let rank = rankOf(ids[before], ids[left]) {
                heap.push(PairHeap.Entry(rank: rank, left: Int32(before), right: Int32(left)))
            }
            if after < count, let rank = rankOf(ids[left], ids[after]) {
                heap.push(PairHeap.Entry(rank: rank, left: Int32(left), right: Int32(after)))
            }
        }
        ids.removeAll { $0 < 0 }
    }

    private func mergedOf(_ left: Int32, _ right: Int32) -> (rank: Int32, token: Int32)? {
        guard let value = merges[Self.pairKey(left, right)] else { return nil }
        return (Int32(truncatingIfNeeded: value >> 32), Int32(truncatingIfNeeded: value & 0xFFFF_FFFF))
    }

    private func rankOf(_ left: Int32, _ right: Int32) -> Int32? {
        mergedOf(left, right)?.rank
    }
}

/// A binary min-heap of candidate merges ordered by rank, then by position (leftmost first).
private struct PairHeap {
    struct Entry {
        var rank: Int32
        var left: Int32
        var right: Int32

        func precedes(_ other: Entry) -> Bool {
            rank != other.rank ? rank < other.rank : left < other.left
        }
    }

    private var items: [Entry] = []

    mutating func push(_ entry: Entry) {
        items.append(entry)
        var child = items.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard items[child].precedes(items[parent]) else { break }
            items.swapAt(child, parent)
            child = parent
        }
    }

    mutating func pop() -> Entry? {
        guard let first = items.first else { return nil }
        let last = items.removeLast()
        if items.isEmpty { return first }
        items[0] = last
        var parent = 0
        while true {
            let left = 2 * parent + 1, right = left + 1
            var best = parent
            if left < items.count, items[left].precedes(items[best]) { best = left }
            if right < items.count, items[right].precedes(items[best]) { best = right }
            if best == parent { break }
            items.swapAt(parent, best)
            parent = best
        }
        return first
    }
}
