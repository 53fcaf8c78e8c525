/// The few numbers of a model that decide KV memory and context: read from a model file's header, no weights.
public struct ModelShape: Codable, Equatable, Sendable {
    /// Number of transformer layers (each keeps its own K and V).
    public var layers: Int
    /// Number of key/value heads (grouped-query attention keeps fewer than query heads).
    public var kvHeads: Int
    /// Dimension of one head.
    public var headDim: Int
    /// Context window in tokens (largest position + 1 the model was trained for).
    public var contextLength: Int
    /// Bytes per stored K or V element: 4 for f32, 2 for f16.
    public var kvBytesPerElement: Int

    /// Creates a model shape.
    public init(layers: Int, kvHeads: Int, headDim: Int, contextLength: Int, kvBytesPerElement: Int = 4) {
        self.layers = layers
        self.kvHeads = kvHeads
        self.headDim = headDim
        self.contextLength = contextLength
        self.kvBytesPerElement = kvBytesPerElement
    }

    /// SmolLM2-135M-Instruct, Braid's default model, with f32 KV: 30 layers, 3 KV heads of 64, context 8192.
    public static let smolLM2 = ModelShape(layers: 30, kvHeads: 3, headDim: 64, contextLength: 8192, kvBytesPerElement: 4)

    /// KV bytes one token occupies across all layers: layers × KV heads × head dim × 2 (K and V) × element size.
    public var kvBytesPerToken: Int {
        layers * kvHeads * headDim * 2 * kvBytesPerElement
    }

    /// The same model with KV stored in elements of `bytes` bytes.
    public func withKVBytes(_ bytes: Int) -> ModelShape {
        var copy = self
        copy.kvBytesPerElement = bytes
        return copy
    }
}
