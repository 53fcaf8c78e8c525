import Foundation

/// A GGUF file (versions 2 and 3), memory-mapped read-only and validated when opened.
///
/// After `init` succeeds every tensor's bytes are known to lie inside the file, aligned, with the size
/// its shape and type require, and not overlapping another tensor. The mapping lives as long as this
/// object: pointers from `bytes(of:)` must not outlive it.
public final class GGUFFile: @unchecked Sendable {
    /// The format version (2 or 3).
    public let version: UInt32
    /// The metadata, in file order.
    public let metadata: GGUFMetadata
    /// The tensor infos, in file order.
    public let tensors: [GGUFTensorInfo]
    /// The data-section alignment (`general.alignment`, default 32).
    public let alignment: Int
    /// Absolute offset of the data section.
    public let dataOffset: Int
    /// Size of the file in bytes.
    public let fileSize: Int
    /// Where the file came from, for messages.
    public let url: URL?

    private let mapping: MappedFile
    private let tensorIndex: [String: Int]

    /// Opens and validates the GGUF file at `url`. Throws `GGUFError`.
    public convenience init(contentsOf url: URL) throws {
        let mapping: MappedFile
        do {
            mapping = try MappedFile(path: url.path)
        } catch let failure as MappedFile.Failure {
            throw GGUFError.unreadable(path: url.path, reason: failure.reason)
        }
        try self.init(mapping: mapping, url: url)
    }

    /// The metadata of the GGUF file at `url`, without its tensors: the header and the metadata entries are
    /// parsed and validated, the tensor infos and the data section are never read (a tokenizer needs nothing else,
    /// and a served run needs only a tokenizer). The file is mapped only while this reads it. Throws `GGUFError`.
    public static func metadata(contentsOf url: URL) throws -> GGUFMetadata {
        let mapping: MappedFile
        do {
            mapping = try MappedFile(path: url.path)
        } catch let failure as MappedFile.Failure {
            throw GGUFError.unreadable(path: url.path, reason: failure.reason)
        }
        return try GGUFParser.parseMetadata(mapping.buffer)
    }

    /// Parses and validates a GGUF image held in memory (tests, generated files). The bytes are copied.
    public convenience init(data: Data) throws {
        try self.init(mapping: MappedFile(copying: data), url: nil)
    }

    private init(mapping: MappedFile, url: URL?) throws {
        self.mapping = mapping
        self.url = url
        let parsed = try GGUFParser.parse(mapping.buffer)
        version = parsed.version
        metadata = parsed.metadata
        tensors = parsed.tensors
        alignment = parsed.alignment
        dataOffset = parsed.dataOffset
        fileSize = mapping.buffer.count
        var index: [String: Int] = [:]
        for (i, t) in tensors.enumerated() { index[t.name] = i }
        tensorIndex = index
    }

    /// The tensor called `name`, if present.
    public func tensor(named name: String) -> GGUFTensorInfo? {
        tensorIndex[name].map { tensors[$0] }
    }

    /// The tensor called `name`, or `GGUFError.missingTensor`.
    public func requireTensor(named name: String) throws -> GGUFTensorInfo {
        guard let t = tensor(named: name) else { throw GGUFError.missingTensor(name) }
        return t
    }

    /// The tensor called `name` with exactly these dimensions (ne0 first), or a `GGUFError` naming
    /// what is missing or different.
    public func requireTensor(named name: String, dimensions: [Int]) throws -> GGUFTensorInfo {
        let t = try requireTensor(named: name)
        guard t.dimensions == dimensions else {
            throw GGUFError.shapeMismatch(name: name, expected: dimensions, found: t.dimensions)
        }
        return t
    }

    /// The raw bytes of a tensor of this file (in bounds: checked when the file was opened).
    /// Valid as long as this `GGUFFile` is alive.
    public func bytes(of tensor: GGUFTensorInfo) -> UnsafeRawBufferPointer {
        let start = min(max(tensor.offset, 0), mapping.buffer.count)
        let end = min(start + max(tensor.byteCount, 0), mapping.buffer.count)
        return UnsafeRawBufferPointer(rebasing: mapping.buffer[start..<end])
    }

    /// The whole file image.
    public var rawBytes: UnsafeRawBufferPointer { mapping.buffer }
}
