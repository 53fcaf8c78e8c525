import Foundation

/// A safetensors file, memory-mapped and validated when opened.
///
/// Layout: an 8-byte little-endian header length N, N bytes of JSON (`name → {dtype, shape, data_offsets}`,
/// plus an optional `__metadata__` string map), then the tensor bytes. Opening checks what the format's own
/// reader checks: N at most 100,000,000 and inside the file (before anything is allocated), a JSON object,
/// known dtypes, non-negative shapes whose byte size (overflow-checked) equals the offsets' span, and tensors
/// that cover the data section exactly, without holes or overlaps, up to the end of the file.
public final class SafetensorsFile: @unchecked Sendable {
    /// The element types of the format. Braid reads `F32`, `F16` and `BF16` as numbers.
    public enum DType: String, Sendable, CaseIterable {
        case BOOL, U8, I8, F8_E5M2, F8_E4M3, I16, U16, F16, BF16, I32, U32, F32, F64, I64, U64

        /// Bytes per element.
        public var size: Int {
            switch self {
            case .BOOL, .U8, .I8, .F8_E5M2, .F8_E4M3: return 1
            case .I16, .U16, .F16, .BF16: return 2
            case .I32, .U32, .F32: return 4
            case .F64, .I64, .U64: return 8
            }
        }
    }

    /// One tensor's header entry.
    public struct Tensor: Sendable {
        /// The tensor's name in the header.
        public let name: String
        /// Its element type.
        public let dtype: DType
        /// Its shape, outermost dimension first (row-major).
        public let shape: [Int]
        /// Absolute byte range inside the file.
        public let range: Range<Int>
    }

    /// The format's limit on the header size.
    public static let maxHeaderLength = 100_000_000

    /// The file's name, for messages.
    public let name: String
    /// Tensors by name.
    public let tensors: [String: Tensor]
    /// The `__metadata__` map (HF writers put `format: pt` there).
    public let metadata: [String: String]
    private let file: MappedFile

    /// Opens and validates the file at `url`.
    public convenience init(contentsOf url: URL) throws {
        let file: MappedFile
        do {
            file = try MappedFile(path: url.path)
        } catch let failure as MappedFile.Failure {
            throw HFError(url.lastPathComponent, failure.reason)
        }
        try self.init(file: file, name: url.lastPathComponent)
    }

    /// Validates an image held in memory (tests). The bytes are copied.
    public convenience init(data: Data, name: String) throws {
        try self.init(file: MappedFile(copying: data), name: name)
    }

    private init(file: MappedFile, name: String) throws {
        self.file = file
        self.name = name
        func fail(_ reason: String) -> HFError { HFError(name, reason) }
        let bytes = file.buffer
        guard bytes.count >= 8 else { throw fail("\(bytes.count) bytes is shorter than the 8-byte header length") }
        var length: UInt64 = 0
        for i in 0..<8 { length |= UInt64(bytes[i]) << (8 * UInt64(i)) }
        guard length <= UInt64(Self.maxHeaderLength) else {
            throw fail("header length \(length) exceeds the format's limit of \(Self.maxHeaderLength) bytes")
        }
        guard length <= UInt64(bytes.count - 8) else {
            throw fail("header length \(length) runs past the end of the \(bytes.count)-byte file (truncated?)")
        }
        let dataStart = 8 + Int(length)
        let header = Data(bytes[8..<dataStart])
        guard header.first == UInt8(ascii: "{"),
              let object = try? JSONSerialization.jsonObject(with: header) as? [String: Any] else {
            throw fail("the header is not a JSON object")
        }
        var metadata: [String: String] = [:]
        var tensors: [String: Tensor] = [:]
        for (key, value) in object {
            if key == "__metadata__" {
                guard let map = value as? [String: String] else { throw fail("__metadata__ is not a string map") }
                metadata = map
                continue
            }
            tensors[key] = try Self.entry(key, value, dataStart: dataStart, fileSize: bytes.count, fail: fail)
        }
        // Coverage: sorted by start, each tensor begins where the previous ended, the last ends the file.
        var cursor = dataStart
        for tensor in tensors.values.sorted(by: { ($0.range.lowerBound, $0.range.upperBound) < ($1.range.lowerBound, $1.range.upperBound) }) {
            guard tensor.range.lowerBound == cursor else {
                throw fail(tensor.range.lowerBound < cursor ? "tensor '\(tensor.name)' overlaps another tensor"
                                                            : "a hole of \(tensor.range.lowerBound - cursor) bytes precedes tensor '\(tensor.name)'")
            }
            cursor = tensor.range.upperBound
        }
        guard cursor == bytes.count else {
            throw fail("the tensors end at byte \(cursor) but the file has \(bytes.count) bytes")
        }
        self.tensors = tensors
        self.metadata = metadata
    }

