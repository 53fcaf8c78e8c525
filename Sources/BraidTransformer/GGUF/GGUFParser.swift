/// Parses and validates a GGUF image: header, metadata, tensor infos, data-section layout.
///
/// Limits reflect ggml's own (at most 4 dimensions) and what the bytes can hold: no count is trusted
/// before it is compared with the bytes that remain, so a hostile header cannot force a huge allocation.
enum GGUFParser {
    /// What parsing yields.
    struct Parsed {
        var version: UInt32
        var metadata: GGUFMetadata
        var tensors: [GGUFTensorInfo]
        var alignment: Int
        var dataOffset: Int
    }

    /// Deepest nesting of arrays of arrays accepted (the spec allows nesting; real files use none).
    static let maxArrayDepth = 4
    /// ggml's GGML_MAX_DIMS.
    static let maxDimensions = 4
    /// Longest tensor name accepted (ggml's limit is 63 bytes; leave headroom).
    static let maxTensorNameLength = 256
    /// Default data alignment.
    static let defaultAlignment = 32

    static func parse(_ bytes: UnsafeRawBufferPointer) throws -> Parsed {
        var cursor = GGUFCursor(bytes)
        let (version, tensorCount, metadata) = try parseHeader(&cursor)
        let alignment = try readAlignment(metadata)

        var raw: [(name: String, dims: [Int], type: GGMLType, offset: Int)] = []
        raw.reserveCapacity(min(tensorCount, 1 << 12))
        var seen = Set<String>()
        for i in 0..<tensorCount {
            let name = try cursor.string("name of tensor \(i)")
            guard name.utf8.count <= maxTensorNameLength else {
                throw GGUFError.invalidTensor(name: String(name.prefix(64)) + "…", reason: "name longer than \(maxTensorNameLength) bytes")
            }
            guard seen.insert(name).inserted else {
                throw GGUFError.invalidTensor(name: name, reason: "appears more than once")
            }
            let nDims = try cursor.read(UInt32.self, "dimension count of tensor '\(name)'")
            guard (1...UInt32(maxDimensions)).contains(nDims) else {
                throw GGUFError.invalidTensor(name: name, reason: "has \(nDims) dimensions (supported: 1 to \(maxDimensions))")
            }
            var dims: [Int] = []
            for d in 0..<Int(nDims) {
                let value = try cursor.read(UInt64.self, "dimension \(d) of tensor '\(name)'")
                guard value >= 1, value <= UInt64(Int32.max) * 16 else {
                    throw GGUFError.invalidTensor(name: name, reason: "dimension \(d) is \(value)")
                }
                dims.append(Int(value))
            }
            let rawType = try cursor.read(UInt32.self, "type of tensor '\(name)'")
            guard let type = GGMLType(rawValue: rawType) else {
                throw GGUFError.unsupportedTensorType(name: name, raw: rawType)
            }
            let offset = try cursor.read(UInt64.self, "data offset of tensor '\(name)'")
            guard offset <= UInt64(bytes.count) else {
                throw GGUFError.invalidTensor(name: name, reason: "data offset \(offset) is past the end of the file (\(bytes.count) bytes)")
            }
            raw.append((name, dims, type, Int(offset)))
        }

        let (dataOffset, overflow) = cursor.offset.addingReportingOverflow(alignment - 1)
        let dataStart = overflow ? Int.max : dataOffset / alignment * alignment
        // A file with no tensors may end right after its infos, without padding.
        if !raw.isEmpty, dataStart > bytes.count {
            throw GGUFError.truncated(what: "data section", offset: cursor.offset, needed: dataStart - cursor.offset, available: cursor.remaining)
        }
        let tensors = try raw.map { try validate($0, dataStart: dataStart, alignment: alignment, fileSize: bytes.count) }
        try checkOverlaps(tensors)
        return Parsed(version: version, metadata: metadata, tensors: tensors, alignment: alignment, dataOffset: dataStart)
    }

