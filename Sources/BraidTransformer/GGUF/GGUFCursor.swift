/// A bounds-checked little-endian reader over the mapped file.
///
/// Every read checks the remaining length first, so a truncated or hostile file ends in a
/// `GGUFError.truncated` naming the field, never an out-of-bounds read.
struct GGUFCursor {
    let base: UnsafeRawBufferPointer
    private(set) var offset: Int = 0

    init(_ base: UnsafeRawBufferPointer) {
        self.base = base
    }

    /// Bytes left after the cursor.
    var remaining: Int { base.count - offset }

    /// Checks that `count` bytes remain for `what`.
    func need(_ count: Int, _ what: @autoclosure () -> String) throws {
        guard count >= 0, count <= remaining else {
            throw GGUFError.truncated(what: what(), offset: offset, needed: count, available: remaining)
        }
    }

    /// Reads a fixed-width integer (little-endian).
    mutating func read<T: FixedWidthInteger>(_ type: T.Type, _ what: @autoclosure () -> String) throws -> T {
        try need(MemoryLayout<T>.size, what())
        let value = base.loadUnaligned(fromByteOffset: offset, as: T.self)
        offset += MemoryLayout<T>.size
        return T(littleEndian: value)
    }

    /// Reads `count` little-endian integers (count already checked against the remaining bytes).
    mutating func array<T: FixedWidthInteger>(_ type: T.Type, count: Int, _ what: @autoclosure () -> String) throws -> [T] {
        let size = MemoryLayout<T>.size
        let (total, overflow) = count.multipliedReportingOverflow(by: size)
        try need(overflow ? -1 : total, what())
        let start = offset
        let base = self.base
        let values = [T](unsafeUninitializedCapacity: count) { buffer, initialized in
            for i in 0..<count {
                buffer[i] = T(littleEndian: base.loadUnaligned(fromByteOffset: start + i * size, as: T.self))
            }
            initialized = count
        }
        offset += total
        return values
    }

    /// Reads raw bytes.
    mutating func bytes(_ count: Int, _ what: @autoclosure () -> String) throws -> UnsafeRawBufferPointer {
        try need(count, what())
        let slice = UnsafeRawBufferPointer(rebasing: base[offset..<(offset + count)])
        offset += count
        return slice
    }

    /// Reads a u64 count and checks that `count * minimumElementSize` bytes could still follow, so that
    /// a hostile count never drives an allocation or a long loop.
    mutating func count(_ what: @autoclosure () -> String, minimumElementSize: Int) throws -> Int {
        let description = what()
        let raw = try read(UInt64.self, description)
        let limit = remaining / max(minimumElementSize, 1)
        guard raw <= UInt64(limit) else {
            throw GGUFError.countTooLarge(what: description, count: raw, limit: limit)
        }
        return Int(raw)
    }

    /// Reads a `gguf_string`: u64 length then UTF-8 bytes.
    mutating func string(_ what: @autoclosure () -> String) throws -> String {
        let description = what()
        let length = try count("length of \(description)", minimumElementSize: 1)
        let raw = try bytes(length, description)
        guard let s = String(validating: raw, as: UTF8.self) else {
            throw GGUFError.invalidUTF8(what: description)
        }
        return s
    }
}
