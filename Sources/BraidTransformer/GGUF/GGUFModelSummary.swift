/// What `braid model info` reports about a GGUF model: architecture, size, shapes, tokenizer, template.
///
/// Read from the standard GGUF keys (`general.architecture`, `{arch}.block_count`, …); fields that a
/// file does not carry are nil rather than guessed.
public struct GGUFModelSummary: Codable, Sendable, Equatable {
    /// Count and element total of the tensors of one type.
    public struct TypeCount: Codable, Sendable, Equatable {
        /// The ggml type name (`Q4_1`).
        public let type: String
        /// Number of tensors of this type.
        public let tensors: Int
        /// Number of elements in them.
        public let parameters: Int
    }

    /// GGUF format version.
    public let version: Int
    /// File size in bytes.
    public let fileSize: Int
    /// `general.architecture`.
    public let architecture: String?
    /// `general.name`.
    public let name: String?
    /// Sum of all tensors' elements.
    public let parameterCount: Int
    /// Number of tensors.
    public let tensorCount: Int
    /// Number of metadata entries.
    public let metadataCount: Int
    /// Tensors per type, most parameters first.
    public let tensorTypes: [TypeCount]
    /// `{arch}.context_length`.
    public let contextLength: Int?
    /// `{arch}.block_count`.
    public let layers: Int?
    /// `{arch}.embedding_length`.
    public let embeddingLength: Int?
    /// `{arch}.feed_forward_length`.
    public let feedForwardLength: Int?
    /// `{arch}.attention.head_count`.
    public let heads: Int?
    /// `{arch}.attention.head_count_kv` (defaults to `heads` when absent, as in llama.cpp).
    public let kvHeads: Int?
    /// `{arch}.rope.dimension_count`, else embedding length / heads.
    public let headDimension: Int?
    /// `{arch}.rope.freq_base`.
    public let ropeFreqBase: Float?
    /// `{arch}.attention.layer_norm_rms_epsilon`.
    public let rmsNormEpsilon: Float?
    /// Whether the output head reuses the token embedding (no `output.weight`).
    public let tiedOutput: Bool
    /// Number of tokens (`tokenizer.ggml.tokens`, else `{arch}.vocab_size`).
    public let vocabularySize: Int?
    /// `tokenizer.ggml.model`.
    public let tokenizerModel: String?
    /// `tokenizer.ggml.pre`.
    public let tokenizerPre: String?
    /// `tokenizer.chat_template`.
    public let chatTemplate: String?

    /// Summarizes an open file.
    public init(_ file: GGUFFile) {
        let m = file.metadata
        let arch = m.string("general.architecture")
        func key(_ suffix: String) -> String { "\(arch ?? "?").\(suffix)" }
        version = Int(file.version)
        fileSize = file.fileSize
        architecture = arch
        name = m.string("general.name")
        parameterCount = file.tensors.reduce(0) { $0 + $1.elementCount }
        tensorCount = file.tensors.count
        metadataCount = m.count
        var byType: [GGMLType: (Int, Int)] = [:]
        for t in file.tensors {
            let current = byType[t.type] ?? (0, 0)
            byType[t.type] = (current.0 + 1, current.1 + t.elementCount)
        }
        tensorTypes = byType.sorted { ($0.value.1, $0.key.rawValue) > ($1.value.1, $1.key.rawValue) }
            .map { TypeCount(type: $0.key.description, tensors: $0.value.0, parameters: $0.value.1) }
        contextLength = m.int(key("context_length"))
        layers = m.int(key("block_count"))
        embeddingLength = m.int(key("embedding_length"))
        feedForwardLength = m.int(key("feed_forward_length"))
        heads = m.int(key("attention.head_count"))
        kvHeads = m.int(key("attention.head_count_kv")) ?? heads
        if let rope = m.int(key("rope.dimension_count")) {
            headDimension = rope
        } else if let e = embeddingLength, let h = heads, h > 0 {
            headDimension = e / h
        } else {
            headDimension = nil
        }
        ropeFreqBase = m.float(key("rope.freq_base"))
        rmsNormEpsilon = m.float(key("attention.layer_norm_rms_epsilon"))
        tiedOutput = file.tensor(named: "output.weight") == nil && file.tensor(named: "token_embd.weight") != nil
        vocabularySize = m[("tokenizer.ggml.tokens")]?.arrayValue?.count ?? m.int(key("vocab_size"))
        tokenizerModel = m.string("tokenizer.ggml.model")
        tokenizerPre = m.string("tokenizer.ggml.pre")
        chatTemplate = m.string("tokenizer.chat_template")
    }
}