    /// The header and the metadata alone, for readers that need no tensor (a tokenizer): the tensor infos and
    /// the data section after them are not read, so a file whose tensors are damaged or missing still gives its
    /// metadata.
    static func parseMetadata(_ bytes: UnsafeRawBufferPointer) throws -> GGUFMetadata {
        var cursor = GGUFCursor(bytes)
        return try parseHeader(&cursor).metadata
    }

    /// Reads the magic, the version, the two counts and the metadata entries, leaving `cursor` at the first
    /// tensor info.
    private static func parseHeader(_ cursor: inout GGUFCursor) throws -> (version: UInt32, tensorCount: Int, metadata: GGUFMetadata) {
        try cursor.need(4, "magic")
        let magic = Array(try cursor.bytes(4, "magic"))
        guard magic == Array("GGUF".utf8) else { throw GGUFError.badMagic(found: magic) }
        let version = try cursor.read(UInt32.self, "version")
        guard version == 2 || version == 3 else { throw GGUFError.unsupportedVersion(version) }
        // Smallest possible tensor info: name length (8) + n_dims (4) + one dim (8) + type (4) + offset (8).
        let tensorCount = try cursor.count("tensor count", minimumElementSize: 32)
        // Smallest possible key/value: key length (8) + type (4) + a one-byte value.
        let kvCount = try cursor.count("metadata key/value count", minimumElementSize: 13)

        var entries: [GGUFKeyValue] = []
        entries.reserveCapacity(min(kvCount, 1 << 12))  // grows only as real entries are parsed
        for i in 0..<kvCount {
            let key = try cursor.string("key of metadata entry \(i)")
            let rawType = try cursor.read(UInt32.self, "value type of '\(key)'")
            guard let type = GGUFValueType(rawValue: rawType) else {
                throw GGUFError.unknownValueType(raw: rawType, key: key)
            }
            let value = try readValue(type, key: key, depth: 0, cursor: &cursor)
            entries.append(GGUFKeyValue(key: key, value: value))
        }
        return (version, tensorCount, try GGUFMetadata(entries))
    }

    private static func readAlignment(_ metadata: GGUFMetadata) throws -> Int {
        guard let value = metadata["general.alignment"] else { return defaultAlignment }
        guard let alignment = value.intValue else {
            throw GGUFError.badAlignment("it is a \(value.type), expected an integer")
        }
        guard alignment > 0, alignment <= 1 << 16, alignment & (alignment - 1) == 0 else {
            throw GGUFError.badAlignment("\(alignment) is not a power of two between 1 and 65536")
        }
        return alignment
    }

    private static func validate(_ t: (name: String, dims: [Int], type: GGMLType, offset: Int),
                                 dataStart: Int, alignment: Int, fileSize: Int) throws -> GGUFTensorInfo {
        var elements = 1
        for d in t.dims {
            let (product, overflow) = elements.multipliedReportingOverflow(by: d)
            guard !overflow, product <= fileSize * 8 else {
                throw GGUFError.invalidTensor(name: t.name, reason: "shape \(t.dims) has more elements than the file can hold")
            }
            elements = product
        }
        guard t.dims[0] % t.type.blockSize == 0, let byteCount = t.type.byteCount(elements: elements) else {
            throw GGUFError.invalidTensor(name: t.name, reason: "row length \(t.dims[0]) is not a multiple of the \(t.type) block size \(t.type.blockSize)")
        }
        guard t.offset % alignment == 0 else {
            throw GGUFError.invalidTensor(name: t.name, reason: "data offset \(t.offset) is not a multiple of the alignment \(alignment)")
        }
        let start = dataStart + t.offset
        guard start <= fileSize, byteCount <= fileSize - start else {
            throw GGUFError.invalidTensor(name: t.name, reason: "data (\(byteCount) bytes at file offset \(start)) runs past the end of the file (\(fileSize) bytes)")
        }
        return GGUFTensorInfo(name: t.name, dimensions: t.dims, type: t.type, offset: start, byteCount: byteCount, elementCount: elements)
    }

    private static func checkOverlaps(_ tensors: [GGUFTensorInfo]) throws {
        let sorted = tensors.sorted { $0.offset < $1.offset }
        for (a, b) in zip(sorted, sorted.dropFirst()) where a.offset + a.byteCount > b.offset {
            throw GGUFError.invalidTensor(name: b.name, reason: "data overlaps tensor '\(a.name)'")
        }
    }

