/// The hyper-parameters of a decoder-only transformer, read from a model file's metadata.
///
/// `Codable` so that tools can print it and tests can build synthetic models from it.
public struct ModelConfig: Codable, Sendable, Equatable {
    /// The family (`general.architecture`), e.g. `llama` or `qwen2`.
    public var architecture: String
    /// Number of transformer blocks.
    public var layers: Int
    /// Width of the residual stream.
    public var embedding: Int
    /// Width of the SwiGLU hidden layer.
    public var ffn: Int
    /// Number of query heads.
    public var heads: Int
    /// Number of key/value heads (grouped-query attention: `heads` is a multiple of it).
    public var kvHeads: Int
    /// Size of one head.
    public var headDim: Int
    /// RoPE base (`θ_i = pos · base^(−2i/headDim)`).
    public var ropeBase: Double
    /// RMSNorm epsilon.
    public var rmsEpsilon: Float
    /// Context length the model was trained for (informational; positions are not capped by it).
    public var contextLength: Int
    /// Number of vocabulary entries (rows of the embedding and of the output head).
    public var vocabSize: Int
    /// How RoPE pairs dimensions for this family's stored weights.
    public var ropeStyle: RopeStyle
    /// Whether the output head reuses the token embedding (no `output.weight`).
    public var tiedOutput: Bool
    /// Whether Q/K/V carry biases.
    public var hasQKVBias: Bool
    /// Number of thought-embedding rows per layer (0 when the model has none).
    public var thoughtSlots: Int
    /// The checkpoint's RoPE context-extension rule (`nil`: plain RoPE).
    public var ropeScaling: RopeScaling?

    /// Creates a configuration from explicit values (synthetic models, tests).
    public init(architecture: String, layers: Int, embedding: Int, ffn: Int, heads: Int, kvHeads: Int,
                headDim: Int, ropeBase: Double, rmsEpsilon: Float, contextLength: Int, vocabSize: Int,
                ropeStyle: RopeStyle, tiedOutput: Bool, hasQKVBias: Bool, thoughtSlots: Int = 0,
                ropeScaling: RopeScaling? = nil) {
        self.architecture = architecture
        self.layers = layers
        self.embedding = embedding
        self.ffn = ffn
        self.heads = heads
        self.kvHeads = kvHeads
        self.headDim = headDim
        self.ropeBase = ropeBase
        self.rmsEpsilon = rmsEpsilon
        self.contextLength = contextLength
        self.vocabSize = vocabSize
        self.ropeStyle = ropeStyle
        self.tiedOutput = tiedOutput
        self.hasQKVBias = hasQKVBias
        self.thoughtSlots = thoughtSlots
        self.ropeScaling = ropeScaling
    }

    /// Width of all query heads together.
    public var queryDim: Int { heads * headDim }
    /// Width of all key (or value) heads together.
    public var kvDim: Int { kvHeads * headDim }

    /// Reads the configuration through the architecture's table.
    public init(source: ModelSource) throws {
        guard let name = source.metadataString("general.architecture") else {
            throw ModelError.missingMetadata("general.architecture")
        }
        guard let arch = Architecture.named(name) else { throw ModelError.unsupportedArchitecture(name) }
        func int(_ suffix: String) throws -> Int {
            guard let v = source.metadataInt(arch.key(suffix)) else { throw ModelError.missingMetadata(arch.key(suffix)) }
            guard v > 0 else { throw ModelError.invalidMetadata(key: arch.key(suffix), reason: "must be positive, is \(v)") }
            return v
        }
        func float(_ suffix: String) throws -> Float {
            guard let v = source.metadataFloat(arch.key(suffix)) else { throw ModelError.missingMetadata(arch.key(suffix)) }
            return v
        }
        let embedding = try int(arch.embeddingKey)
        let heads = try int(arch.headCountKey)
        let kvHeads = source.metadataInt(arch.key(arch.kvHeadCountKey)) ?? heads
        let headDim = arch.headDimKeys.lazy.compactMap { source.metadataInt(arch.key($0)) }.first ?? embedding / heads
        guard let embShape = source.tensorShape(arch.tokenEmbedding) else { throw ModelError.missingTensor(arch.tokenEmbedding) }
        let vocab = source.metadataInt(arch.key(arch.vocabSizeKey))
            ?? source.metadataArrayCount("tokenizer.ggml.tokens") ?? (embShape.count == 2 ? embShape[1] : 0)
        let thoughtShape = source.tensorShape(Architecture.layerName(arch.thoughtEmbedding, 0))
        self.init(architecture: name, layers: try int(arch.blockCountKey), embedding: embedding,
                  ffn: try int(arch.feedForwardKey), heads: heads, kvHeads: kvHeads, headDim: headDim,
                  ropeBase: Double(source.metadataFloat(arch.key(arch.ropeBaseKey)) ?? 10_000),
                  rmsEpsilon: try float(arch.rmsEpsilonKey),
                  contextLength: source.metadataInt(arch.key(arch.contextLengthKey)) ?? 0,
                  vocabSize: vocab, ropeStyle: arch.ropeStyle,
                  tiedOutput: source.tensorShape(arch.output) == nil, hasQKVBias: arch.hasQKVBias,
                  thoughtSlots: thoughtShape.map { $0.count == 2 ? $0[1] : 0 } ?? 0,
                  ropeScaling: try RopeScaling(source: source, architecture: name,
                                               contextLength: source.metadataInt(arch.key(arch.contextLengthKey)) ?? 0))
        try validate()
    }

    /// Checks the relations between the numbers that the forward pass relies on.
    public func validate() throws {
        func bad(_ key: String, _ reason: String) -> ModelError { .invalidMetadata(key: key, reason: reason) }
        if kvHeads <= 0 || heads % kvHeads != 0 {
            throw bad("head_count_kv", "\(heads) query heads are not a multiple of \(kvHeads) KV heads")
        }
        if headDim <= 0 || headDim % 2 != 0 { throw bad("head dimension", "must be positive and even, is \(headDim)") }
        if vocabSize <= 0 { throw bad("vocab_size", "must be positive, is \(vocabSize)") }
        if thoughtSlots < 0 { throw bad("thought slots", "must not be negative") }
    }
}
