import Foundation
import Testing
@testable import BraidTransformer

/// Bytes from a hex string (test fixtures only; an odd or invalid string yields an empty array).
func bytesFromHex(_ hex: String) -> [UInt8] {
    let chars = Array(hex.utf8)
    guard chars.count % 2 == 0 else { return [] }
    var result: [UInt8] = []
    for i in stride(from: 0, to: chars.count, by: 2) {
        guard let byte = UInt8(String(decoding: chars[i..<i + 2], as: UTF8.self), radix: 16) else { return [] }
        result.append(byte)
    }
    return result
}

/// Decodes `bytes` as `count` elements of `type`.
func decode(_ type: GGMLType, _ bytes: [UInt8], count: Int) -> [Float] {
    var out = [Float](repeating: .nan, count: count)
    bytes.withUnsafeBytes { raw in
        out.withUnsafeMutableBufferPointer { dst in
            if let src = raw.baseAddress, let base = dst.baseAddress {
                dequantizeRow(type, from: src, into: base, count: count)
            }
        }
    }
    return out
}

@Suite("GGUF: dequantization")
struct GGUFDequantizeTests {
    @Test("every decoder agrees exactly with gguf-py on random blocks", arguments: ggufReferenceBlocks.indices)
    func matchesReference(index: Int) throws {
        let reference = ggufReferenceBlocks[index]
        let type = try #require(GGMLType(rawValue: reference.type))
        let bytes = bytesFromHex(reference.hex)
        #expect(bytes.count == reference.values.count / type.blockSize * type.bytesPerBlock)
        let values = decode(type, bytes, count: reference.values.count)
        // Scales are powers of two in the fixture, so decoding is exact: no tolerance.
        #expect(values == reference.values, "\(type) differs from gguf-py")
    }

    @Test("Q4_1 puts low nibbles first: y[j] = lo*d + m, y[j+16] = hi*d + m")
    func q4_1Layout() {
        var block: [UInt8] = Float16(0.5).bitPattern.littleEndianBytes
        block += Float16(-2).bitPattern.littleEndianBytes
        for j in 0..<16 { block.append(UInt8(j) | UInt8(15 - j) << 4) }
        let values = decode(.q4_1, block, count: 32)
        var expected: [Float] = []
        for j in 0..<16 { expected.append(Float(j) * 0.5 - 2) }
        for j in 0..<16 { expected.append(Float(15 - j) * 0.5 - 2) }
        #expect(values == expected)
    }

    @Test("Q8_0 is signed bytes times d")
    func q8_0Layout() {
        var block: [UInt8] = Float16(0.25).bitPattern.littleEndianBytes
        var expected: [Float] = []
        for j in 0..<32 {
            block.append(UInt8(bitPattern: Int8(j * 8 - 128)))
            expected.append(Float(j * 8 - 128) * 0.25)
        }
        #expect(decode(.q8_0, block, count: 32) == expected)
    }

    @Test("F32, F16 and BF16 decode their bit patterns")
    func floats() {
        let f: [Float] = [1.5, -0.25, 65504, 1e-3]
        let f32Bytes = f.flatMap { $0.bitPattern.littleEndianBytes }
        #expect(decode(.f32, f32Bytes, count: 4) == f)
        let halves = f.map { Float16($0) }
        #expect(decode(.f16, halves.flatMap { $0.bitPattern.littleEndianBytes }, count: 4) == halves.map { Float($0) })
        let bf = f.map { UInt16($0.bitPattern >> 16) }
        #expect(decode(.bf16, bf.flatMap { $0.littleEndianBytes }, count: 4) == bf.map { Float(bitPattern: UInt32($0) << 16) })
    }
}

extension FixedWidthInteger {
    /// The little-endian bytes of the value.
    var littleEndianBytes: [UInt8] {
        withUnsafeBytes(of: self.littleEndian) { Array($0) }
    }
}
