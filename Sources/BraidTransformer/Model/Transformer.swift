import Foundation

/// The masked forward pass: a batch of query tokens, each with its own position, KV segment
/// and view, through every block of the model.
///
/// One call serves both phases: prefill (many tokens of one segment) and decode (one token for
/// each of many threads). Either way each weight matrix is read once for the whole batch
/// (`MatrixEngine`: in-register unpacking kernels for a few rows, dequantized tiles and sgemm
/// for many), which is what makes decoding many threads together cheaper than decoding them
/// one by one. Scratch memory, including the logits buffer, is owned here and grows
/// geometrically with the largest batch seen; a steady-state decode step allocates nothing
/// large (the logits are written in place unless the caller still holds the previous ones).
///
/// Not thread-safe: one owner calls `forward`. Several `Transformer`s may share one `Weights`.
public final class Transformer {
    /// The model's weights.
    public let weights: Weights
    /// The model's hyper-parameters.
    public var config: ModelConfig { weights.config }

    let rope: Rope
    /// The worker pool and kernels every matrix product runs on.
    let engine: MatrixEngine
    /// Threads the forward pass computes on (the caller plus the pool's workers).
    public var threads: Int { engine.threads }
    /// How activations enter the matrix products: `.f32` (default, exact) or the opt-in `.q8` approximation
    /// (see `ActivationPrecision`), which takes prefill batches too when every matrix has integer kernels
    /// (`kernelRowLimit`). May be changed between calls.
    public var activations: ActivationPrecision {
        get { engine.activations }
        set { engine.activations = newValue }
    }
    /// Whether every matrix (layers and output head) has q8 integer kernels.
    let everyMatrixTakesQ8: Bool
    /// The most rows a product takes through the kernels rather than dequantized tiles and sgemm:
    /// `MatrixEngine.kernelRowLimit` (16) with exact activations. In the q8 mode, when every matrix takes the
    /// integer kernels, any number: they beat tiles and sgemm at every batch measured (24–512 rows on SmolLM2,
    /// 64 on the 1.5B file; Docs/performance.md). `BRAID_KERNEL_ROWS` overrides both.
    var kernelRowLimit: Int {
        if let fixed = MatrixEngine.kernelRowOverride { return fixed }
        return activations == .q8 && everyMatrixTakesQ8 ? Int.max : MatrixEngine.kernelRowLimit
    }
    /// How the KV stores this transformer makes (`makeKVStore`) keep keys and values: `.f32` (default,
    /// exact) or the opt-in `.f16` (half the memory and attention reads; see `KVPrecision`). A store
    /// keeps the precision it was made with.
    public var kvPrecision: KVPrecision = .f32
    /// Workers for the attention step of large batches (prefill, many threads); matrix
    /// products run between attention steps, never concurrently with it.
    public var attentionThreads: Int
    var plan = BatchPlan()
    /// This call's matrix products (see `PassLayout`) and attention parts, with the spans by block of
    /// each part that attends block-major (`attendByBlock`).
    var rowGroups: [RowGroup] = []
    var attentionParts: [AttentionPart] = []
    var readers: [BlockReaders] = []
    /// Block-major attention keeps every score row of a layer: at most this many floats (4 MiB). Decoding stays far
    /// below it (16 streams after 7 000 tokens); a prefill of more than ~330 tokens goes token-major, which measured
    /// faster as well as smaller (512 tokens: 1.06–1.13× the tokens/s, peak RSS 202 → 194 MiB; Docs/performance.md,
    /// session 25). At 64 MiB a 1 300-token prompt kept 61 MB of scores.
    static let blockMajorScoreLimit = 1 << 20
    /// The logits of the last call; reused (written in place) when the caller let go of them.
    var logitValues: [Float] = []
    // Scratch, row-major per batch token.
    let residual = FloatBuffer(), normed = FloatBuffer(), qkv = FloatBuffer()
    let attention = FloatBuffer(), hidden = FloatBuffer(), ffn = FloatBuffer()
    let scores = FloatBuffer(), trig = FloatBuffer(), gathered = FloatBuffer()
    /// Per-item copies of score rows (`attendSplitByKeys`).
    let probabilities = FloatBuffer()

