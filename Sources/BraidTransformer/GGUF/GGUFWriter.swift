import Foundation

/// Builds a GGUF file (version 3, little-endian): metadata in insertion order, then tensors.
///
/// Used by tests (synthetic models, hostile-file variations) and tools. Tensors are given either as
/// Float values, quantized by the reference quantizers, or as already-encoded bytes.
public struct GGUFWriter: Sendable {
    /// A tensor waiting to be written.
    public struct Tensor: Sendable, Equatable {
        /// Name.
        public let name: String
        /// Dimensions, ne0 first.
        public let dimensions: [Int]
        /// Element type.
        public let type: GGMLType
        /// Encoded data (`type.byteCount(elements:)` bytes).
        public let data: [UInt8]
    }

    /// Data-section alignment; written as `general.alignment` when it is not the default 32.
    public let alignment: Int
    /// The metadata, in the order it will be written.
    public private(set) var metadata: [GGUFKeyValue] = []
    /// The tensors, in the order they will be written.
    public private(set) var tensors: [Tensor] = []

    /// A writer with the given alignment (a power of two).
    public init(alignment: Int = 32) throws {
        guard alignment > 0, alignment & (alignment - 1) == 0 else {
            throw GGUFError.badAlignment("\(alignment) is not a power of two")
        }
        self.alignment = alignment
        if alignment != 32 { set("general.alignment", .uint32(UInt32(alignment))) }
    }

    /// Sets `key` to `value`, replacing an earlier value in place.
    public mutating func set(_ key: String, _ value: GGUFValue) {
        if let i = metadata.firstIndex(where: { $0.key == key }) {
            metadata[i] = GGUFKeyValue(key: key, value: value)
        } else {
            metadata.append(GGUFKeyValue(key: key, value: value))
        }
    }

    /// Adds a tensor from Float values (row-major rows of `dimensions[0]`), encoded as `type`.
    public mutating func addTensor(name: String, dimensions: [Int], values: [Float], type: GGMLType = .f32) throws {
        try checkShape(name: name, dimensions: dimensions, type: type, elements: values.count)
        let encoded: [UInt8]
        do {
            encoded = try quantize(values, as: type)
        } catch {
            throw GGUFError.invalidTensor(name: name, reason: "cannot encode as \(type): \(values.count) values")
        }
        tensors.append(Tensor(name: name, dimensions: dimensions, type: type, data: encoded))
    }

    /// Adds a tensor from already-encoded bytes.
    public mutating func addTensor(name: String, dimensions: [Int], type: GGMLType, encoded: [UInt8]) throws {
        let elements = dimensions.reduce(1) { $0.multipliedReportingOverflow(by: $1).overflow ? Int.max : $0 * $1 }
        try checkShape(name: name, dimensions: dimensions, type: type, elements: elements)
        guard type.byteCount(elements: elements) == encoded.count else {
            throw GGUFError.invalidTensor(name: name, reason: "\(encoded.count) bytes given, \(type) shape \(dimensions) needs \(type.byteCount(elements: elements) ?? -1)")
        }
        tensors.append(Tensor(name: name, dimensions: dimensions, type: type, data: encoded))
    }

    private func checkShape(name: String, dimensions: [Int], type: GGMLType, elements: Int) throws {
        guard !tensors.contains(where: { $0.name == name }) else {
            throw GGUFError.invalidTensor(name: name, reason: "appears more than once")
        }
        guard (1...4).contains(dimensions.count), dimensions.allSatisfy({ $0 > 0 }) else {
            throw GGUFError.invalidTensor(name: name, reason: "shape \(dimensions) needs 1 to 4 positive dimensions")
        }
        let (count, overflow) = dimensions.reduce((1, false)) { acc, d in
            let r = acc.0.multipliedReportingOverflow(by: d)
            return (r.partialValue, acc.1 || r.overflow)
        }
        guard !overflow, count == elements else {
            throw GGUFError.invalidTensor(name: name, reason: "\(elements) values given, shape \(dimensions) needs \(overflow ? "more than Int.max" : String(count))")
        }
        guard dimensions[0] % type.blockSize == 0 else {
            throw GGUFError.invalidTensor(name: name, reason: "row length \(dimensions[0]) is not a multiple of the \(type) block size \(type.blockSize)")
        }
    }