    private static func entry(_ name: String, _ value: Any, dataStart: Int, fileSize: Int,
                              fail: (String) -> HFError) throws -> Tensor {
        guard let fields = value as? [String: Any] else { throw fail("tensor '\(name)' is not an object") }
        guard let dtypeName = fields["dtype"] as? String else { throw fail("tensor '\(name)' has no dtype") }
        guard let dtype = DType(rawValue: dtypeName) else { throw fail("tensor '\(name)' has unknown dtype '\(dtypeName)'") }
        guard let shape = fields["shape"] as? [Int], shape.allSatisfy({ $0 >= 0 }) else {
            throw fail("tensor '\(name)' has no shape of non-negative integers")
        }
        guard let offsets = fields["data_offsets"] as? [Int], offsets.count == 2 else {
            throw fail("tensor '\(name)' has no data_offsets [begin, end]")
        }
        let (begin, end) = (offsets[0], offsets[1])
        guard begin >= 0, begin <= end, end <= fileSize - dataStart else {
            throw fail("tensor '\(name)' data_offsets [\(begin), \(end)] lie outside the \(fileSize - dataStart)-byte data section")
        }
        var count = dtype.size
        for dimension in shape {
            let (product, overflow) = count.multipliedReportingOverflow(by: dimension)
            guard !overflow else { throw fail("tensor '\(name)' shape \(shape) overflows") }
            count = product
        }
        guard count == end - begin else {
            throw fail("tensor '\(name)' shape \(shape) × \(dtypeName) needs \(count) bytes, data_offsets span \(end - begin)")
        }
        return Tensor(name: name, dtype: dtype, shape: shape, range: (dataStart + begin)..<(dataStart + end))
    }

    /// The raw bytes of a tensor of this file (valid while the file is alive).
    public func bytes(of tensor: Tensor) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: file.buffer[tensor.range])
    }

    /// A tensor's values as f32 (F32 copied, F16 and BF16 widened exactly).
    /// - Throws: `HFError` for a missing tensor or a dtype that is not a float type Braid reads.
    public func floats(_ name: String) throws -> [Float] {
        guard let tensor = tensors[name] else { throw HFError(self.name, "no tensor '\(name)'") }
        let raw = bytes(of: tensor)
        let count = tensor.range.count / tensor.dtype.size
        func load16(_ i: Int) -> UInt16 { UInt16(raw[2 * i]) | UInt16(raw[2 * i + 1]) << 8 }
        switch tensor.dtype {
        case .F32:
            return (0..<count).map { i in
                Float(bitPattern: UInt32(raw[4 * i]) | UInt32(raw[4 * i + 1]) << 8 | UInt32(raw[4 * i + 2]) << 16 | UInt32(raw[4 * i + 3]) << 24)
            }
        case .F16:
            return (0..<count).map { Float(Float16(bitPattern: load16($0))) }
        case .BF16:
            return (0..<count).map { Float(bitPattern: UInt32(load16($0)) << 16) }
        default:
            throw HFError(self.name, "tensor '\(name)' has dtype \(tensor.dtype.rawValue); Braid reads F32, F16 and BF16")
        }
    }
}