    private static func readValue(_ type: GGUFValueType, key: String, depth: Int, cursor: inout GGUFCursor) throws -> GGUFValue {
        let what = "value of '\(key)'"
        switch type {
        case .uint8: return .uint8(try cursor.read(UInt8.self, what))
        case .int8: return .int8(try cursor.read(Int8.self, what))
        case .uint16: return .uint16(try cursor.read(UInt16.self, what))
        case .int16: return .int16(try cursor.read(Int16.self, what))
        case .uint32: return .uint32(try cursor.read(UInt32.self, what))
        case .int32: return .int32(try cursor.read(Int32.self, what))
        case .float32: return .float32(Float(bitPattern: try cursor.read(UInt32.self, what)))
        case .uint64: return .uint64(try cursor.read(UInt64.self, what))
        case .int64: return .int64(try cursor.read(Int64.self, what))
        case .float64: return .float64(Double(bitPattern: try cursor.read(UInt64.self, what)))
        case .bool:
            let byte = try cursor.read(UInt8.self, what)
            guard byte <= 1 else {
                throw GGUFError.wrongValueType(key: key, expected: "bool 0 or 1", found: "byte \(byte)")
            }
            return .bool(byte == 1)
        case .string: return .string(try cursor.string(what))
        case .array:
            guard depth < maxArrayDepth else {
                throw GGUFError.wrongValueType(key: key, expected: "arrays nested at most \(maxArrayDepth) deep", found: "deeper nesting")
            }
            let rawElementType = try cursor.read(UInt32.self, "array element type of '\(key)'")
            guard let elementType = GGUFValueType(rawValue: rawElementType) else {
                throw GGUFError.unknownValueType(raw: rawElementType, key: key)
            }
            // Strings take at least their 8-byte length, arrays their 12-byte header.
            let minimum = elementType.fixedSize ?? (elementType == .string ? 8 : 12)
            let count = try cursor.count("element count of array '\(key)'", minimumElementSize: minimum)
            let storage: GGUFArray.Storage
            switch elementType {
            case .uint8: storage = .uint8(try cursor.array(UInt8.self, count: count, what))
            case .int8: storage = .int8(try cursor.array(Int8.self, count: count, what))
            case .uint16: storage = .uint16(try cursor.array(UInt16.self, count: count, what))
            case .int16: storage = .int16(try cursor.array(Int16.self, count: count, what))
            case .uint32: storage = .uint32(try cursor.array(UInt32.self, count: count, what))
            case .int32: storage = .int32(try cursor.array(Int32.self, count: count, what))
            case .uint64: storage = .uint64(try cursor.array(UInt64.self, count: count, what))
            case .int64: storage = .int64(try cursor.array(Int64.self, count: count, what))
            case .float32: storage = .float32(try cursor.array(UInt32.self, count: count, what).map { Float(bitPattern: $0) })
            case .float64: storage = .float64(try cursor.array(UInt64.self, count: count, what).map { Double(bitPattern: $0) })
            case .bool:
                let raw = try cursor.array(UInt8.self, count: count, what)
                if let bad = raw.first(where: { $0 > 1 }) {
                    throw GGUFError.wrongValueType(key: key, expected: "bool 0 or 1", found: "byte \(bad)")
                }
                storage = .bool(raw.map { $0 == 1 })
            case .string:
                var strings: [String] = []
                strings.reserveCapacity(count)
                for i in 0..<count { strings.append(try cursor.string("element \(i) of '\(key)'")) }
                storage = .string(strings)
            case .array:
                var arrays: [GGUFArray] = []
                arrays.reserveCapacity(count)
                for _ in 0..<count {
                    if case let .array(nested) = try readValue(.array, key: key, depth: depth + 1, cursor: &cursor) {
                        arrays.append(nested)
                    }
                }
                storage = .array(arrays)
            }
            return .array(GGUFArray(storage))
        }
    }
}
