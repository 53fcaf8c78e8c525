/// Where one tensor lives in a GGUF file and what it holds. Built and validated by `GGUFFile`.
public struct GGUFTensorInfo: Sendable, Equatable {
    /// The tensor's name (`blk.0.attn_q.weight`).
    public let name: String
    /// Dimensions, ne0 first: `dimensions[0]` is the contiguous (row) length.
    public let dimensions: [Int]
    /// Element type.
    public let type: GGMLType
    /// Absolute byte offset of the data in the file.
    public let offset: Int
    /// Size of the data in bytes.
    public let byteCount: Int
    /// Number of elements (product of the dimensions).
    public let elementCount: Int

    /// Makes an info; `GGUFFile` checks consistency before creating one.
    public init(name: String, dimensions: [Int], type: GGMLType, offset: Int, byteCount: Int, elementCount: Int) {
        self.name = name
        self.dimensions = dimensions
        self.type = type
        self.offset = offset
        self.byteCount = byteCount
        self.elementCount = elementCount
    }

    /// Elements per row (`ne0`).
    public var rowLength: Int { dimensions.first ?? 0 }

    /// Number of rows (product of the dimensions after the first).
    public var rowCount: Int { rowLength == 0 ? 0 : elementCount / rowLength }

    /// Bytes per row.
    public var rowByteCount: Int { rowLength / type.blockSize * type.bytesPerBlock }
}
