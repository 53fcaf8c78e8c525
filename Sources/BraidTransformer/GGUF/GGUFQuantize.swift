/// Reference quantizers: Float rows to ggml block formats, for `GGUFWriter` (test models, tools).
///
/// They are simple round-to-nearest quantizers, not llama.cpp's error-minimizing ones: good enough for
/// synthetic models and round-trip tests, and their output decodes with `dequantizeRow` like any
/// ggml file. Each scale is rounded to its stored precision (f16, 6 bits, int8) before the values are
/// quantized against it, so the stored scale is the one the values were fitted to.

/// Encodes `values` (a whole number of blocks of `type`) as ggml blocks.
/// Throws when the count is not a multiple of `type.blockSize`.
public func quantize(_ values: [Float], as type: GGMLType) throws -> [UInt8] {
    guard let byteCount = type.byteCount(elements: values.count) else {
        throw GGUFError.invalidTensor(name: "(quantize)", reason: "\(values.count) values are not a whole number of \(type) blocks of \(type.blockSize)")
    }
    var writer = BlockWriter(bytes: [UInt8](repeating: 0, count: byteCount))
    switch type {
    case .f32: for v in values { writer.put(v.bitPattern) }
    case .f16: for v in values { writer.put(Float16(v).bitPattern) }
    case .bf16: for v in values { writer.put(bfloat16Bits(v)) }
    default: break
    }
    let n = type.blockSize
    for b in 0..<(n == 1 ? 0 : values.count / n) {
        let block = values[(b * n)..<(b * n + n)]
        switch type {
        case .f32, .f16, .bf16: break
        case .q8_0: quantizeQ8_0(block, &writer)
        case .q4_0: quantizeSymmetric(block, levels: 16, nibbleHigh: false, &writer)
        case .q5_0: quantizeSymmetric(block, levels: 32, nibbleHigh: true, &writer)
        case .q4_1: quantizeAffine(block, levels: 16, &writer)
        case .q5_1: quantizeAffine(block, levels: 32, &writer)
        case .q4_K: quantizeKAffine(block, fiveBit: false, &writer)
        case .q5_K: quantizeKAffine(block, fiveBit: true, &writer)
        case .q6_K: quantizeQ6_K(block, &writer)
        }
    }
    return writer.bytes
}

/// Appends little-endian fields to a preallocated byte array.
struct BlockWriter {
    var bytes: [UInt8]
    var position = 0

    mutating func put<T: FixedWidthInteger>(_ value: T) {
        withUnsafeBytes(of: value.littleEndian) { raw in
            for byte in raw { bytes[position] = byte; position += 1 }
        }
    }

    mutating func put(_ values: [UInt8]) {
        for byte in values { bytes[position] = byte; position += 1 }
    }
}

/// Round-to-nearest-even float32 → bfloat16, keeping NaN a NaN.
func bfloat16Bits(_ x: Float) -> UInt16 {
    if x.isNaN { return 0x7fc0 }
    let bits = x.bitPattern
    return UInt16(truncatingIfNeeded: (bits &+ 0x7fff &+ ((bits >> 16) & 1)) >> 16)
}

/// Rounds through f16, the precision block scales are stored in.
private func half(_ x: Float) -> Float { Float(Float16(x)) }

private func clampRound(_ x: Float, _ low: Int, _ high: Int) -> Int {
    guard x.isFinite else { return low }
    return min(high, max(low, Int(x.rounded())))
}

private func quantizeQ8_0(_ x: ArraySlice<Float>, _ w: inout BlockWriter) {
    let amax = x.reduce(0) { max($0, abs($1)) }
    let d = half(amax / 127)
    w.put(Float16(d).bitPattern)
    for v in x { w.put(UInt8(bitPattern: Int8(clampRound(d == 0 ? 0 : v / d, -128, 127)))) }
}

/// Q4_0 / Q5_0: `d = extreme / -(levels/2)`, `q = round(x/d) + levels/2`.
private func quantizeSymmetric(_ x: ArraySlice<Float>, levels: Int, nibbleHigh: Bool, _ w: inout BlockWriter) {
    let extreme = x.max { abs($0) < abs($1) } ?? 0
    let d = half(extreme / -Float(levels / 2))
    let q = x.map { clampRound(d == 0 ? 0 : $0 / d + Float(levels / 2), 0, levels - 1) }
    w.put(Float16(d).bitPattern)
    if nibbleHigh { w.put(highBits(q)) }
    w.put(nibbles(q))
}

/// Q4_1 / Q5_1: `d = (max - min) / (levels - 1)`, `m = min`, `q = round((x - m)/d)`.
private func quantizeAffine(_ x: ArraySlice<Float>, levels: Int, _ w: inout BlockWriter) {
    let low = x.min() ?? 0, high = x.max() ?? 0
    let d = half((high - low) / Float(levels - 1))
    let m = half(low)
    let q = x.map { clampRound(d == 0 ? 0 : ($0 - m) / d, 0, levels - 1) }
    w.put(Float16(d).bitPattern)
    w.put(Float16(m).bitPattern)
    if levels == 32 { w.put(highBits(q)) }
    w.put(nibbles(q))
}

