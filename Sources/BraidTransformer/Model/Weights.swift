/// The weights of one transformer block as the file stores them, grouped for the forward pass.
///
/// Matrices are row-major `[outputs, inputs]` (GGUF order) and stay in the file's storage type
/// (quantized blocks are read in place from the memory-mapped file). Q, K and V form one
/// stacked product and gate/up another, so each block needs four products per step — every
/// weight is read once per step for the whole batch.
public struct LayerWeights: Sendable {
    /// RMSNorm weight before attention, `[embedding]`.
    public var attentionNorm: [Float]
    /// `[Wq, Wk, Wv]`, stacked along the outputs: `[queryDim + 2·kvDim, embedding]`.
    public var qkv: [WeightMatrix]
    /// Stacked Q/K/V biases, `[queryDim + 2·kvDim]`, or `nil` (llama).
    public var qkvBias: [Float]?
    /// Attention output projection, `[embedding, queryDim]`.
    public var attentionOutput: WeightMatrix
    /// RMSNorm weight before the FFN, `[embedding]`.
    public var ffnNorm: [Float]
    /// `[Wgate, Wup]`, stacked along the outputs: `[2·ffn, embedding]`.
    public var gateUp: [WeightMatrix]
    /// FFN down projection, `[embedding, ffn]`.
    public var down: WeightMatrix
    /// Thought embeddings, `[thoughtSlots, headDim]` (row j is T⁽ʲ⁾), or `nil`.
    public var thought: [Float]?

    /// Creates a block from its matrices and vectors.
    public init(attentionNorm: [Float], qkv: [WeightMatrix], qkvBias: [Float]?, attentionOutput: WeightMatrix,
                ffnNorm: [Float], gateUp: [WeightMatrix], down: WeightMatrix, thought: [Float]?) {
        self.attentionNorm = attentionNorm
        self.qkv = qkv
        self.qkvBias = qkvBias
        self.attentionOutput = attentionOutput
        self.ffnNorm = ffnNorm
        self.gateUp = gateUp
        self.down = down
        self.thought = thought
    }

    /// Every matrix of the block.
    var matrices: [WeightMatrix] { qkv + [attentionOutput] + gateUp + [down] }
}

/// All weights of a model, loaded once: matrices in the file's storage type, norms, biases and
/// thought embeddings (small) in f32.
///
/// The kernels compute with f32 activations on the exact dequantized weight values, so the
/// numbers are those of the float32 HF reference computed on the dequantized file, up to
/// summation order.
public struct Weights: Sendable {
    /// The hyper-parameters these weights belong to.
    public let config: ModelConfig
    /// Token embedding, `[vocabSize, embedding]`; also the output head when `output` is `nil`.
    public var tokenEmbedding: WeightMatrix
    /// Final RMSNorm weight, `[embedding]`.
    public var outputNorm: [Float]
    /// Separate output head `[vocabSize, embedding]`, or `nil` when tied to the embedding.
    public var output: WeightMatrix?
    /// One entry per block.
    public var layers: [LayerWeights]

    /// Creates weights from their parts; shapes are checked.
    public init(config: ModelConfig, tokenEmbedding: WeightMatrix, outputNorm: [Float],
                output: WeightMatrix?, layers: [LayerWeights]) throws {
        self.config = config
        self.tokenEmbedding = tokenEmbedding
        self.outputNorm = outputNorm
        self.output = output
        self.layers = layers
        try checkShapes()
    }

