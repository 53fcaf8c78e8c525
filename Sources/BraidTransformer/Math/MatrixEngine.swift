import CBraidKernels
import COpenBLAS
import Foundation

/// The matrix products of the forward pass, `Y = X · Wᵀ`, split across a worker pool.
///
/// Activations are row-major `[rows, inputs]` f32; weights are `WeightMatrix`es in the file's
/// storage type. Two regimes:
/// - few rows (decoding: one row per thread, up to `kernelRowLimit`): the kernels read each
///   weight row once, unpack each block in registers and use it for every activation row, so
///   16 threads cost little more memory traffic than one;
/// - many rows (prefill): a worker dequantizes a tile of weight rows into its own f32 scratch
///   (L2-sized) and multiplies the tile with single-threaded OpenBLAS sgemm.
/// Either way the work is cut into chunks of output rows that the pool's threads take
/// dynamically; a chunk writes only its own output columns. The numbers a row gets do not
/// depend on the other rows of the batch in the kernel regime (each dot product is computed
/// the same way whatever else is in the batch). In the `.q8` activation mode the kernel regime
/// quantizes the rows once per product and multiplies Q4_1/Q8_0/Q4_K/Q6_K matrices with integer kernels.
final class MatrixEngine {
    /// Threads in all (the caller plus the pool's workers).
    let threads: Int
    private let pool: OpaquePointer?
    /// Per worker: scratch for one dequantized tile.
    private var tiles: [FloatBuffer]
    private let tileBases: UnsafeMutablePointer<UnsafeMutablePointer<Float>>
    private let parts: UnsafeMutablePointer<PartJob>
    private static let maxParts = 4
    /// How activations enter the kernel regime's products (`.f32`: exact).
    var activations = ActivationPrecision.f32
    /// The rows of the current product quantized to 8 bits (`.q8` only).
    private let quantized = ByteBuffer()

    /// `BRAID_KERNEL_ROWS`, when set: the row limit of the kernel regime in both activation modes (for measuring
    /// where the crossover lies).
    static let kernelRowOverride = ProcessInfo.processInfo.environment["BRAID_KERNEL_ROWS"].flatMap(Int.init)
    /// Exact (f32) batches up to this many rows use the kernels; larger ones dequantized tiles and sgemm
    /// (`Transformer.kernelRowLimit` has the q8 mode's limit).
    static let kernelRowLimit = kernelRowOverride ?? 16
    /// Floats of one tile (1 MiB: stays in L2 while sgemm streams the activations past it).
    static let tileFloats = 262_144

    init(threads: Int) {
        let pool = threads > 1 ? braid_pool_create(Int32(threads)) : nil
        self.pool = pool
        // The pool may have started fewer threads than asked when the system refused some.
        self.threads = pool == nil ? 1 : threads
        tiles = (0..<self.threads).map { _ in FloatBuffer() }
        tileBases = .allocate(capacity: self.threads)
        for (i, t) in tiles.enumerated() { tileBases[i] = t.pointer }
        parts = .allocate(capacity: Self.maxParts)
        // Our pool splits the work; OpenBLAS runs on the thread that calls it.
        openblas_set_num_threads(1)
    }

    deinit {
        braid_pool_destroy(pool)
        tileBases.deallocate()
        parts.deallocate()
    }

    /// `y[r, offset_p + o] = x[r, ·] · part_p[o, ·]` for the stacked `matrices` (they share
    /// `inputs` columns; their outputs follow one another in a row of `y`, which holds
    /// `yStride` floats). Overwrites those outputs of `y`. `kernels` forces a regime (nil: by the row count);
    /// the kernel regime gives each row the same numbers whatever the row count.
    func multiply<Matrices: Collection<WeightMatrix>>(
        _ x: UnsafePointer<Float>, rows: Int, by matrices: Matrices,
        into y: UnsafeMutablePointer<Float>, yStride: Int, kernels: Bool? = nil
    ) {
        guard rows > 0, let inputs = matrices.first?.columns else { return }
        let useKernels = kernels ?? (rows <= Self.kernelRowLimit)
        // q8: the rows quantized once for every matrix of the call that the integer kernels take.
        var xq: UnsafeRawPointer?
        if useKernels, activations == .q8, matrices.contains(where: \.takesQ8) {
            let buffer = quantized.reserve(braid_q8_buffer_bytes(rows, inputs))
            // The K-quant kernels' per-256 form only when one of the matrices reads it.
            let kquants = matrices.contains { $0.takesQ8 && braid_q8_reads_kquant_form(Int32($0.type.rawValue), inputs) != 0 }
            quantize(x, rows: rows, inputs: inputs, kquants: kquants, into: buffer)
            xq = UnsafeRawPointer(buffer)
        }
        var offset = 0, chunks = 0, count = 0
        for m in matrices {
            defer { offset += m.rows }
            guard m.usesKernels else {
                dense(x, rows: rows, m, into: y + offset, yStride: yStride)
                continue
            }
            if count == Self.maxParts {
                run(parts: count, chunks: chunks, inputs: inputs, x: x, xq: xq, rows: rows, y: y, yStride: yStride,
                    useKernels: useKernels)
                count = 0
                chunks = 0
            }
            let chunkRows = useKernels ? kernelChunkRows(m) : tileRows(m)
            parts[count] = PartJob(type: Int32(m.type.rawValue), base: m.base, rowBytes: m.rowBytes,
                                   outputs: m.rows, yOffset: offset, chunkRows: chunkRows, firstChunk: chunks,
                                   quantized: xq != nil && m.takesQ8)
            chunks += (m.rows + chunkRows - 1) / chunkRows
            count += 1
        }
        run(parts: count, chunks: chunks, inputs: inputs, x: x, xq: xq, rows: rows, y: y, yStride: yStride,
            useKernels: useKernels)
    }

