import CBraidKernels

/// Attention walked block by block: each KV block is loaded once for every token that reads it.
extension Transformer {
    /// Scores of every (token, query head) against every visible key, one block at a time for
    /// all the block's readers (`BlockReaders`); softmax per row; then values, again block by
    /// block. The work splits into (KV head, token class) items: token i belongs to class
    /// `i % parts`, so every item walks all blocks but handles only its own readers, and no two
    /// items write the same scores or outputs.
    ///
    /// Needs `heads × tokens × maxVisible` floats of scores; `attend` falls back to per-token
    /// attention when that would be large (long prefills).
    func attendByBlock(layer: Int, part: AttentionPart, readers: BlockReaders, kv: KVStore,
                       qkvRows: UnsafeMutablePointer<Float>, into out: UnsafeMutablePointer<Float>) {
        let c = config
        let n = part.tokens.count, first = part.tokens.lowerBound
        let stride = max(1, part.maxVisible)
        let scoreRows = scores.reserve(c.heads * n * stride)
        // Token classes split the work once it is large, and also whenever the KV heads alone would leave a thread
        // idle: 16 decoding threads of SmolLM2 (3 KV heads) on 2 threads gave one thread two heads and the other one.
        let unevenHeads = c.kvHeads % max(1, attentionThreads) != 0 && n * part.maxVisible >= 256
        let parts = n * part.maxVisible >= 8_192 || unevenHeads ? max(1, min(attentionThreads, n)) : 1
        let fused = c.queryDim + 2 * c.kvDim
        // The readers count tokens from the part's first: so do these rows.
        let job = BlockAttentionJob(layer: layer, config: c, kv: kv, qkvRows: qkvRows + first * fused,
                                    out: out + first * c.queryDim,
                                    scores: scoreRows, stride: stride, tokens: n, readers: readers)
        let items = c.kvHeads * parts
        // A few decoding tokens: one item per KV head still splits across threads once the keys are
        // many (one stream after a long prompt spends a third of its step here); below that, the
        // dispatch costs more than it saves.
        if parts == 1 && (engine.threads == 1 || c.kvHeads == 1 || n * part.maxVisible < 256) {
            for g in 0..<c.kvHeads { job.run(kvHead: g, part: 0, parts: 1) }
            return
        }
        engine.parallelFor(items) { item in
            job.run(kvHead: item / parts, part: item % parts, parts: parts)
        }
    }
}

/// One layer's block-major attention; items write disjoint score rows and output rows.
struct BlockAttentionJob: @unchecked Sendable {
    let layer: Int
    let config: ModelConfig
    let kv: KVStore
    let qkvRows: UnsafeMutablePointer<Float>
    let out: UnsafeMutablePointer<Float>
    /// `[kvHead][token][group head][stride]`.
    let scores: UnsafeMutablePointer<Float>
    let stride: Int
    let tokens: Int
    let readers: BlockReaders

    func run(kvHead g: Int, part: Int, parts: Int) {
        let c = config, d = c.headDim, group = c.heads / c.kvHeads
        let fused = c.queryDim + 2 * c.kvDim
        let scale = 1 / Float(d).squareRoot()
        let rowFloats = group * stride
        let base = scores + g * tokens * rowFloats
        let b = kv.blockTokens
        // Scores: each block's transposed keys once, for all its readers in this part.
        // Blocks lie far apart (a block holds every layer), so the next blocks are prefetched.
        let ahead = 2
        for k in readers.blocks.indices {
            let keys = kv.rows(block: readers.blocks[k], layer: layer, value: false, offset: g * d * b)
            if k + ahead < readers.blocks.count {
                let next = kv.rows(block: readers.blocks[k + ahead], layer: layer, value: false, offset: g * d * b)
                braid_prefetch_rows(next, 1, d * b * kv.precision.bytes, 0)
            }
            for r in readers.start[k]..<readers.start[k + 1] {
                let i = Int(readers.token[r])
                guard i % parts == part else { continue }
                let q = qkvRows + i * fused + g * group * d
                let row = base + i * rowFloats + Int(readers.offset[r])
                let n = Int(readers.count[r])
                if b == 16 {
                    kv.blockScores(q, heads: group, headDim: d, keys: keys, scale: scale, into: row, stride: stride, count: n)
                } else {
                    for h in 0..<group {
                        for t in 0..<n { row[h * stride + t] = kv.slotScore(q + h * d, headDim: d, keys: keys, slot: t) * scale }
                    }
                }
            }
        }
        var i = part
        while i < tokens {
            for h in 0..<group { VectorMath.softmax(base + i * rowFloats + h * stride, count: readers.visible[i]) }
            (out + i * c.queryDim + g * group * d).initialize(repeating: 0, count: group * d)
            i += parts
        }
        // Values: each block's rows once, for all its readers in this part.
        for k in readers.blocks.indices {
            let values = kv.rows(block: readers.blocks[k], layer: layer, value: true, offset: g * d)
            if k + ahead < readers.blocks.count {
                let next = kv.rows(block: readers.blocks[k + ahead], layer: layer, value: true, offset: g * d)
                braid_prefetch_rows(next, b, d * kv.precision.bytes, c.kvDim * kv.precision.bytes)
            }
            for r in readers.start[k]..<readers.start[k + 1] {
                let i = Int(readers.token[r])
                guard i % parts == part else { continue }
                let p = base + i * rowFloats + Int(readers.offset[r])
                let o = out + i * c.queryDim + g * group * d
                kv.blockValues(p, pStride: stride, heads: group, values: values, count: Int(readers.count[r]),
                               headDim: d, into: o)
            }
        }
    }
}
