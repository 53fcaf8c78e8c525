/// What the model loader needs from a weights file: metadata values and f32 tensors.
///
/// `GGUFFile` conforms; tests and tools may provide tensors from memory with
/// `InMemoryModelSource`. Shapes follow ggml: `ne0` (the contiguous row length) first.
public protocol ModelSource {
    /// An integer metadata value, `nil` when absent or not an integer.
    func metadataInt(_ key: String) -> Int?
    /// A floating-point metadata value, `nil` when absent or not a number.
    func metadataFloat(_ key: String) -> Float?
    /// A string metadata value, `nil` when absent or not a string.
    func metadataString(_ key: String) -> String?
    /// The number of elements of an array metadata value (e.g. the vocabulary), `nil` when absent.
    func metadataArrayCount(_ key: String) -> Int?
    /// The dimensions of a tensor (`ne0` first), `nil` when the tensor is absent.
    func tensorShape(_ name: String) -> [Int]?
    /// The tensor's values dequantized to f32, in storage order.
    func tensorFloats(_ name: String) throws -> [Float]
    /// A 2-D tensor as a weight matrix (rows of `ne0` elements). A GGUF file hands out its
    /// mapped bytes in their storage type; the default copies `tensorFloats` into an f32 matrix.
    func matrix(_ name: String) throws -> WeightMatrix
}

extension ModelSource {
    /// An f32 copy of the tensor's values.
    public func matrix(_ name: String) throws -> WeightMatrix {
        guard let shape = tensorShape(name), let columns = shape.first, columns > 0 else {
            throw ModelError.missingTensor(name)
        }
        let values = try tensorFloats(name)
        return WeightMatrix(values: values, rows: values.count / columns, columns: columns)
    }
}

/// A `ModelSource` held in memory: metadata dictionaries and named f32 tensors.
public struct InMemoryModelSource: ModelSource, Sendable {
    /// Integer metadata by full key.
    public var ints: [String: Int] = [:]
    /// Float metadata by full key.
    public var floats: [String: Float] = [:]
    /// String metadata by full key.
    public var strings: [String: String] = [:]
    /// Tensors by name: dimensions (`ne0` first) and values.
    public var tensors: [String: (shape: [Int], values: [Float])] = [:]

    /// Creates an empty source.
    public init() {}

    public func metadataInt(_ key: String) -> Int? { ints[key] }
    public func metadataFloat(_ key: String) -> Float? { floats[key] ?? ints[key].map(Float.init) }
    public func metadataString(_ key: String) -> String? { strings[key] }
    public func metadataArrayCount(_ key: String) -> Int? { nil }
    public func tensorShape(_ name: String) -> [Int]? { tensors[name]?.shape }
    public func tensorFloats(_ name: String) throws -> [Float] {
        guard let tensor = tensors[name] else { throw ModelError.missingTensor(name) }
        return tensor.values
    }
}
