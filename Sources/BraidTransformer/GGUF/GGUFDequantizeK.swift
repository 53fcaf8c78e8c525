/// Dequantization of the 256-element "K" super-block formats (Q4_K, Q5_K, Q6_K), after ggml's
/// reference layouts.

/// Sub-block `j` (0..<8) scale and min of a Q4_K/Q5_K super-block: 12 bytes pack eight 6-bit scales
/// and eight 6-bit mins; sub-blocks 4..7 keep their top two bits in the top bits of bytes 0..7.
@inline(__always)
func kQuantScaleMin(_ scales: UnsafeRawPointer, _ j: Int) -> (scale: UInt8, min: UInt8) {
    let q = { (i: Int) in scales.load(fromByteOffset: i, as: UInt8.self) }
    if j < 4 {
        return (q(j) & 63, q(j + 4) & 63)
    }
    return ((q(j + 4) & 0x0f) | ((q(j - 4) >> 6) << 4), (q(j + 4) >> 4) | ((q(j) >> 6) << 4))
}

/// Q4_K (144 bytes): `f16 d; f16 dmin; u8 scales[12]; u8 qs[128]`. Each 64 elements share 32 bytes of
/// qs: low nibbles are the first 32 elements (sub-block 2i), high nibbles the next 32 (sub-block 2i+1).
/// Value `d * scale * q - dmin * min`.
func dequantizeQ4_K(_ src: UnsafeRawPointer, _ dst: UnsafeMutablePointer<Float>, _ blocks: Int) {
    for b in 0..<blocks {
        let block = src + b * 144
        var y = dst + b * 256
        let d = halfToFloat(block, 0)
        let dmin = halfToFloat(block, 2)
        let scales = block + 4
        var qs = block + 16
        for pair in 0..<4 {
            let (sc1, m1) = kQuantScaleMin(scales, 2 * pair)
            let (sc2, m2) = kQuantScaleMin(scales, 2 * pair + 1)
            let d1 = d * Float(sc1), min1 = dmin * Float(m1)
            let d2 = d * Float(sc2), min2 = dmin * Float(m2)
            for l in 0..<32 {
                let q = qs.load(fromByteOffset: l, as: UInt8.self)
                y[l] = d1 * Float(q & 0x0f) - min1
                y[l + 32] = d2 * Float(q >> 4) - min2
            }
            y += 64
            qs += 32
        }
    }
}

/// Q5_K (176 bytes): `f16 d; f16 dmin; u8 scales[12]; u8 qh[32]; u8 qs[128]`. Like Q4_K, with the fifth
/// bit of element l of sub-block s in bit s of qh[l].
func dequantizeQ5_K(_ src: UnsafeRawPointer, _ dst: UnsafeMutablePointer<Float>, _ blocks: Int) {
    for b in 0..<blocks {
        let block = src + b * 176
        var y = dst + b * 256
        let d = halfToFloat(block, 0)
        let dmin = halfToFloat(block, 2)
        let scales = block + 4
        let qh = block + 16
        var ql = block + 48
        for pair in 0..<4 {
            let (sc1, m1) = kQuantScaleMin(scales, 2 * pair)
            let (sc2, m2) = kQuantScaleMin(scales, 2 * pair + 1)
            let d1 = d * Float(sc1), min1 = dmin * Float(m1)
            let d2 = d * Float(sc2), min2 = dmin * Float(m2)
            let bit1 = UInt8(1) << UInt8(2 * pair), bit2 = UInt8(2) << UInt8(2 * pair)
            for l in 0..<32 {
                let q = ql.load(fromByteOffset: l, as: UInt8.self)
                let h = qh.load(fromByteOffset: l, as: UInt8.self)
                y[l] = d1 * Float((q & 0x0f) + (h & bit1 != 0 ? 16 : 0)) - min1
                y[l + 32] = d2 * Float((q >> 4) + (h & bit2 != 0 ? 16 : 0)) - min2
            }
            y += 64
            ql += 32
        }
    }
}

/// Q6_K (210 bytes): `u8 ql[128]; u8 qh[64]; i8 scales[16]; f16 d`. Each half (128 elements) uses 64
/// bytes of ql, 32 of qh and 8 scales; value `d * scale * (q - 32)` with a 6-bit q.
func dequantizeQ6_K(_ src: UnsafeRawPointer, _ dst: UnsafeMutablePointer<Float>, _ blocks: Int) {
    for b in 0..<blocks {
        let block = src + b * 210
        let d = halfToFloat(block, 208)
        for half in 0..<2 {
            let y = dst + b * 256 + half * 128
            let ql = block + half * 64
            let qh = block + 128 + half * 32
            let sc = block + 192 + half * 8
            for l in 0..<32 {
                let s = l / 16
                let h = qh.load(fromByteOffset: l, as: UInt8.self)
                let a = ql.load(fromByteOffset: l, as: UInt8.self)
                let c = ql.load(fromByteOffset: l + 32, as: UInt8.self)
                let q1 = Int((a & 0x0f) | ((h & 3) << 4)) - 32
                let q2 = Int((c & 0x0f) | (((h >> 2) & 3) << 4)) - 32
                let q3 = Int((a >> 4) | (((h >> 4) & 3) << 4)) - 32
                let q4 = Int((c >> 4) | (((h >> 6) & 3) << 4)) - 32
                y[l] = d * Float(sc.load(fromByteOffset: s, as: Int8.self)) * Float(q1)
                y[l + 32] = d * Float(sc.load(fromByteOffset: s + 2, as: Int8.self)) * Float(q2)
                y[l + 64] = d * Float(sc.load(fromByteOffset: s + 4, as: Int8.self)) * Float(q3)
                y[l + 96] = d * Float(sc.load(fromByteOffset: s + 6, as: Int8.self)) * Float(q4)
            }
        }
    }
}