    /// The rows quantized for the q8 kernels; from 8 rows on, each thread quantizes its share of every row's
    /// blocks (`braid_q8_quantize_part`, the same bytes): on the calling thread alone it was 2% of a 16-path
    /// ParaThinker run's samples (4% of that thread's time) while the other thread waited.
    private func quantize(_ x: UnsafePointer<Float>, rows: Int, inputs: Int, kquants: Bool,
                          into buffer: UnsafeMutableRawPointer) {
        let k: Int32 = kquants ? 1 : 0
        guard rows >= 8, threads > 1 else {
            braid_q8_quantize(x, inputs, rows, inputs, k, buffer)
            return
        }
        // A plain task and context, as for the products: a closure through `parallelFor` allocates per call.
        var job = QuantizeJob(x: x, rows: rows, inputs: inputs, kquants: k, buffer: buffer, parts: threads)
        withUnsafeMutablePointer(to: &job) { pointer in
            braid_pool_run(pool, quantizeTask, pointer, threads)
        }
    }

    /// Runs the first `count` entries of `parts` as one pool job of `chunks` chunks.
    private func run(parts count: Int, chunks: Int, inputs: Int, x: UnsafePointer<Float>, xq: UnsafeRawPointer?,
                     rows: Int, y: UnsafeMutablePointer<Float>, yStride: Int, useKernels: Bool) {
        guard count > 0 else { return }
        if !useKernels {
            var tileRows = 1
            for p in 0..<count { tileRows = max(tileRows, parts[p].chunkRows) }
            reserveTiles(inputs: inputs, rows: tileRows)
        }
        var job = MatrixJob(parts: parts, partCount: count, inputs: inputs, x: x, xq: xq, rows: rows,
                            y: y, yStride: yStride, tiles: useKernels ? nil : tileBases)
        withUnsafeMutablePointer(to: &job) { pointer in
            braid_pool_run(pool, matrixTask, pointer, chunks)
        }
    }

    /// Runs `task(context, i, worker)` for every i in 0..<count on the pool's threads (each once, in any order,
    /// concurrently), as one job: a plain C task and a context on the caller's stack, so that a call allocates
    /// nothing (work that runs many times a step: attention's dispatches).
    func run<Context>(_ task: braid_pool_task, context: inout Context, count: Int) {
        withUnsafeMutablePointer(to: &context) { pointer in
            guard count > 1, threads > 1 else {
                for i in 0..<count { task(pointer, i, 0) }
                return
            }
            braid_pool_run(pool, task, pointer, count)
        }
    }

    /// Runs `body(0..<count)` on the pool's threads (each index once, in any order, concurrently):
    /// other work of a step (attention) uses the same threads as the products, so the pool's
    /// spinning workers never compete with a second set of threads for the cores.
    func parallelFor(_ count: Int, _ body: (Int) -> Void) {
        guard count > 1, threads > 1 else {
            for i in 0..<count { body(i) }
            return
        }
        withoutActuallyEscaping(body) { escaping in
            // In a concrete struct, not as a bare function value: `(Int) -> Void` passed itself through the generic
            // `withUnsafeMutablePointer` added a heap allocation per call. One allocation per call remains, so work
            // that runs many times a step uses a plain task and context instead (products, quantizer).
            var closure = ParallelBody(body: escaping)
            withUnsafeMutablePointer(to: &closure) { pointer in
                braid_pool_run(pool, closureTask, pointer, count)
            }
        }
    }

    /// Output rows per chunk in the kernel regime: about eight chunks per thread, so a thread
    /// that is late (the machine is shared) holds up little, and at least 16 rows.
    private func kernelChunkRows(_ m: WeightMatrix) -> Int {
        guard threads > 1 else { return m.rows }
        // Whole multiples of 16 rows: the q8 kernels take weight rows 8 (few activation rows) or 4 (16) at a
        // time, and a chunk that ends mid-group sends its last rows through the one-row form.
        let rows = max(16, (m.rows + 8 * threads - 1) / (8 * threads))
        return (rows + 15) / 16 * 16
    }

