import COpenBLAS

/// Dense matrix products on OpenBLAS.
///
/// Weights are stored the way GGUF stores them: a matrix with `outputs` rows of `inputs`
/// contiguous elements (ggml's `ne0` is the row length). Activations are row-major
/// `[rows, inputs]`. Every product in the model is therefore `Y = X · Wᵀ`.
enum Matmul {
    /// `y[rows, outputs] = x[rows, inputs] · w[outputs, inputs]ᵀ` (overwrites `y`).
    ///
    /// With few rows (up to `smallBatchRows`) each row is a matrix-vector product; OpenBLAS's
    /// `sgemv` is used there because its sgemm has a large fixed cost for small batches.
    static func multiplyTransposed(
        _ x: UnsafePointer<Float>, rows: Int, inputs: Int,
        weights w: UnsafePointer<Float>, outputs: Int,
        into y: UnsafeMutablePointer<Float>
    ) {
        guard rows > 0, outputs > 0 else { return }
        if rows <= smallBatchRows {
            // A few rows (a decode step of a few threads): one sgemv each beats sgemm's fixed cost
            // (measured 0.8 ms vs 2.8 ms for 2 rows of 576×4608), and gives every row exactly the
            // numbers it would get alone.
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

    /// Up to this many rows, products are computed row by row with `sgemv`.
    static let smallBatchRows = 4

    /// Sets how many threads OpenBLAS uses for every later product, process-wide.
    static func setThreadCount(_ count: Int) {
        openblas_set_num_threads(Int32(max(1, count)))
    }

    /// The number of threads OpenBLAS currently uses.
    static var threadCount: Int { Int(openblas_get_num_threads()) }
}
