import Foundation

/// A GGUF file is a model source: metadata through `GGUFMetadata`, vectors dequantized to f32,
/// matrices left in the file's mapping in their storage type.
extension GGUFFile: ModelSource {
    public func metadataInt(_ key: String) -> Int? { metadata.int(key) }
    public func metadataFloat(_ key: String) -> Float? { metadata.float(key) }
    public func metadataString(_ key: String) -> String? { metadata.string(key) }
    public func metadataArrayCount(_ key: String) -> Int? { metadata[key]?.arrayValue?.count }
    public func tensorShape(_ name: String) -> [Int]? { tensor(named: name)?.dimensions }
    public func tensorFloats(_ name: String) throws -> [Float] {
        guard let info = tensor(named: name) else { throw ModelError.missingTensor(name) }
        return try dequantized(info)
    }
    public func matrix(_ name: String) throws -> WeightMatrix {
        guard let info = tensor(named: name) else { throw ModelError.missingTensor(name) }
        return try WeightMatrix(file: self, tensor: info)
    }
}

extension Transformer {
    /// Loads a GGUF model file (llama or qwen2 family); its matrices stay mapped, not copied.
    public convenience init(contentsOf url: URL, threads: Int? = nil) throws {
        try self.init(source: GGUFFile(contentsOf: url), threads: threads)
    }
}