    /// Rows of one dequantized tile: as many as fit `tileFloats`, but at least two tiles per
    /// thread when the matrix allows it.
    private func tileRows(_ m: WeightMatrix) -> Int {
        let fit = max(16, Self.tileFloats / max(1, m.columns))
        let perThread = threads == 1 ? m.rows : max(16, (m.rows + 2 * threads - 1) / (2 * threads))
        return min(fit, perThread, m.rows)
    }

    private func reserveTiles(inputs: Int, rows: Int) {
        for (i, t) in tiles.enumerated() { tileBases[i] = t.reserve(inputs * rows) }
    }

    /// An f32 matrix the kernels do not take (row length not a multiple of 32): OpenBLAS.
    private func dense(_ x: UnsafePointer<Float>, rows: Int, _ m: WeightMatrix,
                       into y: UnsafeMutablePointer<Float>, yStride: Int) {
        let w = m.base.assumingMemoryBound(to: Float.self)
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(rows), Int32(m.rows), Int32(m.columns),
                    1, x, Int32(m.columns), w, Int32(m.columns), 0, y, Int32(yStride))
    }
}

/// One stacked matrix of a `MatrixJob`: its chunks are `firstChunk ..< firstChunk + ⌈outputs / chunkRows⌉`.
struct PartJob {
    var type: Int32
    var base: UnsafeRawPointer
    var rowBytes: Int
    var outputs: Int
    var yOffset: Int
    var chunkRows: Int
    var firstChunk: Int
    /// Whether this matrix multiplies the job's 8-bit rows (`xq`) rather than the f32 ones.
    var quantized: Bool
}

/// What every chunk of one product needs; lives on the caller's stack for the call.
struct MatrixJob {
    var parts: UnsafeMutablePointer<PartJob>
    var partCount: Int
    var inputs: Int
    var x: UnsafePointer<Float>
    /// The rows quantized to 8 bits (`braid_q8_quantize`) in the `.q8` mode, else nil.
    var xq: UnsafeRawPointer?
    var rows: Int
    var y: UnsafeMutablePointer<Float>
    var yStride: Int
    /// Per-worker tile scratch in the sgemm regime, `nil` in the kernel regime.
    var tiles: UnsafeMutablePointer<UnsafeMutablePointer<Float>>?
}

/// One q8 quantization split into `parts` (`braid_q8_quantize_part`); lives on the caller's stack for the call.
private struct QuantizeJob {
    var x: UnsafePointer<Float>
    var rows: Int
    var inputs: Int
    var kquants: Int32
    var buffer: UnsafeMutableRawPointer
    var parts: Int
}

/// Runs part `chunk` of the `QuantizeJob` at `context`.
private let quantizeTask: braid_pool_task = { context, chunk, _ in
    guard let job = context?.assumingMemoryBound(to: QuantizeJob.self).pointee else { return }
    braid_q8_quantize_part(job.x, job.inputs, job.rows, job.inputs, job.kquants, job.buffer, chunk, job.parts)
}

/// The closure of one `parallelFor` call, as the pool's context.
private struct ParallelBody {
    let body: (Int) -> Void
}

/// Runs index `chunk` of the `parallelFor` closure at `context`.
private let closureTask: braid_pool_task = { context, chunk, _ in
    context?.assumingMemoryBound(to: ParallelBody.self).pointee.body(chunk)
}

/// Runs chunk `chunk` of the `MatrixJob` at `context` on worker `worker`.
private let matrixTask: braid_pool_task = { context, chunk, worker in
    guard let job = context?.assumingMemoryBound(to: MatrixJob.self).pointee else { return }
    var p = 0
    while p + 1 < job.partCount, job.parts[p + 1].firstChunk <= chunk { p += 1 }
    let part = job.parts[p]
    let o0 = (chunk - part.firstChunk) * part.chunkRows
    let o1 = min(o0 + part.chunkRows, part.outputs)
    guard o0 < o1 else { return }
    let y = job.y + part.yOffset
    if let tiles = job.tiles {
        let tile = tiles[Int(worker)]
        braid_dequantize_rows(part.type, part.base, part.rowBytes, job.inputs, o0, o1, tile)
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(job.rows), Int32(o1 - o0), Int32(job.inputs),
                    1, job.x, Int32(job.inputs), tile, Int32(job.inputs), 0, y + o0, Int32(job.yStride))
    } else if part.quantized, let xq = job.xq {
        braid_matvec_q8(part.type, part.base, part.rowBytes, job.inputs, o0, o1, xq, job.rows, y, job.yStride)
    } else {
        braid_matvec(part.type, part.base, part.rowBytes, job.inputs, o0, o1,
                     job.x, job.inputs, job.rows, y, job.yStride)
    }
}
