/// The ggml tensor element types this reader can decode, with their ggml type ids.
///
/// Quantized types store blocks of `blockSize` elements in `bytesPerBlock` bytes; a row's length
/// must be a multiple of `blockSize`.
public enum GGMLType: UInt32, Sendable, CaseIterable, CustomStringConvertible {
    /// IEEE binary32.
    case f32 = 0
    /// IEEE binary16.
    case f16 = 1
    /// 32 elements: `f16 d; u8 qs[16]`, value `(nibble - 8) * d`.
    case q4_0 = 2
    /// 32 elements: `f16 d, m; u8 qs[16]`, value `nibble * d + m`.
    case q4_1 = 3
    /// 32 elements: `f16 d; u32 qh; u8 qs[16]`, 5-bit values minus 16, times `d`.
    case q5_0 = 6
    /// 32 elements: `f16 d, m; u32 qh; u8 qs[16]`, 5-bit values times `d` plus `m`.
    case q5_1 = 7
    /// 32 elements: `f16 d; i8 qs[32]`, value `q * d`.
    case q8_0 = 8
    /// 256-element super-blocks with 8 sub-blocks of 6-bit scales and mins, 4-bit values.
    case q4_K = 12
    /// 256-element super-blocks like Q4_K with a fifth bit per value.
    case q5_K = 13
    /// 256-element super-blocks with 16 int8 scales and 6-bit values.
    case q6_K = 14
    /// bfloat16 (the top half of a binary32).
    case bf16 = 30

    /// Elements per block (1 for plain float types).
    public var blockSize: Int {
        switch self {
        case .f32, .f16, .bf16: return 1
        case .q4_0, .q4_1, .q5_0, .q5_1, .q8_0: return 32
        case .q4_K, .q5_K, .q6_K: return 256
        }
    }

    /// Bytes per block.
    public var bytesPerBlock: Int {
        switch self {
        case .f32: return 4
        case .f16, .bf16: return 2
        case .q4_0: return 18
        case .q4_1: return 20
        case .q5_0: return 22
        case .q5_1: return 24
        case .q8_0: return 34
        case .q4_K: return 144
        case .q5_K: return 176
        case .q6_K: return 210
        }
    }

    /// Bytes needed for `elements` elements, or nil when `elements` is not a whole number of blocks
    /// or the size overflows.
    public func byteCount(elements: Int) -> Int? {
        guard elements >= 0, elements % blockSize == 0 else { return nil }
        let (bytes, overflow) = (elements / blockSize).multipliedReportingOverflow(by: bytesPerBlock)
        return overflow ? nil : bytes
    }

    /// The name ggml uses (`Q4_1`, `F32`, …).
    public var description: String {
        switch self {
        case .f32: return "F32"
        case .f16: return "F16"
        case .q4_0: return "Q4_0"
        case .q4_1: return "Q4_1"
        case .q5_0: return "Q5_0"
        case .q5_1: return "Q5_1"
        case .q8_0: return "Q8_0"
        case .q4_K: return "Q4_K"
        case .q5_K: return "Q5_K"
        case .q6_K: return "Q6_K"
        case .bf16: return "BF16"
        }
    }

    /// Names of ggml types this reader knows of but cannot decode, for error messages.
    private static let otherNames: [UInt32: String] = [
        4: "Q4_2 (removed)", 5: "Q4_3 (removed)", 9: "Q8_1", 10: "Q2_K", 11: "Q3_K", 15: "Q8_K",
        16: "IQ2_XXS", 17: "IQ2_XS", 18: "IQ3_XXS", 19: "IQ1_S", 20: "IQ4_NL", 21: "IQ3_S",
        22: "IQ2_S", 23: "IQ4_XS", 24: "I8", 25: "I16", 26: "I32", 27: "I64", 28: "F64", 29: "IQ1_M",
        34: "TQ1_0", 35: "TQ2_0", 39: "MXFP4",
    ]

    /// A readable name for a raw type id, known or not (`Q2_K (id 10)`, `id 99`).
    public static func displayName(raw: UInt32) -> String {
        if let known = GGMLType(rawValue: raw) { return "\(known) (id \(raw))" }
        if let name = otherNames[raw] { return "\(name) (id \(raw))" }
        return "id \(raw)"
    }
}
