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
        // Fewer tokens than threads cannot even out uneven heads by class (the summary of 16 paths: one token,
        // 1100 keys, 3 KV heads on 2 threads): split each head's blocks for the scores and its columns for the values.
        if unevenHeads && n < attentionThreads && n * part.maxVisible >= Self.keySplitMinimum && engine.threads > 1 {
            attendSplitByKeys(job)
            return
        }
        let items = c.kvHeads * parts
        // A few decoding tokens: one item per KV head still splits across threads once the keys are
        // many (one stream after a long prompt spends a third of its step here); below that, the
        // dispatch costs more than it saves.
        if parts == 1 && (engine.threads == 1 || c.kvHeads == 1 || n * part.maxVisible < 256) {
            for g in 0..<c.kvHeads { job.run(kvHead: g, part: 0, parts: 1) }
            return
        }
        var dispatch = BlockAttentionItems(job: job, step: .whole(parts: parts))
        engine.run(blockAttentionTask, context: &dispatch, count: items)
    }

    /// Key reads (tokens × visible keys) from which `attendSplitByKeys` pays for its second dispatch.
    static let keySplitMinimum = 512

    /// Block-major attention in two parallel steps that both even out over the threads whatever the head count:
    /// scores by (KV head, slice of the blocks), then softmax and values by (KV head, 32 output columns of each
    /// head). Every item of the second step softmaxes its own copy of the head's score rows, as `run` would in
    /// place; each score, probability and output column is then formed exactly as `run` forms it.
    func attendSplitByKeys(_ job: BlockAttentionJob) {
        let c = config
        var scores = BlockAttentionItems(job: job, step: .scores(slices: attentionThreads))
        engine.run(blockAttentionTask, context: &scores, count: c.kvHeads * attentionThreads)
        let chunks = (c.headDim + 31) / 32
        let copies = probabilities.reserve(c.kvHeads * chunks * job.tokens * job.rowFloats)
        var finish = BlockAttentionItems(job: job, step: .finish(chunks: chunks, copies: copies))
        engine.run(blockAttentionTask, context: &finish, count: c.kvHeads * chunks)
    }
}

/// The items of one dispatch of block-major attention, as the pool's context (`blockAttentionTask`).
struct BlockAttentionItems {
    enum Step {
        /// Item (KV head, token class of `parts`): `BlockAttentionJob.run`.
        case whole(parts: Int)
        /// Item (KV head, slice of `slices` of the blocks): the scores.
        case scores(slices: Int)
        /// Item (KV head, chunk of 32 columns of `chunks`): softmax of a copy of the head's score rows (the item's
        /// own, in `copies`), then the chunk's value sums.
        case finish(chunks: Int, copies: UnsafeMutablePointer<Float>)
    }
    let job: BlockAttentionJob
    let step: Step

    func run(_ item: Int) {
        switch step {
        case .whole(let parts):
            job.run(kvHead: item / parts, part: item % parts, parts: parts)
        case .scores(let slices):
            let s = item % slices, blocks = job.readers.blocks.count
            job.scores(kvHead: item / slices, blocks: blocks * s / slices..<blocks * (s + 1) / slices, part: 0, parts: 1)
        case .finish(let chunks, let copies):
            let g = item / chunks, k = item % chunks, d = job.config.headDim
            let floats = job.tokens * job.rowFloats, copy = copies + item * floats
            copy.update(from: job.scoreRows(kvHead: g), count: floats)
            job.finish(kvHead: g, probabilities: copy, columns: 32 * k..<min(d, 32 * k + 32), part: 0, parts: 1)
        }
    }
}

