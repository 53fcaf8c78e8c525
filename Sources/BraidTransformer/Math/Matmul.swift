import COpenBLAS

/// Dense matrix products on OpenBLAS.
///
/// Weights are stored the way GGUF stores them: a matrix with `outputs` rows of `inputs`
/// contiguous elements (ggml's `ne0` is the row length). Activations are row-major
/// `[rows, inputs]`. Every product in the model is therefore `Y = X · Wᵀ`.
enum Matmul {
    /// `y[rows, outputs] = x[rows, inputs] · w[outputs, inputs]ᵀ` (overwrites `y`).
    ///
    /// Up to `smallBatchLimit` rows (decoding: one row per thread) use `smallBatch`, which
    /// streams each weight row once for up to four rows at a time. OpenBLAS's sgemm packs the
    /// whole weight matrix first, which for a few rows costs up to twice the bandwidth-bound
    /// time (SmolLM2 decode, 4 threads: 36 tok/s with sgemm, 62–70 with `smallBatch`;
    /// 8 threads: 59 against 65), and `smallBatch` forms every row's sums in the same order
    /// whatever else is in the batch, so a thread decoded alone or beside up to
    /// `smallBatchLimit − 1` others gets bit-identical logits. Larger batches (prefill) are
    /// compute-bound and go to sgemm.
    static func multiplyTransposed(
        _ x: UnsafePointer<Float>, rows: Int, inputs: Int,
        weights w: UnsafePointer<Float>, outputs: Int,
        into y: UnsafeMutablePointer<Float>
    ) {
        guard rows > 0, outputs > 0 else { return }
        if rows <= smallBatchLimit && inputs % 4 == 0 {
            var r = 0
            while r < rows {
                let tile = min(4, rows - r)
                smallBatch(x + r * inputs, rows: tile, inputs: inputs, weights: w, outputs: outputs,
                           into: y + r * outputs)
                r += tile
            }
        } else if rows <= smallBatchLimit {
            // Odd row lengths (not in any supported model): one sgemv per row, still row-invariant.
            for r in 0..<rows {
                cblas_sgemv(CblasRowMajor, CblasNoTrans, Int32(outputs), Int32(inputs),
                            1, w, Int32(inputs), x + r * inputs, 1, 0, y + r * outputs, 1)
            }
        } else {
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans,
                        Int32(rows), Int32(outputs), Int32(inputs),
                        1, x, Int32(inputs), w, Int32(inputs), 0, y, Int32(outputs))
        }
    }

    /// Batches up to this many rows use the weight-streaming, row-invariant kernel.
    static let smallBatchLimit = 8

    /// Up to four rows against every weight row: one pass over the weights, one SIMD
    /// accumulator per row, two weight rows in flight for instruction-level parallelism.
    /// Each row's sums are formed in the same order whatever the other rows are.
    /// Requires `inputs % 4 == 0` and `1 ≤ rows ≤ 4`.
    private static func smallBatch(
        _ x: UnsafePointer<Float>, rows m: Int, inputs n: Int,
        weights w: UnsafePointer<Float>, outputs: Int, into y: UnsafeMutablePointer<Float>
    ) {
        let rx = UnsafeRawPointer(x), rw = UnsafeRawPointer(w)
        // Missing rows repeat the last one (their results are not stored).
        let s1 = min(1, m - 1) * n * 4, s2 = min(2, m - 1) * n * 4, s3 = min(3, m - 1) * n * 4
        let rowBytes = n * 4
        func store(_ o: Int, _ a0: SIMD4<Float>, _ a1: SIMD4<Float>, _ a2: SIMD4<Float>, _ a3: SIMD4<Float>) {
            y[o] = a0.sum()
            if m > 1 { y[outputs + o] = a1.sum() }
            if m > 2 { y[2 * outputs + o] = a2.sum() }
            if m > 3 { y[3 * outputs + o] = a3.sum() }
        }
        var o = 0
        while o + 2 <= outputs {
            var a0 = SIMD4<Float>(), a1 = SIMD4<Float>(), a2 = SIMD4<Float>(), a3 = SIMD4<Float>()
            var b0 = SIMD4<Float>(), b1 = SIMD4<Float>(), b2 = SIMD4<Float>(), b3 = SIMD4<Float>()
            let row = o * rowBytes
            var k = 0
            while k < rowBytes {
                let wa = rw.loadUnaligned(fromByteOffset: row + k, as: SIMD4<Float>.self)
                let wb = rw.loadUnaligned(fromByteOffset: row + rowBytes + k, as: SIMD4<Float>.self)
                let x0 = rx.loadUnaligned(fromByteOffset: k, as: SIMD4<Float>.self)
                let x1 = rx.loadUnaligned(fromByteOffset: s1 + k, as: SIMD4<Float>.self)
                a0 += wa * x0
                b0 += wb * x0
                a1 += wa * x1
                b1 += wb * x1
                let x2 = rx.loadUnaligned(fromByteOffset: s2 + k, as: SIMD4<Float>.self)
                let x3 = rx.loadUnaligned(fromByteOffset: s3 + k, as: SIMD4<Float>.self)
                a2 += wa * x2
                b2 += wb * x2
                a3 += wa * x3
                b3 += wb * x3
                k += 16
            }
            store(o, a0, a1, a2, a3)
            store(o + 1, b0, b1, b2, b3)
            o += 2
        }
        if o < outputs {
            var a0 = SIMD4<Float>(), a1 = SIMD4<Float>(), a2 = SIMD4<Float>(), a3 = SIMD4<Float>()
            let row = o * rowBytes
            var k = 0
            while k < rowBytes {
                let wa = rw.loadUnaligned(fromByteOffset: row + k, as: SIMD4<Float>.self)
                a0 += wa * rx.loadUnaligned(fromByteOffset: k, as: SIMD4<Float>.self)
                a1 += wa * rx.loadUnaligned(fromByteOffset: s1 + k, as: SIMD4<Float>.self)
                a2 += wa * rx.loadUnaligned(fromByteOffset: s2 + k, as: SIMD4<Float>.self)
                a3 += wa * rx.loadUnaligned(fromByteOffset: s3 + k, as: SIMD4<Float>.self)
                k += 16
            }
            store(o, a0, a1, a2, a3)
        }
    }

    /// Sets how many threads OpenBLAS uses for every later product, process-wide.
    static func setThreadCount(_ count: Int) {
        openblas_set_num_threads(Int32(max(1, count)))
    }

    /// The number of threads OpenBLAS currently uses.
    static var threadCount: Int { Int(openblas_get_num_threads()) }
}