    /// Wraps loaded weights.
    ///
    /// - Parameter threads: threads that compute each forward step (the calling thread plus
    ///   `threads - 1` workers of this transformer's own pool); `nil` is one per active core.
    ///   OpenBLAS is set to one thread process-wide: the pool splits its work instead.
    /// - Parameter activations: `.f32` (exact, the default) or the opt-in `.q8` approximation.
    public init(weights: Weights, threads: Int? = nil, activations: ActivationPrecision = .f32) {
        self.weights = weights
        rope = Rope(style: weights.config.ropeStyle, headDim: weights.config.headDim, base: weights.config.ropeBase,
                    scaling: weights.config.ropeScaling)
        let count = max(1, threads ?? ProcessInfo.processInfo.activeProcessorCount)
        engine = MatrixEngine(threads: count)
        engine.activations = activations
        attentionThreads = engine.threads
        everyMatrixTakesQ8 = (weights.output ?? weights.tokenEmbedding).takesQ8
            && weights.layers.allSatisfy { $0.matrices.allSatisfy(\.takesQ8) }
    }

    /// Loads a model (matrices stay in their storage type) and wraps it.
    public convenience init(source: ModelSource, threads: Int? = nil, activations: ActivationPrecision = .f32) throws {
        self.init(weights: try Weights(source: source), threads: threads, activations: activations)
    }

    /// A KV store shaped for this model, in `kvPrecision`.
    public func makeKVStore(blockTokens: Int = 16, byteLimit: Int? = nil) -> KVStore {
        KVStore(config: config, blockTokens: blockTokens, byteLimit: byteLimit, precision: kvPrecision)
    }

    /// Runs `batch` through the model, appending every token's K/V to its segment, and
    /// returns logits for the rows `logitRows` selects.
    ///
    /// Tokens of one segment must appear in the batch in their order within the segment; each
    /// attends to the tokens before it in its segment and to itself, and to the whole of
    /// every other segment in its view (including tokens this batch writes there). The batch
    /// is validated before anything is written; on error the KV store is unchanged.
    public func forward(batch: [QueryToken], kv: KVStore, logitRows: LogitRows = .last) throws -> Logits {
        let rows = try logitRows.resolve(batchCount: batch.count)
        return try forward(layout: PassLayout(parts: [(batch.count, rows)], kernelRowLimit: kernelRowLimit),
                           batch: batch, kv: kv)
    }

    /// Runs several independent batches (`parts`, e.g. the steps of several runs) as one pass: each weight
    /// matrix is read once for all of them, and each part gets the logits, bit for bit, that `forward(batch:)`
    /// would give it alone. Parts must not write segments that another part reads (runs do not share KV).
    /// The whole pass is validated before anything is written.
    public func forward(parts: [ForwardPart], kv: KVStore) throws -> [Logits] {
        let rows = try parts.map { try $0.logitRows.resolve(batchCount: $0.batch.count) }
        let layout = PassLayout(parts: zip(parts, rows).map { ($0.batch.count, $1) }, kernelRowLimit: kernelRowLimit)
        var batch: [QueryToken] = []
        batch.reserveCapacity(layout.tokenCount)
        for p in layout.order { batch.append(contentsOf: parts[p].batch) }
        let all = try forward(layout: layout, batch: batch, kv: kv)
        return layout.split(all)
    }

