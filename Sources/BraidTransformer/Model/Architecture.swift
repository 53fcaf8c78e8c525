import Foundation

/// Where one model family keeps its hyper-parameters and tensors in a GGUF file.
///
/// Everything that differs between families at load time lives in one value of this type, so
/// adding a family is adding one table (and, if its block differs, a flag the forward pass
/// understands). Metadata keys are given without the `"<architecture>."` prefix GGUF puts in
/// front of them; tensor names use `{n}` for the layer number.
public struct Architecture: Sendable, Equatable {
    /// The value of `general.architecture`.
    public let name: String
    /// How the family's Q/K rows (as stored in GGUF) pair dimensions for RoPE.
    public let ropeStyle: RopeStyle
    /// Whether Q, K and V have bias vectors (`blk.{n}.attn_q.bias`, …).
    public let hasQKVBias: Bool

    /// Metadata key suffixes: layer count, context length, embedding width, FFN width, heads,
    /// KV heads, RoPE base, RMSNorm epsilon, rotary dimension (head size), vocabulary size.
    public var blockCountKey = "block_count"
    public var contextLengthKey = "context_length"
    public var embeddingKey = "embedding_length"
    public var feedForwardKey = "feed_forward_length"
    public var headCountKey = "attention.head_count"
    public var kvHeadCountKey = "attention.head_count_kv"
    public var ropeBaseKey = "rope.freq_base"
    public var rmsEpsilonKey = "attention.layer_norm_rms_epsilon"
    public var headDimKeys = ["attention.key_length", "rope.dimension_count"]
    public var vocabSizeKey = "vocab_size"

    /// Tensor names (GGUF conventions, shared by llama.cpp's converters for both families).
    public var tokenEmbedding = "token_embd.weight"
    public var outputNorm = "output_norm.weight"
    public var output = "output.weight"
    public var attentionNorm = "blk.{n}.attn_norm.weight"
    public var query = "blk.{n}.attn_q.weight"
    public var key = "blk.{n}.attn_k.weight"
    public var value = "blk.{n}.attn_v.weight"
    public var queryBias = "blk.{n}.attn_q.bias"
    public var keyBias = "blk.{n}.attn_k.bias"
    public var valueBias = "blk.{n}.attn_v.bias"
    public var attentionOutput = "blk.{n}.attn_output.weight"
    public var ffnNorm = "blk.{n}.ffn_norm.weight"
    public var ffnGate = "blk.{n}.ffn_gate.weight"
    public var ffnUp = "blk.{n}.ffn_up.weight"
    public var ffnDown = "blk.{n}.ffn_down.weight"
    /// Optional per-layer thought embeddings (ParaThinker): dims `[headDim, slots]`, i.e. one
    /// row of `headDim` values per thought index. Braid's own name; no upstream convention exists.
    public var thoughtEmbedding = "blk.{n}.thought_embd"

    /// Creates a table with the shared GGUF names.
    public init(name: String, ropeStyle: RopeStyle, hasQKVBias: Bool) {
        self.name = name
        self.ropeStyle = ropeStyle
        self.hasQKVBias = hasQKVBias
    }

    /// The full metadata key for a suffix, e.g. `llama.block_count`.
    public func key(_ suffix: String) -> String { "\(name).\(suffix)" }

    /// A per-layer tensor name with the layer number filled in.
    public static func layerName(_ pattern: String, _ layer: Int) -> String {
        pattern.replacingOccurrences(of: "{n}", with: String(layer))
    }

    /// Llama (SmolLM2, Llama 2/3): no biases; GGUF's permuted Q/K make adjacent-pair RoPE exact.
    public static let llama = Architecture(name: "llama", ropeStyle: .adjacent, hasQKVBias: false)
    /// Qwen2 (DeepSeek-R1-Distill-Qwen, ParaThinker bases): QKV biases, half-split RoPE.
    public static let qwen2 = Architecture(name: "qwen2", ropeStyle: .halfSplit, hasQKVBias: true)

    /// Every family Braid can run.
    public static let all: [Architecture] = [.llama, .qwen2]

    /// The table for `general.architecture`, or `nil` when the family is unsupported.
    public static func named(_ name: String) -> Architecture? { all.first { $0.name == name } }
}
