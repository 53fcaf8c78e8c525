/// A batch's visible KV spans regrouped by block: for every block some token reads, which tokens
/// read it, where its scores go in each token's score row, and how many of its slots each sees.
///
/// Attention walks this block by block, so a block's keys and values are loaded once (and stay
/// in L1) for every token that reads them — a prompt shared by 16 streams is read once per
/// step, not 16 times. Built once per forward call from the `BatchPlan`; its arrays keep their
/// capacity, so steady-state decoding does not grow them.
struct BlockReaders {
    /// Distinct blocks, in first-appearance order.
    var blocks: [Int32] = []
    /// Readers of `blocks[k]` are `start[k] ..< start[k + 1]`.
    var start: [Int] = [0]
    /// Per reader: the token, counted from the first token of the range it was built for.
    var token: [Int32] = []
    /// Per reader: the column of the block's first slot in the token's score row.
    var offset: [Int32] = []
    /// Per reader: how many of the block's slots the token sees.
    var count: [Int32] = []
    /// Per token: the number of keys it sees (the length of its score row).
    var visible: [Int] = []

    /// Regroups the spans of the plan's tokens `range` (token indices here count from `range.lowerBound`).
    mutating func build(from plan: BatchPlan, tokens range: Range<Int>) {
        blocks.removeAll(keepingCapacity: true)
        start.removeAll(keepingCapacity: true)
        visible.removeAll(keepingCapacity: true)
        var slot: [Int32: Int] = [:]
        var readers: [Int] = []
        for i in range {
            var seen = 0
            for s in plan.spanStart[i]..<plan.spanStart[i + 1] {
                let b = plan.spanBlock[s]
                if let k = slot[b] {
                    readers[k] += 1
                } else {
                    slot[b] = blocks.count
                    blocks.append(b)
                    readers.append(1)
                }
                seen += Int(plan.spanCount[s])
            }
            visible.append(seen)
        }
        // Prefix sums give each block's range; a cursor per block fills it in token order.
        var total = 0
        for r in readers {
            start.append(total)
            total += r
        }
        start.append(total)
        for list in [\BlockReaders.token, \BlockReaders.offset, \BlockReaders.count] {
            self[keyPath: list].removeAll(keepingCapacity: true)
            self[keyPath: list].append(contentsOf: repeatElement(0, count: total))
        }
        var cursor = Array(start.dropLast())
        for i in range {
            var column: Int32 = 0
            for s in plan.spanStart[i]..<plan.spanStart[i + 1] {
                guard let k = slot[plan.spanBlock[s]] else { continue }
                let at = cursor[k]
                cursor[k] += 1
                token[at] = Int32(i - range.lowerBound)
                offset[at] = column
                count[at] = plan.spanCount[s]
                column += plan.spanCount[s]
            }
        }
    }
}
