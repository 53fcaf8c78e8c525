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

        // Attention: norm, fused QKV projection, bias, thought embedding, RoPE, KV write.
        w.attentionNorm.withUnsafeBufferPointer { g in
            for i in 0..<n {
                VectorMath.rmsNorm(x + i * e, weight: g.baseAddress!, epsilon: c.rmsEpsilon, into: xn + i * e, count: e)
            }
        }
        multiplyRows(xn, by: w.qkv, into: qkvRows, yStride: fused)
        if let bias = w.qkvBias {
            bias.withUnsafeBufferPointer { b in
                for i in 0..<n { VectorMath.addScaled(b.baseAddress!, alpha: 1, into: qkvRows + i * fused, count: fused) }
            }
        }
        let half = c.headDim / 2
        let angles = trig.pointer
        for i in 0..<n {
            let row = qkvRows + i * fused
            let k = row + c.queryDim, v = k + c.kvDim
            if let thought = w.thought {
                // k̃ = R(k + T⁽ʲ⁾), ṽ = v + T⁽ʲ⁾, T broadcast over KV heads; j is the segment's.
                thought.withUnsafeBufferPointer { t in
                    let tj = t.baseAddress! + plan.thought[i] * c.headDim
                    for h in 0..<c.kvHeads {
                        VectorMath.addScaled(tj, alpha: 1, into: k + h * c.headDim, count: c.headDim)
                        VectorMath.addScaled(tj, alpha: 1, into: v + h * c.headDim, count: c.headDim)
                    }
                }
            }
            let cosine = angles + i * 2 * half, sine = cosine + half
            rope.apply(row, heads: c.heads, cos: cosine, sin: sine)
            rope.apply(k, heads: c.kvHeads, cos: cosine, sin: sine)
            let block = plan.writeBlock[i], slot = Int(plan.writeRow[i])
            kv.writeKey(k, block: block, slot: slot, layer: layer)
            kv.writeValue(v, block: block, slot: slot, layer: layer)
        }
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
        for i in 0..<n {
            let row = gu + i * 2 * c.ffn
            VectorMath.swiglu(gate: row, up: row + c.ffn, into: act + i * c.ffn, count: c.ffn)
        }
        engine.multiply(act, rows: n, by: CollectionOfOne(w.down), into: xn, yStride: e, kernels: kernels)
        VectorMath.addScaled(xn, alpha: 1, into: x, count: n * e)
    }
}
