/// Decodes `count` elements of type `type` starting at `source` into `destination`.
///
/// `count` must be a multiple of `type.blockSize` (every row of a validated `GGUFTensorInfo` is);
/// only whole blocks are decoded. Block layouts follow ggml's reference (`ggml-common.h`).
public func dequantizeRow(_ type: GGMLType, from source: UnsafeRawPointer, into destination: UnsafeMutablePointer<Float>, count: Int) {
    let blocks = count / type.blockSize
    guard blocks > 0 else { return }
    switch type {
    case .f32:
        UnsafeMutableRawPointer(destination).copyMemory(from: source, byteCount: blocks * 4)
    case .f16:
        for i in 0..<blocks { destination[i] = halfToFloat(source, i * 2) }
    case .bf16:
        for i in 0..<blocks {
            destination[i] = Float(bitPattern: UInt32(source.loadUnaligned(fromByteOffset: i * 2, as: UInt16.self)) << 16)
        }
    case .q4_0: dequantizeQ4_0(source, destination, blocks)
    case .q4_1: dequantizeQ4_1(source, destination, blocks)
    case .q5_0: dequantizeQ5_0(source, destination, blocks)
    case .q5_1: dequantizeQ5_1(source, destination, blocks)
    case .q8_0: dequantizeQ8_0(source, destination, blocks)
    case .q4_K: dequantizeQ4_K(source, destination, blocks)
    case .q5_K: dequantizeQ5_K(source, destination, blocks)
    case .q6_K: dequantizeQ6_K(source, destination, blocks)
    }
}

/// Reads an IEEE binary16 at a byte offset (unaligned, little-endian) as a Float.
@inline(__always)
func halfToFloat(_ p: UnsafeRawPointer, _ byteOffset: Int) -> Float {
    Float(Float16(bitPattern: UInt16(littleEndian: p.loadUnaligned(fromByteOffset: byteOffset, as: UInt16.self))))
}

@inline(__always)
private func byte(_ p: UnsafeRawPointer, _ offset: Int) -> UInt8 {
    p.load(fromByteOffset: offset, as: UInt8.self)
}

/// Q4_0: `f16 d; u8 qs[16]`; low nibbles are elements 0..15, high nibbles 16..31.
private func dequantizeQ4_0(_ src: UnsafeRawPointer, _ dst: UnsafeMutablePointer<Float>, _ blocks: Int) {
    for b in 0..<blocks {
        let block = src + b * 18
        let y = dst + b * 32
        let d = halfToFloat(block, 0)
        for j in 0..<16 {
            let q = byte(block, 2 + j)
            y[j] = Float(Int(q & 0x0f) - 8) * d
            y[j + 16] = Float(Int(q >> 4) - 8) * d
        }
    }
}

/// Q4_1: `f16 d; f16 m; u8 qs[16]`; value `nibble * d + m`.
private func dequantizeQ4_1(_ src: UnsafeRawPointer, _ dst: UnsafeMutablePointer<Float>, _ blocks: Int) {
    for b in 0..<blocks {
        let block = src + b * 20
        let y = dst + b * 32
        let d = halfToFloat(block, 0)
        let m = halfToFloat(block, 2)
        for j in 0..<16 {
            let q = byte(block, 4 + j)
            y[j] = Float(q & 0x0f) * d + m
            y[j + 16] = Float(q >> 4) * d + m
        }
    }
}

/// Q5_0: `f16 d; u32 qh; u8 qs[16]`; bit j of qh is the fifth bit of element j; value `(q - 16) * d`.
private func dequantizeQ5_0(_ src: UnsafeRawPointer, _ dst: UnsafeMutablePointer<Float>, _ blocks: Int) {
    for b in 0..<blocks {
        let block = src + b * 22
        let y = dst + b * 32
        let d = halfToFloat(block, 0)
        let qh = UInt32(littleEndian: block.loadUnaligned(fromByteOffset: 2, as: UInt32.self))
        for j in 0..<16 {
            let q = byte(block, 6 + j)
            let lo = Int(q & 0x0f) | Int((qh >> UInt32(j)) & 1) << 4
            let hi = Int(q >> 4) | Int((qh >> UInt32(j + 16)) & 1) << 4
            y[j] = Float(lo - 16) * d
            y[j + 16] = Float(hi - 16) * d
        }
    }
}

/// Q5_1: `f16 d; f16 m; u32 qh; u8 qs[16]`; value `q * d + m`.
private func dequantizeQ5_1(_ src: UnsafeRawPointer, _ dst: UnsafeMutablePointer<Float>, _ blocks: Int) {
    for b in 0..<blocks {
        let block = src + b * 24
        let y = dst + b * 32
        let d = halfToFloat(block, 0)
        let m = halfToFloat(block, 2)
        let qh = UInt32(littleEndian: block.loadUnaligned(fromByteOffset: 4, as: UInt32.self))
        for j in 0..<16 {
            let q = byte(block, 8 + j)
            let lo = UInt32(q & 0x0f) | ((qh >> UInt32(j)) & 1) << 4
            let hi = UInt32(q >> 4) | ((qh >> UInt32(j + 16)) & 1) << 4
            y[j] = Float(lo) * d + m
            y[j + 16] = Float(hi) * d + m
        }
    }
}

/// Q8_0: `f16 d; i8 qs[32]`; value `q * d`.
private func dequantizeQ8_0(_ src: UnsafeRawPointer, _ dst: UnsafeMutablePointer<Float>, _ blocks: Int) {
    for b in 0..<blocks {
        let block = src + b * 34
        let y = dst + b * 32
        let d = halfToFloat(block, 0)
        for j in 0..<32 {
            y[j] = Float(block.load(fromByteOffset: 2 + j, as: Int8.self)) * d
        }
    }
}
