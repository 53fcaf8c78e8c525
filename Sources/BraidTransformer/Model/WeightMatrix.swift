import CBraidKernels

/// A weight matrix `[rows, columns]` (row-major, GGUF order: `columns` is ggml's `ne0`) in the
/// storage type the file holds it in.
///
/// Quantized and half-precision matrices are not copied: `base` points into the memory-mapped
/// GGUF file, and the kernels unpack each block in registers when they multiply. Matrices the
/// kernels cannot take (rows that are not a whole number of 32-element groups, as in tiny test
/// models) are held as f32 and multiplied by OpenBLAS.
public struct WeightMatrix: @unchecked Sendable {
    /// The element type of the stored rows.
    public let type: GGMLType
    /// Number of rows (output features).
    public let rows: Int
    /// Elements per row (input features).
    public let columns: Int
    /// Bytes from one row to the next.
    let rowBytes: Int
    /// The first row. Valid as long as `owner` lives.
    let base: UnsafeRawPointer
    /// Keeps `base` alive: the `GGUFFile` (whose mapping it points into) or an f32 copy.
    private let owner: AnyObject
    /// Whether `CBraidKernels` multiplies this matrix (otherwise it is f32 for OpenBLAS).
    let usesKernels: Bool

    /// Wraps rows of `tensor` inside `file` without copying (or dequantizes them when the
    /// kernels cannot read the type). The file must have validated the tensor's bounds.
    init(file: GGUFFile, tensor: GGUFTensorInfo) throws {
        let rows = tensor.rowCount, columns = tensor.rowLength
        if braid_kernel_supports(Int32(tensor.type.rawValue), columns) != 0,
           let start = file.bytes(of: tensor).baseAddress {
            self.init(type: tensor.type, rows: rows, columns: columns, rowBytes: tensor.rowByteCount,
                      base: start, owner: file, usesKernels: true)
        } else {
            self.init(values: try file.dequantized(tensor), rows: rows, columns: columns)
        }
    }

    /// An f32 matrix holding a copy of `values` (row-major, `rows × columns`).
    public init(values: [Float], rows: Int, columns: Int) {
        let storage = FloatStorage(values)
        self.init(type: .f32, rows: rows, columns: columns, rowBytes: columns * 4,
                  base: UnsafeRawPointer(storage.pointer), owner: storage,
                  usesKernels: braid_kernel_supports(Int32(GGMLType.f32.rawValue), columns) != 0)
    }

    /// Rows at `base`, kept alive by `owner` (a mapped file, or a copy); also used by other mapped sources.
    init(type: GGMLType, rows: Int, columns: Int, rowBytes: Int, base: UnsafeRawPointer,
         owner: AnyObject, usesKernels: Bool) {
        self.type = type
        self.rows = rows
        self.columns = columns
        self.rowBytes = rowBytes
        self.base = base
        self.owner = owner
        self.usesKernels = usesKernels
    }

    /// Whether the integer kernels of the `.q8` activation mode take this matrix (Q4_1, Q8_0, Q4_K, Q6_K).
    var takesQ8: Bool { usesKernels && braid_q8_supports(Int32(type.rawValue), columns) != 0 }

    /// Number of elements.
    public var elementCount: Int { rows * columns }

    /// Bytes the rows occupy (in the file's mapping or in memory).
    public var byteCount: Int { rows * rowBytes }

    /// The values of row `row` as f32, written to `destination` (`columns` floats).
    func dequantizeRow(_ row: Int, into destination: UnsafeMutablePointer<Float>) {
        if usesKernels {
            braid_dequantize_rows(Int32(type.rawValue), base, rowBytes, columns, row, row + 1, destination)
        } else {
            destination.update(from: base.assumingMemoryBound(to: Float.self) + row * columns, count: columns)
        }
    }

    /// The whole matrix as f32 (tests and tools; the forward pass never calls it).
    public func dequantized() -> [Float] {
        [Float](unsafeUninitializedCapacity: elementCount) { buffer, initialized in
            if let out = buffer.baseAddress {
                for r in 0..<rows { dequantizeRow(r, into: out + r * columns) }
            }
            initialized = elementCount
        }
    }
}

/// An f32 matrix's own storage (synthetic models, types the kernels do not read).
private final class FloatStorage {
    let pointer: UnsafeMutablePointer<Float>

    init(_ values: [Float]) {
        pointer = .allocate(capacity: max(1, values.count))
        values.withUnsafeBufferPointer { source in
            if let start = source.baseAddress { pointer.update(from: start, count: values.count) }
        }
    }

    deinit { pointer.deallocate() }
}