    /// The file image. (Throws nothing today; kept throwing so that future checks need no API change.)
    public func serialized() throws -> Data {
        var out = Data()
        out.append(contentsOf: Array("GGUF".utf8))
        out.appendLittleEndian(UInt32(3))
        out.appendLittleEndian(UInt64(tensors.count))
        out.appendLittleEndian(UInt64(metadata.count))
        for entry in metadata {
            out.appendGGUFString(entry.key)
            out.appendLittleEndian(entry.value.type.rawValue)
            out.appendGGUFValue(entry.value)
        }
        var offset = 0
        var offsets: [Int] = []
        for t in tensors {
            offsets.append(offset)
            offset = (offset + t.data.count + alignment - 1) / alignment * alignment
        }
        for (t, o) in zip(tensors, offsets) {
            out.appendGGUFString(t.name)
            out.appendLittleEndian(UInt32(t.dimensions.count))
            for d in t.dimensions { out.appendLittleEndian(UInt64(d)) }
            out.appendLittleEndian(t.type.rawValue)
            out.appendLittleEndian(UInt64(o))
        }
        out.padToMultiple(of: alignment)
        for t in tensors {
            out.append(contentsOf: t.data)
            out.padToMultiple(of: alignment)
        }
        return out
    }

    /// Writes the file atomically.
    public func write(to url: URL) throws {
        try serialized().write(to: url, options: .atomic)
    }

}

extension Data {
    /// Appends a fixed-width integer in little-endian order.
    mutating func appendLittleEndian<T: FixedWidthInteger>(_ value: T) {
        Swift.withUnsafeBytes(of: value.littleEndian) { append(contentsOf: $0) }
    }

    /// Appends a `gguf_string`.
    mutating func appendGGUFString(_ s: String) {
        appendLittleEndian(UInt64(s.utf8.count))
        append(contentsOf: Array(s.utf8))
    }

    /// Appends zero bytes up to a multiple of `alignment`.
    mutating func padToMultiple(of alignment: Int) {
        let padding = (alignment - count % alignment) % alignment
        append(contentsOf: [UInt8](repeating: 0, count: padding))
    }

    /// Appends a value's payload (its type id is written by the caller).
    mutating func appendGGUFValue(_ value: GGUFValue) {
        switch value {
        case let .uint8(v): appendLittleEndian(v)
        case let .int8(v): appendLittleEndian(v)
        case let .uint16(v): appendLittleEndian(v)
        case let .int16(v): appendLittleEndian(v)
        case let .uint32(v): appendLittleEndian(v)
        case let .int32(v): appendLittleEndian(v)
        case let .float32(v): appendLittleEndian(v.bitPattern)
        case let .bool(v): appendLittleEndian(UInt8(v ? 1 : 0))
        case let .string(v): appendGGUFString(v)
        case let .uint64(v): appendLittleEndian(v)
        case let .int64(v): appendLittleEndian(v)
        case let .float64(v): appendLittleEndian(v.bitPattern)
        case let .array(a):
            appendLittleEndian(a.elementType.rawValue)
            appendLittleEndian(UInt64(a.count))
            switch a.storage {
            case let .uint8(v): v.forEach { appendLittleEndian($0) }
            case let .int8(v): v.forEach { appendLittleEndian($0) }
            case let .uint16(v): v.forEach { appendLittleEndian($0) }
            case let .int16(v): v.forEach { appendLittleEndian($0) }
            case let .uint32(v): v.forEach { appendLittleEndian($0) }
            case let .int32(v): v.forEach { appendLittleEndian($0) }
            case let .float32(v): v.forEach { appendLittleEndian($0.bitPattern) }
            case let .bool(v): v.forEach { appendLittleEndian(UInt8($0 ? 1 : 0)) }
            case let .string(v): v.forEach { appendGGUFString($0) }
            case let .array(v): v.forEach { appendGGUFValue(.array($0)) }
            case let .uint64(v): v.forEach { appendLittleEndian($0) }
            case let .int64(v): v.forEach { appendLittleEndian($0) }
            case let .float64(v): v.forEach { appendLittleEndian($0.bitPattern) }
            }
        }
    }
}
