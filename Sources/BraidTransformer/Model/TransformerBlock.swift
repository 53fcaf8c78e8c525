/// One transformer block of the forward pass (pre-norm attention, then pre-norm SwiGLU FFN).
extension Transformer {
    func runLayer(_ layer: Int, batch: [QueryToken], kv: KVStore) {
        let c = config, w = weights.layers[layer]
        let n = batch.count, e = c.embedding
        let fused = c.queryDim + 2 * c.kvDim
        let x = residual.pointer
        let xn = normed.reserve(n * e)
        let qkvRows = qkv.reserve(n * fused)
        let attnOut = attention.reserve(n * c.queryDim)

        // Attention: norm, fused QKV projection, then bias, thought embedding, RoPE and KV write per row.
        w.attentionNorm.withUnsafeBufferPointer { g in
            for i in 0..<n {
                VectorMath.rmsNorm(x + i * e, weight: g.baseAddress!, epsilon: c.rmsEpsilon, into: xn + i * e, count: e)
            }
        }
        // The blocks this pass writes, fetched while the QKV product runs: a token's transposed key touches every line
        // of its block's keys, and attention then reads the block whole, so both would wait on cold memory.
        var last: Int32 = -1
        for i in 0..<n where plan.writeBlock[i] != last {
            last = plan.writeBlock[i]
            kv.prefetch(block: last, layer: layer)
        }
        multiplyRows(xn, by: w.qkv, into: qkvRows, yStride: fused)
        prepareAttentionRows(layer, rows: n, qkvRows: qkvRows, kv: kv)
        attend(layer: layer, kv: kv, qkvRows: qkvRows, into: attnOut)

        // Output projection; xn is free again and receives it before the residual add.
        multiplyRows(attnOut, by: CollectionOfOne(w.attentionOutput), into: xn, yStride: e)
        VectorMath.addScaled(xn, alpha: 1, into: x, count: n * e)

        // FFN: norm, fused gate/up, SwiGLU, down, residual. Each row on its own, so a long prefill runs it a chunk of
        // rows at a time: its scratch (3 × ffn floats a row) stays bounded however long the prompt.
        for group in rowGroups {
            var start = group.start
            while start < group.start + group.count {
                let rows = min(Self.feedForwardRows, group.start + group.count - start)
                feedForward(layer, rows: start..<start + rows, kernels: group.kernels)
                start += rows
            }
        }
    }

    /// Rows of one feed-forward chunk: long enough that a dequantized weight tile (the exact mode's prefill) still
    /// serves many rows, short enough that a 1 000-token prompt does not hold 18 MB of FFN scratch.
    static let feedForwardRows = 256

    /// The FFN of rows `range` of the pass (all in one row group, whose regime `kernels` they keep): residual
    /// += down(SwiGLU(gate/up(RMSNorm(residual)))).
    func feedForward(_ layer: Int, rows range: Range<Int>, kernels: Bool) {
        let c = config, w = weights.layers[layer]
        let e = c.embedding, n = range.count
        let x = residual.pointer + range.lowerBound * e
        let xn = normed.pointer + range.lowerBound * e
        let gu = hidden.reserve(n * 2 * c.ffn)
        let act = ffn.reserve(n * c.ffn)
        w.ffnNorm.withUnsafeBufferPointer { g in
            for i in 0..<n {
                VectorMath.rmsNorm(x + i * e, weight: g.baseAddress!, epsilon: c.rmsEpsilon, into: xn + i * e, count: e)
            }
        }
        engine.multiply(xn, rows: n, by: w.gateUp, into: gu, yStride: 2 * c.ffn, kernels: kernels)
        swiglu(rows: n, gateUp: gu, into: act)
        engine.multiply(act, rows: n, by: CollectionOfOne(w.down), into: xn, yStride: e, kernels: kernels)
        VectorMath.addScaled(xn, alpha: 1, into: x, count: n * e)
    }
}