/// 16 bytes: element j in the low nibble of byte j, element j+16 in the high nibble.
private func nibbles(_ q: [Int]) -> [UInt8] {
    (0..<16).map { UInt8(q[$0] & 0x0f) | UInt8(q[$0 + 16] & 0x0f) << 4 }
}

/// Little-endian u32 whose bit j is bit 4 of element j.
private func highBits(_ q: [Int]) -> UInt32 {
    var bits: UInt32 = 0
    for j in 0..<32 where q[j] & 0x10 != 0 { bits |= 1 << UInt32(j) }
    return bits
}

/// Q4_K / Q5_K: eight sub-blocks of 32 with `x ≈ d*sc*q - dmin*m`, sc and m 6-bit.
private func quantizeKAffine(_ x: ArraySlice<Float>, fiveBit: Bool, _ w: inout BlockWriter) {
    let levels = fiveBit ? 31 : 15
    let values = Array(x)
    var scales = [Float](repeating: 0, count: 8), mins = [Float](repeating: 0, count: 8)
    for s in 0..<8 {
        let sub = values[(s * 32)..<(s * 32 + 32)]
        let low = min(0, sub.min() ?? 0), high = sub.max() ?? 0
        scales[s] = (high - low) / Float(levels)
        mins[s] = -low
    }
    let d = half((scales.max() ?? 0) / 63), dmin = half((mins.max() ?? 0) / 63)
    let sc = scales.map { clampRound(d == 0 ? 0 : $0 / d, 0, 63) }
    let m = mins.map { clampRound(dmin == 0 ? 0 : $0 / dmin, 0, 63) }
    var q = [Int](repeating: 0, count: 256)
    for i in 0..<256 {
        let step = d * Float(sc[i / 32])
        q[i] = clampRound(step == 0 ? 0 : (values[i] + dmin * Float(m[i / 32])) / step, 0, levels)
    }
    w.put(Float16(d).bitPattern)
    w.put(Float16(dmin).bitPattern)
    var packed = [UInt8](repeating: 0, count: 12)
    for j in 0..<4 {
        packed[j] = UInt8(sc[j]) | UInt8(sc[j + 4] >> 4) << 6
        packed[j + 4] = UInt8(m[j]) | UInt8(m[j + 4] >> 4) << 6
        packed[j + 8] = UInt8(sc[j + 4] & 0x0f) | UInt8(m[j + 4] & 0x0f) << 4
    }
    w.put(packed)
    if fiveBit {
        var qh = [UInt8](repeating: 0, count: 32)
        for pair in 0..<4 {
            for l in 0..<32 {
                if q[64 * pair + l] & 0x10 != 0 { qh[l] |= 1 << UInt8(2 * pair) }
                if q[64 * pair + 32 + l] & 0x10 != 0 { qh[l] |= 2 << UInt8(2 * pair) }
            }
        }
        w.put(qh)
    }
    for pair in 0..<4 {
        w.put((0..<32).map { UInt8(q[64 * pair + $0] & 0x0f) | UInt8(q[64 * pair + 32 + $0] & 0x0f) << 4 })
    }
}

/// Q6_K: sixteen sub-blocks of 16 with int8 scales, `x ≈ d*sc*(q - 32)`, q 6-bit.
private func quantizeQ6_K(_ x: ArraySlice<Float>, _ w: inout BlockWriter) {
    let values = Array(x)
    var scales = [Float](repeating: 0, count: 16)
    for s in 0..<16 {
        let extreme = values[(s * 16)..<(s * 16 + 16)].max { abs($0) < abs($1) } ?? 0
        scales[s] = extreme / -32
    }
    let extremeScale = scales.max { abs($0) < abs($1) } ?? 0
    let d = half(extremeScale / -128)
    let sc = scales.map { clampRound(d == 0 ? 0 : $0 / d, -128, 127) }
    var q = [Int](repeating: 32, count: 256)
    for i in 0..<256 {
        let step = d * Float(sc[i / 16])
        q[i] = clampRound(step == 0 ? 32 : values[i] / step + 32, 0, 63)
    }
    var ql = [UInt8](repeating: 0, count: 128), qh = [UInt8](repeating: 0, count: 64)
    for h in 0..<2 {
        for l in 0..<32 {
            let q1 = q[128 * h + l], q2 = q[128 * h + l + 32], q3 = q[128 * h + l + 64], q4 = q[128 * h + l + 96]
            ql[64 * h + l] = UInt8(q1 & 0x0f) | UInt8(q3 & 0x0f) << 4
            ql[64 * h + l + 32] = UInt8(q2 & 0x0f) | UInt8(q4 & 0x0f) << 4
            qh[32 * h + l] = UInt8(q1 >> 4) | UInt8(q2 >> 4) << 2 | UInt8(q3 >> 4) << 4 | UInt8(q4 >> 4) << 6
        }
    }
    w.put(ql)
    w.put(qh)
    w.put(sc.map { UInt8(bitPattern: Int8($0)) })
    w.put(Float16(d).bitPattern)
}
