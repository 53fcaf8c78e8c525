import CBraidKernels

/// The per-row steps of a layer between its matrix products: QKV bias, thought embedding, RoPE and the KV write before
/// attention; SwiGLU in the FFN. Each row is independent of the others, so from `RowWork.minimumRows` rows on they
/// split into one contiguous range per thread instead of running on the calling thread while the others wait: at 16
/// decoding rows they were about 4% of a SmolLM2 step (0.28 ms of 13 ms), all of it on one core.
extension Transformer {
    /// Bias, thought embedding, RoPE and KV write of rows [0, n) of the fused QKV rows.
    func prepareAttentionRows(_ layer: Int, rows n: Int, qkvRows: UnsafeMutablePointer<Float>, kv: KVStore) {
        let w = weights.layers[layer]
        guard n >= RowWork.minimumRows, engine.threads > 1 else {
            for i in 0..<n { prepareAttentionRow(i, layer: layer, weights: w, qkvRows: qkvRows, kv: kv) }
            return
        }
        var work = RowWork(rows: n, parts: engine.threads,
                           step: .attention(model: self, layer: layer, weights: w, qkvRows: qkvRows, kv: kv))
        engine.run(rowWorkTask, context: &work, count: engine.threads)
    }

    /// SwiGLU of rows [0, n) of the fused gate/up rows into `act`.
    func swiglu(rows n: Int, gateUp: UnsafeMutablePointer<Float>, into act: UnsafeMutablePointer<Float>) {
        guard n >= RowWork.minimumRows, engine.threads > 1 else {
            for i in 0..<n { swigluRow(i, gateUp: gateUp, into: act, ffn: config.ffn) }
            return
        }
        var work = RowWork(rows: n, parts: engine.threads, step: .swiglu(gateUp: gateUp, act: act, ffn: config.ffn))
        engine.run(rowWorkTask, context: &work, count: engine.threads)
    }

    /// Row i: QKV bias; k̃ = R(k + T⁽ʲ⁾), ṽ = v + T⁽ʲ⁾ (T broadcast over KV heads, j the segment's thought); RoPE of q and
    /// k; k̃ and ṽ stored at the row's KV slot. `w` is layer `layer`'s weights, read once per call of the rows.
    func prepareAttentionRow(_ i: Int, layer: Int, weights w: LayerWeights, qkvRows: UnsafeMutablePointer<Float>,
                             kv: KVStore) {
        let c = config
        let fused = c.queryDim + 2 * c.kvDim
        let row = qkvRows + i * fused
        let k = row + c.queryDim, v = k + c.kvDim
        if let bias = w.qkvBias {
            bias.withUnsafeBufferPointer { VectorMath.addScaled($0.baseAddress!, alpha: 1, into: row, count: fused) }
        }
        if let thought = w.thought {
            thought.withUnsafeBufferPointer { t in
                let tj = t.baseAddress! + plan.thought[i] * c.headDim
                for h in 0..<c.kvHeads {
                    VectorMath.addScaled(tj, alpha: 1, into: k + h * c.headDim, count: c.headDim)
                    VectorMath.addScaled(tj, alpha: 1, into: v + h * c.headDim, count: c.headDim)
                }
            }
        }
        let half = c.headDim / 2
        let cosine = trig.pointer + i * 2 * half, sine = cosine + half
        rope.apply(row, heads: c.heads, cos: cosine, sin: sine)
        rope.apply(k, heads: c.kvHeads, cos: cosine, sin: sine)
        let block = plan.writeBlock[i], slot = Int(plan.writeRow[i])
        kv.writeKey(k, block: block, slot: slot, layer: layer)
        kv.writeValue(v, block: block, slot: slot, layer: layer)
    }
}

/// SwiGLU of row i of the fused gate/up rows (`2 · ffn` floats each) into row i of `act`.
@inline(__always)
private func swigluRow(_ i: Int, gateUp: UnsafeMutablePointer<Float>, into act: UnsafeMutablePointer<Float>, ffn: Int) {
    let row = gateUp + i * 2 * ffn
    VectorMath.swiglu(gate: row, up: row + ffn, into: act + i * ffn, count: ffn)
}

/// One dispatch of per-row steps, as the pool's context (`rowWorkTask`): item p of `parts` takes rows
/// [rows·p/parts, rows·(p+1)/parts), so each row is written by one thread, and a row's result is the same on any.
struct RowWork {
    /// Below this many rows a dispatch costs more than the rows (one decoding stream, a few paths).
    static let minimumRows = 8

    enum Step {
        case attention(model: Transformer, layer: Int, weights: LayerWeights, qkvRows: UnsafeMutablePointer<Float>,
                       kv: KVStore)
        case swiglu(gateUp: UnsafeMutablePointer<Float>, act: UnsafeMutablePointer<Float>, ffn: Int)
    }
    let rows: Int
    let parts: Int
    let step: Step

    func run(_ part: Int) {
        let lo = rows * part / parts, hi = rows * (part + 1) / parts
        switch step {
        case .attention(let model, let layer, let weights, let qkvRows, let kv):
            for i in lo..<hi { model.prepareAttentionRow(i, layer: layer, weights: weights, qkvRows: qkvRows, kv: kv) }
        case .swiglu(let gateUp, let act, let ffn):
            for i in lo..<hi { swigluRow(i, gateUp: gateUp, into: act, ffn: ffn) }
        }
    }
}

/// Runs part `item` of the `RowWork` at `context`.
private let rowWorkTask: braid_pool_task = { context, item, _ in
    context?.assumingMemoryBound(to: RowWork.self).pointee.run(item)
}
