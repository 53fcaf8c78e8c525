import CBraidKernels

/// The attention kernels over one KV block, for the store's element type (f32, or binary16 widened on load).
extension KVStore {
    /// scores[h · stride + t] = scale · q_h · k_t for the `heads` query heads at `q` and the block's first `n`
    /// slots, whose transposed keys start at `keys` (16-slot blocks).
    @inline(__always)
    func blockScores(_ q: UnsafePointer<Float>, heads: Int, headDim: Int, keys: UnsafeRawPointer, scale: Float,
                     into scores: UnsafeMutablePointer<Float>, stride: Int, count n: Int) {
        switch precision {
        case .f32:
            braid_block_scores(q, Int32(heads), Int32(headDim), keys.assumingMemoryBound(to: Float.self), scale,
                               scores, stride, Int32(n))
        case .f16:
            braid_block_scores_f16(q, Int32(heads), Int32(headDim), keys.assumingMemoryBound(to: UInt16.self), scale,
                                   scores, stride, Int32(n))
        }
    }

    /// out_h[c] += Σ_t p_h[t] · v_t[c] for `heads` probability rows (p_h = `p + h · pStride`, out_h = `out + h · headDim`)
    /// over the block's first `n` value rows (`kvDim` elements apart) from `values`: each value row is loaded once
    /// for all heads, and each head's sums are formed as a call for that head alone would form them.
    func blockValues(_ p: UnsafePointer<Float>, pStride: Int, heads: Int, values: UnsafeRawPointer, count n: Int,
                     headDim: Int, into out: UnsafeMutablePointer<Float>) {
        switch precision {
        case .f32:
            braid_block_values_heads(p, pStride, Int32(heads), values.assumingMemoryBound(to: Float.self), kvDim,
                                     Int32(n), Int32(headDim), out)
        case .f16:
            braid_block_values_heads_f16(p, pStride, Int32(heads), values.assumingMemoryBound(to: UInt16.self), kvDim,
                                         Int32(n), Int32(headDim), out)
        }
    }

    /// `blockValues` over the output columns `columns` of each head only; each column gets what the full call gives
    /// it, so calls over disjoint column ranges (on different threads) together give what one call gives.
    func blockValues(_ p: UnsafePointer<Float>, pStride: Int, heads: Int, values: UnsafeRawPointer, count n: Int,
                     headDim: Int, columns: Range<Int>, into out: UnsafeMutablePointer<Float>) {
        let first = columns.lowerBound, cols = Int32(columns.count)
        switch precision {
        case .f32:
            braid_block_values_columns(p, pStride, Int32(heads), values.assumingMemoryBound(to: Float.self) + first,
                                       kvDim, Int32(n), Int32(headDim), cols, out + first)
        case .f16:
            braid_block_values_columns_f16(p, pStride, Int32(heads), values.assumingMemoryBound(to: UInt16.self) + first,
                                           kvDim, Int32(n), Int32(headDim), cols, out + first)
        }
    }

    /// Score of one query head against slot `t` of a block of `blockTokens` slots (other block sizes).
    @inline(__always)
    func slotScore(_ q: UnsafePointer<Float>, headDim: Int, keys: UnsafeRawPointer, slot t: Int) -> Float {
        var sum: Float = 0
        for j in 0..<headDim { sum += q[j] * element(keys, j * blockTokens + t) }
        return sum
    }
}
