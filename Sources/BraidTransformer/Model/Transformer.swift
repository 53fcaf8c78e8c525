import Foundation

/// The masked forward pass: a batch of query tokens, each with its own position, KV segment
/// and view, through every block of the model.
///
/// One call serves both phases: prefill (many tokens of one segment) and decode (one token for
/// each of many threads). Either way each weight matrix is multiplied once for the whole
/// batch with OpenBLAS, which is what makes decoding many threads together cheaper than
/// decoding them one by one. Scratch memory is owned here and grows geometrically with the
/// largest batch seen; a steady-state decode step allocates only its logits.
///
/// Not thread-safe: one owner calls `forward`. Several `Transformer`s may share one `Weights`.
public final class Transformer {
    /// The model's weights.
    public let weights: Weights
    /// The model's hyper-parameters.
    public var config: ModelConfig { weights.config }

    let rope: Rope
    /// Workers for the attention step of large batches (prefill, many threads). OpenBLAS
    /// runs between attention steps, never concurrently with it, so the two do not compete.
    public var attentionThreads = max(1, ProcessInfo.processInfo.activeProcessorCount)
    var plan = BatchPlan()
    // Scratch, row-major per batch token.
    let residual = FloatBuffer(), normed = FloatBuffer(), qkv = FloatBuffer()
    let attention = FloatBuffer(), hidden = FloatBuffer(), ffn = FloatBuffer()
    let scores = FloatBuffer(), trig = FloatBuffer(), gathered = FloatBuffer()

    /// Wraps loaded weights.
    ///
    /// - Parameter blasThreads: threads OpenBLAS uses, process-wide. `nil` keeps the current
    ///   setting. Set it deliberately: OpenBLAS's pthread build spins its worker threads,
    ///   so more threads than free cores (other processes, or the runtime's own threads)
    ///   costs more than it gains; on a dedicated machine, one per core is right.
    public init(weights: Weights, blasThreads: Int? = nil) {
        self.weights = weights
        rope = Rope(style: weights.config.ropeStyle, headDim: weights.config.headDim, base: weights.config.ropeBase)
        if let blasThreads { Matmul.setThreadCount(blasThreads) }
    }

    /// Loads a model (dequantizing to f32) and wraps it.
    public convenience init(source: ModelSource, blasThreads: Int? = nil) throws {
        self.init(weights: try Weights(source: source), blasThreads: blasThreads)
    }

    /// A KV store shaped for this model.
    public func makeKVStore(blockTokens: Int = 16, byteLimit: Int? = nil) -> KVStore {
        KVStore(config: config, blockTokens: blockTokens, byteLimit: byteLimit)
    }

    /// Runs `batch` through the model, appending every token's K/V to its segment, and
    /// returns logits for the rows `logitRows` selects.
    ///
    /// Tokens of one segment must appear in the batch in their order within the segment; each
    /// attends to the tokens before it in its segment and to itself, and to the whole of
    /// every other segment in its view (including tokens this batch writes there). The batch
    /// is validated before anything is written; on error the KV store is unchanged.
    public func forward(batch: [QueryToken], kv: KVStore, logitRows: LogitRows = .last) throws -> Logits {
        let c = config
        guard kv.layers == c.layers, kv.kvDim == c.kvDim else {
            throw ModelError.invalidQuery(index: 0, reason: "KV store is shaped for \(kv.layers) layers × \(kv.kvDim), model has \(c.layers) × \(c.kvDim)")
        }
        let rows = try logitRows.resolve(batchCount: batch.count)
        guard !batch.isEmpty else { return Logits(vocabSize: c.vocabSize, batchIndices: [], values: []) }
        try plan.build(batch: batch, kv: kv, config: c)

        let n = batch.count, e = c.embedding
        let x = residual.reserve(n * e)
        weights.tokenEmbedding.withUnsafeBufferPointer { emb in
            for (i, q) in batch.enumerated() {
                (x + i * e).update(from: emb.baseAddress! + Int(q.token) * e, count: e)
            }
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
        return outputLogits(rows: rows)
    }

    /// The output head for the selected rows: final RMSNorm, then `x · Eᵀ`.
    private func outputLogits(rows: [Int]) -> Logits {
        let c = config, e = c.embedding
        guard !rows.isEmpty else { return Logits(vocabSize: c.vocabSize, batchIndices: [], values: []) }
        let x = residual.pointer
        let g = gathered.reserve(rows.count * e)
        weights.outputNorm.withUnsafeBufferPointer { w in
            for (r, i) in rows.enumerated() {
                VectorMath.rmsNorm(x + i * e, weight: w.baseAddress!, epsilon: c.rmsEpsilon, into: g + r * e, count: e)
            }
        }
        var values = [Float](repeating: 0, count: rows.count * c.vocabSize)
        let head = weights.output ?? weights.tokenEmbedding
        head.withUnsafeBufferPointer { w in
            values.withUnsafeMutableBufferPointer { out in
                Matmul.multiplyTransposed(g, rows: rows.count, inputs: e, weights: w.baseAddress!,
                                          outputs: c.vocabSize, into: out.baseAddress!)
            }
        }
        return Logits(vocabSize: c.vocabSize, batchIndices: rows, values: values)
    }
}
