import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A model file mapped read-only into memory (or a private copy of in-memory bytes, for tests and generated
/// files). GGUF and safetensors readers both hold one; the bytes live as long as this object.
final class MappedFile: @unchecked Sendable {
    /// Why a file could not be mapped, in words; each reader wraps it in its own error naming the file.
    struct Failure: Error {
        let reason: String
    }

    let buffer: UnsafeRawBufferPointer
    private let mapped: Bool

    /// Maps the regular, non-empty file at `path`.
    init(path: String) throws {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw Failure(reason: String(cString: strerror(errno))) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw Failure(reason: String(cString: strerror(errno))) }
        guard (info.st_mode & S_IFMT) == S_IFREG else { throw Failure(reason: "not a regular file") }
        let size = Int(info.st_size)
        guard size > 0 else { throw Failure(reason: "the file is empty") }
        guard let address = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), address != MAP_FAILED else {
            throw Failure(reason: "mmap failed: " + String(cString: strerror(errno)))
        }
        buffer = UnsafeRawBufferPointer(start: UnsafeRawPointer(address), count: size)
        mapped = true
    }

    /// A copy of `data`, aligned to 64 bytes so tensor data keeps the alignment its file promises.
    init(copying data: Data) {
        let storage = UnsafeMutableRawBufferPointer.allocate(byteCount: max(data.count, 1), alignment: 64)
        data.copyBytes(to: storage.bindMemory(to: UInt8.self), count: data.count)
        buffer = UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(storage)[0..<data.count])
        mapped = false
    }

    deinit {
        guard let base = buffer.baseAddress else { return }
        if mapped {
            munmap(UnsafeMutableRawPointer(mutating: base), buffer.count)
        } else {
            base.deallocate()
        }
    }
}