/// Runs item `item` of the `BlockAttentionItems` at `context`.
private let blockAttentionTask: braid_pool_task = { context, item, _ in
    context?.assumingMemoryBound(to: BlockAttentionItems.self).pointee.run(item)
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
    /// Blocks fetched ahead of the one in use: they lie far apart (a block holds every layer).
    static let ahead = 2

    /// Floats of one token's score rows for one KV head (all heads of its group).
    var rowFloats: Int { config.heads / config.kvHeads * stride }

    /// KV head `g`'s score rows: `[token][group head][stride]`.
    func scoreRows(kvHead g: Int) -> UnsafeMutablePointer<Float> { scores + g * tokens * rowFloats }

    /// Everything for KV head `g` and the tokens of class `part`: scores, softmax in place, values.
    func run(kvHead g: Int, part: Int, parts: Int) {
        scores(kvHead: g, blocks: readers.blocks.indices, part: part, parts: parts)
        finish(kvHead: g, probabilities: scoreRows(kvHead: g), columns: 0..<config.headDim, part: part, parts: parts)
    }

    /// Scores of KV head `g`'s query heads against readers' blocks `blocks`, for the tokens of class `part`: each
    /// block's transposed keys once, for all its readers in the class.
    func scores(kvHead g: Int, blocks: Range<Int>, part: Int, parts: Int) {
        let c = config, d = c.headDim, group = c.heads / c.kvHeads
        let fused = c.queryDim + 2 * c.kvDim
        let scale = 1 / Float(d).squareRoot()
        let base = scoreRows(kvHead: g), rowFloats = self.rowFloats
        let b = kv.blockTokens, keyBytes = d * b * kv.precision.bytes
        GatheredVectors.with(minimum: group) { gathered in
            walk(blocks, part: part, parts: parts) { k, _ in
                // A block's keys are read whole (the kernel loads all 16 slots of each dimension).
                braid_prefetch_rows(kv.rows(block: readers.blocks[k], layer: layer, value: false, offset: g * d * b), 1,
                                    keyBytes, 0)
            } body: { k in
                let keys = kv.rows(block: readers.blocks[k], layer: layer, value: false, offset: g * d * b)
                for r in readers.start[k]..<readers.start[k + 1] {
                    let i = Int(readers.token[r])
                    guard i % parts == part else { continue }
                    let q = qkvRows + i * fused + g * group * d
                    let row = base + i * rowFloats + Int(readers.offset[r])
                    let n = Int(readers.count[r])
                    guard b == 16 else {
                        for h in 0..<group {
                            for t in 0..<n { row[h * stride + t] = kv.slotScore(q + h * d, headDim: d, keys: keys, slot: t) * scale }
                        }
                        continue
                    }
                    // Every reader of the class in one gathering: the block is loaded once for all their heads.
                    if !gathered.hasRoom(for: group) {
                        kv.blockScores(gathered, headDim: d, keys: keys, scale: scale)
                        gathered.removeAll()
                    }
                    for h in 0..<group { gathered.append(q + h * d, output: row + h * stride, slots: n) }
                }
                if gathered.count > 0 {
                    kv.blockScores(gathered, headDim: d, keys: keys, scale: scale)
                    gathered.removeAll()
                }
            }
        }
    }

    /// Softmax of KV head `g`'s score rows at `probabilities` (in place) for the tokens of class `part`, then the
    /// output columns `columns` of each of its query heads: zeroed, and summed over the values block by block (each
    /// block's rows once, for all its readers in the class).
    func finish(kvHead g: Int, probabilities base: UnsafeMutablePointer<Float>, columns: Range<Int>, part: Int,
                parts: Int) {
        let c = config, d = c.headDim, group = c.heads / c.kvHeads
        let rowFloats = self.rowFloats
        var i = part
        while i < tokens {
            for h in 0..<group {
                VectorMath.softmax(base + i * rowFloats + h * stride, count: readers.visible[i])
                (out + i * c.queryDim + (g * group + h) * d + columns.lowerBound).initialize(repeating: 0, count: columns.count)
            }
            i += parts
        }
        let bytes = kv.precision.bytes
        let offset = g * d + columns.lowerBound
        GatheredVectors.with(minimum: group) { gathered in
            walk(0..<readers.blocks.count, part: part, parts: parts) { k, slots in
                let rows = kv.rows(block: readers.blocks[k], layer: layer, value: true, offset: offset)
                braid_prefetch_rows(rows, slots, columns.count * bytes, c.kvDim * bytes)
            } body: { k in
                // The columns' values of the block, once for every reader of the class.
                let values = kv.rows(block: readers.blocks[k], layer: layer, value: true, offset: offset)
                for r in readers.start[k]..<readers.start[k + 1] {
                    let i = Int(readers.token[r])
                    guard i % parts == part else { continue }
                    if !gathered.hasRoom(for: group) {
                        kv.blockValues(gathered, values: values, columns: columns.count)
                        gathered.removeAll()
                    }
                    let p = base + i * rowFloats + Int(readers.offset[r])
                    let o = out + i * c.queryDim + g * group * d + columns.lowerBound
                    for h in 0..<group { gathered.append(p + h * stride, output: o + h * d, slots: Int(readers.count[r])) }
                }
                if gathered.count > 0 {
                    kv.blockValues(gathered, values: values, columns: columns.count)
                    gathered.removeAll()
                }
            }
        }
    }

    /// The most slots of block `k` that a reader of token class `part` sees; 0 when none of them reads it.
    func slotsRead(block k: Int, part: Int, parts: Int) -> Int {
        var most = 0
        for r in readers.start[k]..<readers.start[k + 1] where Int(readers.token[r]) % parts == part {
            most = max(most, Int(readers.count[r]))
        }
        return most
    }

    /// Calls `body` for each block of `blocks` that class `part` reads, in order, after `fetch` (block, slots read)
    /// has been called for it and for up to `ahead` such blocks after it. Blocks lie far apart (a block holds every
    /// layer), so the hardware prefetcher cannot guess the next; and a class skips the blocks only other classes
    /// read, so fetching those would double the memory traffic of two threads each walking every path's blocks.
    @inline(__always)
    func walk(_ blocks: Range<Int>, part: Int, parts: Int, fetch: (Int, Int) -> Void, body: (Int) -> Void) {
        var next = blocks.lowerBound, queued = 0
        for k in blocks {
            if slotsRead(block: k, part: part, parts: parts) == 0 { continue }
            while queued <= Self.ahead && next < blocks.upperBound {
                let slots = slotsRead(block: next, part: part, parts: parts)
                if slots > 0 {
                    fetch(next, slots)
                    queued += 1
                }
                next += 1
            }
            body(k)
            queued -= 1
        }
    }
}
