import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

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

    private let mapping: Mapping
    private let tensorIndex: [String: Int]

    /// Opens and validates the GGUF file at `url`. Throws `GGUFError`.
    public convenience init(contentsOf url: URL) throws {
        try self.init(mapping: Mapping(path: url.path), url: url)
    }

    /// Parses and validates a GGUF image held in memory (tests, generated files). The bytes are copied.
    public convenience init(data: Data) throws {
        try self.init(mapping: Mapping(copying: data), url: nil)
    }

    private init(mapping: Mapping, url: URL?) throws {
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

/// Owns the bytes of a GGUF file: an `mmap` of a file, or a private copy of in-memory data.
private final class Mapping: @unchecked Sendable {
    let buffer: UnsafeRawBufferPointer
    private let mapped: Bool
    private let owned: UnsafeMutableRawPointer?

    init(path: String) throws {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw GGUFError.unreadable(path: path, reason: String(cString: strerror(errno))) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            throw GGUFError.unreadable(path: path, reason: String(cString: strerror(errno)))
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            throw GGUFError.unreadable(path: path, reason: "not a regular file")
        }
        let size = Int(info.st_size)
        guard size > 0 else { throw GGUFError.unreadable(path: path, reason: "the file is empty") }
        guard let address = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), address != MAP_FAILED else {
            throw GGUFError.unreadable(path: path, reason: "mmap failed: " + String(cString: strerror(errno)))
        }
        buffer = UnsafeRawBufferPointer(start: UnsafeRawPointer(address), count: size)
        mapped = true
        owned = nil
    }

    init(copying data: Data) {
        // Aligned to 64 so that tensor data keeps the alignment the file promises.
        let storage = UnsafeMutableRawBufferPointer.allocate(byteCount: max(data.count, 1), alignment: 64)
        data.copyBytes(to: storage.bindMemory(to: UInt8.self), count: data.count)
        buffer = UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(storage)[0..<data.count])
        mapped = false
        owned = storage.baseAddress
    }

    deinit {
        if mapped {
            if let base = buffer.baseAddress { munmap(UnsafeMutableRawPointer(mutating: base), buffer.count) }
        } else {
            owned?.deallocate()
        }
    }
}