    /// The pass itself: `batch` holds the parts' tokens in `layout.order`.
    private func forward(layout: PassLayout, batch: [QueryToken], kv: KVStore) throws -> Logits {
        let c = config
        guard kv.layers == c.layers, kv.kvDim == c.kvDim else {
            throw ModelError.invalidQuery(index: 0, reason: "KV store is shaped for \(kv.layers) layers × \(kv.kvDim), model has \(c.layers) × \(c.kvDim)")
        }
        guard !batch.isEmpty else { return Logits(vocabSize: c.vocabSize, batchIndices: [], values: []) }
        try plan.build(batch: batch, kv: kv, config: c)
        rowGroups = layout.tokenGroups
        prepareAttention(layout.tokenRanges)

        let n = batch.count, e = c.embedding
        let x = residual.reserve(n * e)
        for (i, q) in batch.enumerated() {
            weights.tokenEmbedding.dequantizeRow(Int(q.token), into: x + i * e)
        }
        // cos/sin per token, shared by every layer.
        let half = c.headDim / 2
        let angles = trig.reserve(n * 2 * half)
        for (i, q) in batch.enumerated() {
            rope.angles(position: q.position, cos: angles + i * 2 * half, sin: angles + i * 2 * half + half)
        }
        for layer in 0..<c.layers {
            runLayer(layer, batch: batch, kv: kv)
        }
        return outputLogits(rows: layout.logitRows, groups: layout.logitGroups)
    }

    /// One attention part per token range, block-major when its score rows are small enough (as if alone).
    private func prepareAttention(_ ranges: [Range<Int>]) {
        attentionParts.removeAll(keepingCapacity: true)
        while readers.count < ranges.count { readers.append(BlockReaders()) }
        for (p, range) in ranges.enumerated() {
            let visible = plan.maxVisible(in: range)
            let blockMajor = config.heads * range.count * max(1, visible) <= Self.blockMajorScoreLimit
            if blockMajor { readers[p].build(from: plan, tokens: range) }
            attentionParts.append(AttentionPart(tokens: range, maxVisible: visible, blockMajor: blockMajor))
        }
    }

    /// The output head for the selected rows: final RMSNorm, then `x · Eᵀ`, product by product as `groups` say.
    private func outputLogits(rows: [Int], groups: [RowGroup]) -> Logits {
        let c = config, e = c.embedding
        guard !rows.isEmpty else { return Logits(vocabSize: c.vocabSize, batchIndices: [], values: []) }
        let x = residual.pointer
        let g = gathered.reserve(rows.count * e)
        weights.outputNorm.withUnsafeBufferPointer { w in
            guard let weight = w.baseAddress else { return }
            for (r, i) in rows.enumerated() {
                VectorMath.rmsNorm(x + i * e, weight: weight, epsilon: c.rmsEpsilon, into: g + r * e, count: e)
            }
        }
        // Reuse last call's storage when nobody else holds it (else this write copies it).
        let count = rows.count * c.vocabSize
        if logitValues.count != count { logitValues = [Float](repeating: 0, count: count) }
        let head = weights.output ?? weights.tokenEmbedding
        logitValues.withUnsafeMutableBufferPointer { out in
            guard let y = out.baseAddress else { return }
            for group in groups {
                engine.multiply(g + group.start * e, rows: group.count, by: CollectionOfOne(head),
                                into: y + group.start * c.vocabSize, yStride: c.vocabSize, kernels: group.kernels)
            }
        }
        return Logits(vocabSize: c.vocabSize, batchIndices: rows, values: logitValues)
    }

    /// `y = x · Wᵀ` for this pass's rows, product by product as `rowGroups` say (see `PassLayout`).
    func multiplyRows<Matrices: Collection<WeightMatrix>>(_ x: UnsafePointer<Float>, by matrices: Matrices,
                                                          into y: UnsafeMutablePointer<Float>, yStride: Int) {
        guard let inputs = matrices.first?.columns else { return }
        for group in rowGroups {
            engine.multiply(x + group.start * inputs, rows: group.count, by: matrices,
                            into: y + group.start * yStride, yStride: yStride, kernels: group.kernels)
        }
    }
}
