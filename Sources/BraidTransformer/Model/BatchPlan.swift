/// What one forward call needs to know about its tokens' KV, resolved once and shared by all
/// layers: where each token's K/V row goes, and which stored keys it may read.
///
/// A token's visible keys are a list of *spans* (a block and how many of its rows count):
/// every token of every non-own segment of its view, then its own segment up to and
/// including itself. Other segments are read at their length after this batch's writes, so a
/// summary token in the same batch as path tokens sees them.
struct BatchPlan {
    /// Per token: the block and row its K/V are written to.
    var writeBlock: [Int32] = []
    var writeRow: [Int32] = []
    /// Flattened spans; token i's spans are `spanStart[i]..<spanStart[i+1]`.
    var spanBlock: [Int32] = []
    var spanCount: [Int32] = []
    var spanStart: [Int] = [0]
    /// Per token: thought index of its segment.
    var thought: [Int] = []
    /// Per token: the number of keys it sees.
    var visible: [Int] = []
    /// The largest number of keys any token sees (size of the score buffer).
    var maxVisible = 0

    mutating func removeAll() {
        writeBlock.removeAll(keepingCapacity: true)
        writeRow.removeAll(keepingCapacity: true)
        spanBlock.removeAll(keepingCapacity: true)
        spanCount.removeAll(keepingCapacity: true)
        spanStart.removeAll(keepingCapacity: true)
        spanStart.append(0)
        thought.removeAll(keepingCapacity: true)
        visible.removeAll(keepingCapacity: true)
        maxVisible = 0
    }

    /// Validates the batch, reserves KV slots for its tokens and resolves their spans.
    /// Nothing is reserved when validation fails; a failed reservation is rolled back.
    mutating func build(batch: [QueryToken], kv: KVStore, config: ModelConfig) throws {
        removeAll()
        var viewLists: [ViewID: [SegmentID]] = [:]
        for (i, q) in batch.enumerated() {
            guard q.token >= 0, Int(q.token) < config.vocabSize else {
                throw ModelError.invalidQuery(index: i, reason: "token id \(q.token) is outside the vocabulary 0..<\(config.vocabSize)")
            }
            guard q.position >= 0 else { throw ModelError.invalidQuery(index: i, reason: "position \(q.position) is negative") }
            if viewLists[q.view] == nil { viewLists[q.view] = try kv.segments(of: q.view) }
            guard viewLists[q.view]?.last == q.segment else {
                throw ModelError.invalidQuery(index: i, reason: "\(q.view) does not end with the token's own \(q.segment)")
            }
            let j = try kv.thought(of: q.segment)
            if config.thoughtSlots > 0, j >= config.thoughtSlots {
                throw ModelError.invalidQuery(index: i, reason: "thought index \(j) of \(q.segment) exceeds the model's \(config.thoughtSlots) thought embeddings")
            }
            thought.append(j)
        }
        // Reserve per segment in first-appearance order; tokens of one segment take
        // consecutive slots in batch order.
        var counts: [SegmentID: Int] = [:]
        var order: [SegmentID] = []
        for q in batch {
            if counts[q.segment] == nil { order.append(q.segment) }
            counts[q.segment, default: 0] += 1
        }
        var next: [SegmentID: Int] = [:]
        var reserved: [(SegmentID, Int)] = []
        do {
            for s in order {
                let start = try kv.reserve(s, count: counts[s] ?? 0)
                reserved.append((s, start))
                next[s] = start
            }
        } catch {
            for (s, start) in reserved { try? kv.truncate(s, to: start) }
            throw error
        }
        var blockLists: [SegmentID: [Int32]] = [:]
        for list in viewLists.values {
            for s in list where blockLists[s] == nil { blockLists[s] = try kv.blocks(of: s) }
        }
        let b = kv.blockTokens
        for q in batch {
            let slot = next[q.segment] ?? 0
            next[q.segment] = slot + 1
            let own = blockLists[q.segment] ?? []
            writeBlock.append(own[slot / b])
            writeRow.append(Int32(slot % b))
            var visible = 0
            for s in viewLists[q.view] ?? [] {
                let length = s == q.segment ? slot + 1 : try kv.length(of: s)
                let blocks = blockLists[s] ?? []
                var remaining = length
                var k = 0
                while remaining > 0 {
                    let n = min(b, remaining)
                    spanBlock.append(blocks[k])
                    spanCount.append(Int32(n))
                    remaining -= n
                    k += 1
                }
                visible += length
            }
            spanStart.append(spanBlock.count)
            self.visible.append(visible)
            maxVisible = max(maxVisible, visible)
        }
    }
}

extension BatchPlan {
    /// The largest number of keys a token of `tokens` sees.
    func maxVisible(in tokens: Range<Int>) -> Int {
        visible[tokens].max() ?? 0
    }
}