    /// Loads every tensor the configuration needs from `source`: matrices as `source.matrix`
    /// gives them (a GGUF file: in place, not copied), vectors dequantized to f32.
    public init(source: ModelSource) throws {
        let config = try ModelConfig(source: source)
        guard let arch = Architecture.named(config.architecture) else {
            throw ModelError.unsupportedArchitecture(config.architecture)
        }
        let e = config.embedding, v = config.vocabSize
        func checkShape(_ name: String, _ shape: [Int]) throws {
            guard let found = source.tensorShape(name) else { throw ModelError.missingTensor(name) }
            // Trailing 1-dimensions are not significant in ggml shapes.
            var trimmed = found
            while trimmed.count > shape.count, trimmed.last == 1 { trimmed.removeLast() }
            guard trimmed == shape else { throw ModelError.shapeMismatch(name: name, expected: shape, found: found) }
        }
        func load(_ name: String, _ shape: [Int]) throws -> [Float] {
            try checkShape(name, shape)
            let values = try source.tensorFloats(name)
            guard values.count == shape.reduce(1, *) else {
                throw ModelError.shapeMismatch(name: name, expected: shape, found: [values.count])
            }
            return values
        }
        /// A `[rows, columns]` matrix; `shape` is in ggml order, `[columns, rows]`.
        func matrix(_ name: String, _ shape: [Int]) throws -> WeightMatrix {
            try checkShape(name, shape)
            let m = try source.matrix(name)
            guard m.columns == shape[0], m.rows == shape[1] else {
                throw ModelError.shapeMismatch(name: name, expected: shape, found: [m.columns, m.rows])
            }
            return m
        }
        var layers: [LayerWeights] = []
        layers.reserveCapacity(config.layers)
        for n in 0..<config.layers {
            func name(_ pattern: String) -> String { Architecture.layerName(pattern, n) }
            let qkv = [try matrix(name(arch.query), [e, config.queryDim]),
                       try matrix(name(arch.key), [e, config.kvDim]), try matrix(name(arch.value), [e, config.kvDim])]
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
                attentionOutput: try matrix(name(arch.attentionOutput), [config.queryDim, e]),
                ffnNorm: try load(name(arch.ffnNorm), [e]),
                gateUp: [try matrix(name(arch.ffnGate), [e, config.ffn]), try matrix(name(arch.ffnUp), [e, config.ffn])],
                down: try matrix(name(arch.ffnDown), [config.ffn, e]),
                thought: thought))
        }
        try self.init(config: config,
                      tokenEmbedding: matrix(arch.tokenEmbedding, [e, v]),
                      outputNorm: load(arch.outputNorm, [e]),
                      output: config.tiedOutput ? nil : matrix(arch.output, [e, v]),
                      layers: layers)
    }

    /// Number of parameters (the tied head counted once).
    public var parameterCount: Int {
        tokenEmbedding.elementCount + outputNorm.count + (output?.elementCount ?? 0) + layers.reduce(0) { sum, l in
            sum + l.attentionNorm.count + (l.qkvBias?.count ?? 0) + l.ffnNorm.count + (l.thought?.count ?? 0)
                + l.matrices.reduce(0) { $0 + $1.elementCount }
        }
    }

    /// Bytes of the weight matrices as stored (mapped from the file or held in memory).
    public var matrixBytes: Int {
        tokenEmbedding.byteCount + (output?.byteCount ?? 0)
            + layers.reduce(0) { sum, l in sum + l.matrices.reduce(0) { $0 + $1.byteCount } }
    }

    private func checkShapes() throws {
        let c = config
        try c.validate()
        func check(_ name: String, _ array: [Float]?, _ count: Int) throws {
            guard let array else { throw ModelError.missingTensor(name) }
            if array.count != count { throw ModelError.shapeMismatch(name: name, expected: [count], found: [array.count]) }
        }
        func check(_ name: String, _ matrices: [WeightMatrix], rows: Int, columns: Int) throws {
            let total = matrices.reduce(0) { $0 + $1.rows }
            guard total == rows, matrices.allSatisfy({ $0.columns == columns }) else {
                throw ModelError.shapeMismatch(name: name, expected: [columns, rows],
                                               found: [matrices.first?.columns ?? 0, total])
            }
        }
        let fused = c.queryDim + 2 * c.kvDim
        try check("token embedding", [tokenEmbedding], rows: c.vocabSize, columns: c.embedding)
        try check("output norm", outputNorm, c.embedding)
        if !c.tiedOutput {
            guard let output else { throw ModelError.missingTensor("output") }
            try check("output", [output], rows: c.vocabSize, columns: c.embedding)
        }
        guard layers.count == c.layers else {
            throw ModelError.shapeMismatch(name: "layers", expected: [c.layers], found: [layers.count])
        }
        for (n, l) in layers.enumerated() {
            try check("blk.\(n) attention norm", l.attentionNorm, c.embedding)
            try check("blk.\(n) qkv", l.qkv, rows: fused, columns: c.embedding)
            if c.hasQKVBias { try check("blk.\(n) qkv bias", l.qkvBias, fused) }
            try check("blk.\(n) attention output", [l.attentionOutput], rows: c.embedding, columns: c.queryDim)
            try check("blk.\(n) ffn norm", l.ffnNorm, c.embedding)
            try check("blk.\(n) gate/up", l.gateUp, rows: 2 * c.ffn, columns: c.embedding)
            try check("blk.\(n) down", [l.down], rows: c.embedding, columns: c.ffn)
            if c.thoughtSlots > 0 { try check("blk.\(n) thought embedding", l.thought, c.thoughtSlots * c.headDim) }
        }
    }
}
