import COpenBLAS

/// Dense matrix products on OpenBLAS.
///
/// Weights are stored the way GGUF stores them: a matrix with `outputs` rows of `inputs`
/// contiguous elements (ggml's `ne0` is the row length). Activations are row-major
/// `[rows, inputs]`. Every product in the model is therefore `Y = X · Wᵀ`.
enum Matmul {
    /// `y[rows, outputs] = x[rows, inputs] · w[outputs, inputs]ᵀ` (overwrites `y`).
    ///
    /// With `rows == 1` this is a matrix-vector product; OpenBLAS's `sgemv` is used there
    /// because its sgemm has a noticeable fixed cost for a single row.
    static func multiplyTransposed(
        _ x: UnsafePointer<Float>, rows: Int, inputs: Int,
        weights w: UnsafePointer<Float>, outputs: Int,
        into y: UnsafeMutablePointer<Float>
    ) {
        guard rows > 0, outputs > 0 else { return }
        if rows == 1 {
            cblas_sgemv(CblasRowMajor, CblasNoTrans, Int32(outputs), Int32(inputs),
                        1, w, Int32(inputs), x, 1, 0, y, 1)
        } else {
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans,
                        Int32(rows), Int32(outputs), Int32(inputs),
                        1, x, Int32(inputs), w, Int32(inputs), 0, y, Int32(outputs))
        }
    }

    /// Sets how many threads OpenBLAS uses for every later product, process-wide.
    static func setThreadCount(_ count: Int) {
        openblas_set_num_threads(Int32(max(1, count)))
    }

    /// The number of threads OpenBLAS currently uses.
    static var threadCount: Int { Int(openblas_get_num_threads()) }
}
