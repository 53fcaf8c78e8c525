import CBraidKernels
import Foundation

/// Scaled dot-product attention of each query token over the keys its plan lets it see.
extension Transformer {
    /// For every token and KV head: scores of the query heads that share the KV head against
    /// every visible key (read straight from the KV blocks, already rotated; with 16-token
    /// blocks a block's 16 scores are `headDim` 16-lane FMAs over the transposed keys, in
    /// `CBraidKernels`), softmax, weighted sum of values. Each key and value row is loaded once for its whole query-head group
    /// (grouped-query attention: query head h reads KV head `h / (heads / kvHeads)`).
    ///
    /// Work items (token, KV head) are independent, so large batches are spread over
    /// `attentionThreads` workers; each worker has its own score rows.
    ///
    /// Each part of the call (`attentionParts`) attends on its own, with the path, score stride and work split
    /// it would get if it were the whole batch: parts never share KV blocks, so nothing is lost, and a part's
    /// numbers do not depend on what else is in the pass.
    func attend(layer: Int, kv: KVStore, qkvRows: UnsafeMutablePointer<Float>, into out: UnsafeMutablePointer<Float>) {
        for (p, part) in attentionParts.enumerated() {
            if part.blockMajor {
                attendByBlock(layer: layer, part: part, readers: readers[p], kv: kv, qkvRows: qkvRows, into: out)
            } else {
                attendByToken(layer: layer, part: part, kv: kv, qkvRows: qkvRows, into: out)
            }
        }
    }

    /// Token-major attention of one part: each (token, KV head) item walks the token's spans.
    func attendByToken(layer: Int, part: AttentionPart, kv: KVStore,
                       qkvRows: UnsafeMutablePointer<Float>, into out: UnsafeMutablePointer<Float>) {
        let c = config
        let group = c.heads / c.kvHeads
        let stride = max(1, part.maxVisible)
        let items = part.tokens.count * c.kvHeads
        // Below ~64k key reads per layer, the dispatch costs more than it saves.
        let workers = items * part.maxVisible >= 65_536 ? max(1, min(attentionThreads, items)) : 1
        let scoreRows = scores.reserve(workers * group * stride)
        let job = AttentionJob(layer: layer, config: c, kv: kv, qkvRows: qkvRows, out: out, scores: scoreRows,
                               first: part.tokens.lowerBound,
                               spanBlock: plan.spanBlock, spanCount: plan.spanCount, spanStart: plan.spanStart)
        if workers == 1 {
            for item in 0..<items { job.run(item: item, scores: scoreRows, stride: stride) }
            return
        }
        engine.parallelFor(workers) { w in
            var item = w
            while item < items {
                job.run(item: item, scores: job.scores + w * group * stride, stride: stride)
                item += workers
            }
        }
    }
}

/// One layer's attention inputs, shared by the workers: each writes only its own output rows
/// and score rows, and reads the KV blocks, which nothing writes during attention.
struct AttentionJob: @unchecked Sendable {
    let layer: Int
    let config: ModelConfig
    let kv: KVStore
    let qkvRows: UnsafeMutablePointer<Float>
    let out: UnsafeMutablePointer<Float>
    /// Score rows: `group × stride` floats per worker.
    let scores: UnsafeMutablePointer<Float>
    /// The batch index of the part's first token (items count from it).
    let first: Int
    let spanBlock: [Int32]
    let spanCount: [Int32]
    let spanStart: [Int]

    /// Attention of token `first + item / kvHeads` for the query heads of KV head `item % kvHeads`.
    func run(item: Int, scores: UnsafeMutablePointer<Float>, stride: Int) {
        let c = config, d = c.headDim
        let group = c.heads / c.kvHeads
        let i = first + item / c.kvHeads, g = item % c.kvHeads
        let fused = c.queryDim + 2 * c.kvDim
        let scale = 1 / Float(d).squareRoot()
        let q = qkvRows + i * fused + g * group * d
        let spans = spanStart[i]..<spanStart[i + 1]
        let headOffset = g * d
        let b = kv.blockTokens
        var count = 0
        for s in spans {
            // Transposed keys: row j of this KV head holds dimension j of every slot.
            let keys = kv.rows(block: spanBlock[s], layer: layer, value: false, offset: headOffset * b)
            let n = Int(spanCount[s])
            if b == 16 {
                // All heads of the group against the block's 16 slots (C kernel, widest SIMD).
                kv.blockScores(q, heads: group, headDim: d, keys: keys, scale: scale, into: scores + count,
                               stride: stride, count: n)
            } else {
                for h in 0..<group {
                    let row = scores + h * stride + count
                    for t in 0..<n { row[t] = kv.slotScore(q + h * d, headDim: d, keys: keys, slot: t) * scale }
                }
            }
            count += n
        }
        let o = out + i * c.queryDim + g * group * d
        o.initialize(repeating: 0, count: group * d)
        for h in 0..<group { VectorMath.softmax(scores + h * stride, count: count) }
        // Weighted sum of values, block by block, for all heads of the group at once; the kernel keeps 32 output
        // dimensions of each head in registers across a block's slots.
        var k = 0
        for s in spans {
            let values = kv.rows(block: spanBlock[s], layer: layer, value: true, offset: headOffset)
            let n = Int(spanCount[s])
            kv.blockValues(scores + k, pStride: stride, heads: group, values: values, count: n, headDim: d, into: o)
            k += n
        }
    }
}
