/// The weights of one transformer block, dequantized to f32 and fused for the forward pass.
///
/// Matrices are row-major `[outputs, inputs]` (GGUF order). Q, K and V are stacked into one
/// matrix and gate/up into another so that each block needs two sgemm calls for them instead
/// of five — every weight is read once per step for the whole batch.
public struct LayerWeights: Sendable {
    /// RMSNorm weight before attention, `[embedding]`.
    public var attentionNorm: [Float]
    /// Stacked `[Wq; Wk; Wv]`, `[queryDim + 2·kvDim, embedding]`.
    public var qkv: [Float]
    /// Stacked Q/K/V biases, `[queryDim + 2·kvDim]`, or `nil` (llama).
    public var qkvBias: [Float]?
    /// Attention output projection, `[embedding, queryDim]`.
    public var attentionOutput: [Float]
    /// RMSNorm weight before the FFN, `[embedding]`.
    public var ffnNorm: [Float]
    /// Stacked `[Wgate; Wup]`, `[2·ffn, embedding]`.
    public var gateUp: [Float]
    /// FFN down projection, `[embedding, ffn]`.
    public var down: [Float]
    /// Thought embeddings, `[thoughtSlots, headDim]` (row j is T⁽ʲ⁾), or `nil`.
    public var thought: [Float]?

    /// Creates a block from already-fused arrays.
    public init(attentionNorm: [Float], qkv: [Float], qkvBias: [Float]?, attentionOutput: [Float],
                ffnNorm: [Float], gateUp: [Float], down: [Float], thought: [Float]?) {
        self.attentionNorm = attentionNorm
        self.qkv = qkv
        self.qkvBias = qkvBias
        self.attentionOutput = attentionOutput
        self.ffnNorm = ffnNorm
        self.gateUp = gateUp
        self.down = down
        self.thought = thought
    }
}

/// All weights of a model, in f32, loaded once.
///
/// f32 keeps the numbers identical (to rounding) to the float32 HF reference computed on the
/// dequantized file. Quantized storage with fused dequant-matmul can replace the arrays later
/// without touching the `Transformer` API.
public struct Weights: Sendable {
    /// The hyper-parameters these weights belong to.
    public let config: ModelConfig
    /// Token embedding, `[vocabSize, embedding]`; also the output head when `output` is `nil`.
    public var tokenEmbedding: [Float]
    /// Final RMSNorm weight, `[embedding]`.
    public var outputNorm: [Float]
    /// Separate output head `[vocabSize, embedding]`, or `nil` when tied to the embedding.
    public var output: [Float]?
    /// One entry per block.
    public var layers: [LayerWeights]

    /// Creates weights from arrays (synthetic models, tests); shapes are checked.
    public init(config: ModelConfig, tokenEmbedding: [Float], outputNorm: [Float],
                output: [Float]?, layers: [LayerWeights]) throws {
        self.config = config
        self.tokenEmbedding = tokenEmbedding
        self.outputNorm = outputNorm
        self.output = output
        self.layers = layers
        try checkShapes()
    }

    /// Loads and dequantizes every tensor the configuration needs from `source`.
    public init(source: ModelSource) throws {
        let config = try ModelConfig(source: source)
        guard let arch = Architecture.named(config.architecture) else {
            throw ModelError.unsupportedArchitecture(config.architecture)
        }
        let e = config.embedding, v = config.vocabSize
        func load(_ name: String, _ shape: [Int]) throws -> [Float] {
            guard let found = source.tensorShape(name) else { throw ModelError.missingTensor(name) }
            // Trailing 1-dimensions are not significant in ggml shapes.
            var trimmed = found
            while trimmed.count > shape.count, trimmed.last == 1 { trimmed.removeLast() }
            guard trimmed == shape else { throw ModelError.shapeMismatch(name: name, expected: shape, found: found) }
            let values = try source.tensorFloats(name)
            guard values.count == shape.reduce(1, *) else {
                throw ModelError.shapeMismatch(name: name, expected: shape, found: [values.count])
            }
            return values
        }
        var layers: [LayerWeights] = []
        layers.reserveCapacity(config.layers)
        for n in 0..<config.layers {
            func name(_ pattern: String) -> String { Architecture.layerName(pattern, n) }
            let qkv = try load(name(arch.query), [e, config.queryDim])
                + load(name(arch.key), [e, config.kvDim]) + load(name(arch.value), [e, config.kvDim])
            var bias: [Float]?
            if config.hasQKVBias {
                bias = try load(name(arch.queryBias), [config.queryDim])
                    + load(name(arch.keyBias), [config.kvDim]) + load(name(arch.valueBias), [config.kvDim])
            }
            var thought: [Float]?
            if config.thoughtSlots > 0 {
                thought = try load(name(arch.thoughtEmbedding), [config.headDim, config.thoughtSlots])
            }
            layers.append(LayerWeights(
                attentionNorm: try load(name(arch.attentionNorm), [e]),
                qkv: qkv, qkvBias: bias,
                attentionOutput: try load(name(arch.attentionOutput), [config.queryDim, e]),
                ffnNorm: try load(name(arch.ffnNorm), [e]),
                gateUp: try load(name(arch.ffnGate), [e, config.ffn]) + load(name(arch.ffnUp), [e, config.ffn]),
                down: try load(name(arch.ffnDown), [config.ffn, e]),
                thought: thought))
        }
        try self.init(config: config,
                      tokenEmbedding: load(arch.tokenEmbedding, [e, v]),
                      outputNorm: load(arch.outputNorm, [e]),
                      output: config.tiedOutput ? nil : load(arch.output, [e, v]),
                      layers: layers)
    }

    /// Number of parameters (the tied head counted once).
    public var parameterCount: Int {
        tokenEmbedding.count + outputNorm.count + (output?.count ?? 0) + layers.reduce(0) { sum, l in
            sum + l.attentionNorm.count + l.qkv.count + (l.qkvBias?.count ?? 0) + l.attentionOutput.count
                + l.ffnNorm.count + l.gateUp.count + l.down.count + (l.thought?.count ?? 0)
        }
    }

    private func checkShapes() throws {
        let c = config
        try c.validate()
        func check(_ name: String, _ array: [Float]?, _ count: Int) throws {
            guard let array else { throw ModelError.missingTensor(name) }
            if array.count != count { throw ModelError.shapeMismatch(name: name, expected: [count], found: [array.count]) }
        }
        let fused = c.queryDim + 2 * c.kvDim
        try check("token embedding", tokenEmbedding, c.vocabSize * c.embedding)
        try check("output norm", outputNorm, c.embedding)
        if !c.tiedOutput { try check("output", output, c.vocabSize * c.embedding) }
        guard layers.count == c.layers else {
            throw ModelError.shapeMismatch(name: "layers", expected: [c.layers], found: [layers.count])
        }
        for (n, l) in layers.enumerated() {
            try check("blk.\(n) attention norm", l.attentionNorm, c.embedding)
            try check("blk.\(n) qkv", l.qkv, fused * c.embedding)
            if c.hasQKVBias { try check("blk.\(n) qkv bias", l.qkvBias, fused) }
            try check("blk.\(n) attention output", l.attentionOutput, c.embedding * c.queryDim)
            try check("blk.\(n) ffn norm", l.ffnNorm, c.embedding)
            try check("blk.\(n) gate/up", l.gateUp, 2 * c.ffn * c.embedding)
            try check("blk.\(n) down", l.down, c.embedding * c.ffn)
            if c.thoughtSlots > 0 { try check("blk.\(n) thought embedding", l.thought, c.thoughtSlots * c.headDim) }
        }
    }
}
