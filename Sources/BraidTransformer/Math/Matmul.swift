import COpenBLAS

/// Dense matrix products on OpenBLAS.
///
/// Weights are stored the way GGUF stores them: a matrix with `outputs` rows of `inputs`
/// contiguous elements (ggml's `ne0` is the row length). Activations are row-major
/// `[rows, inputs]`. Every product in the model is therefore `Y = X · Wᵀ`.
enum Matmul {
    /// `y[rows, outputs] = x[rows, inputs] · w[outputs, inputs]ᵀ` (overwrites `y`).
    ///
    /// Up to `smallBatchLimit` rows (decoding: one row per thread) each row is one OpenBLAS
    /// `sgemv`. sgemm packs the whole weight matrix before multiplying, a fixed cost that
    /// dominates for a few rows, and a row computed by sgemv gets bit-identical numbers whatever
    /// else is in the batch, so a thread decoded alone or beside up to seven others produces the
    /// same logits. Measured on SmolLM2 decode (tokens/s for 1/4/8 threads, 128-token prompt):
    /// per-row sgemv 40/62/78, a hand-written weight-streaming SIMD kernel 16/59/76, sgemm
    /// (packing) 23/36/59. Larger batches (prefill) are compute-bound and go to sgemm.
    static func multiplyTransposed(
        _ x: UnsafePointer<Float>, rows: Int, inputs: Int,
        weights w: UnsafePointer<Float>, outputs: Int,
        into y: UnsafeMutablePointer<Float>
    ) {
        guard rows > 0, outputs > 0 else { return }
        if rows <= smallBatchLimit {
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

    /// Batches up to this many rows are computed row by row (row-invariant, no packing).
    static let smallBatchLimit = 8

    /// Sets how many threads OpenBLAS uses for every later product, process-wide.
    static func setThreadCount(_ count: Int) {
        openblas_set_num_threads(Int32(max(1, count)))
    }

    /// The number of threads OpenBLAS currently uses.
    static var threadCount: Int { Int(openblas_get_num_threads()) }
}
