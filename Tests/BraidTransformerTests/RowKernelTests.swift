import CBraidKernels
import Foundation
import Testing
@testable import BraidTransformer

/// The per-row kernels of a step (RMSNorm, RoPE) and the split q8 quantizer, on every instruction set the CPU
/// offers: each gives exactly the bytes of the formula (or the single call) it replaces.
@Suite struct RowKernelTests {
    /// Values spread over several binades, as activations are.
    static func values(_ count: Int, seed: UInt64) -> [Float] {
        var random = RandomSource(seed: seed)
        return (0..<count).map { _ in
            let mantissa = Float(Int(random.next() % 200_001) - 100_000) / 100_000
            return mantissa * Float(1 << Int(random.next() % 8))
        }
    }

    static func withISA<T>(_ isa: Int, _ body: () -> T) -> T {
        braid_kernel_set_thread_isa(Int32(isa))
        defer { braid_kernel_set_thread_isa(-1) }
        return body()
    }

    @Test("RMSNorm equals the scalar formula (squares summed in double, then x · scale · weight) bit for bit")
    func rmsNorm() {
        for isa in 0...Int(braid_kernel_isa()) {
            for n in [1, 7, 8, 15, 16, 17, 64, 576, 1536, 1537] {
                let x = Self.values(n, seed: UInt64(n)), w = Self.values(n, seed: UInt64(n) + 99)
                var out = [Float](repeating: .nan, count: n)
                Self.withISA(isa) { braid_rms_norm(x, w, 1e-5, &out, n) }
                var sum: Double = 0
                for v in x { sum += Double(v) * Double(v) }
                let scale = Float(1.0 / (sum / Double(n) + Double(Float(1e-5))).squareRoot())
                let expected = (0..<n).map { x[$0] * scale * w[$0] }
                #expect(out.map(\.bitPattern) == expected.map(\.bitPattern), "isa \(isa) n \(n)")
            }
        }
    }

    @Test("RoPE equals (a·cos − b·sin, a·sin + b·cos) with each product rounded, both pairings, bit for bit")
    func rope() {
        for isa in 0...Int(braid_kernel_isa()) {
            for halfSplit in [false, true] {
                for d in [2, 8, 24, 40, 64, 128] {
                    let heads = 3, half = d / 2
                    let x = Self.values(heads * d, seed: UInt64(d)), c = Self.values(half, seed: 5), s = Self.values(half, seed: 6)
                    var got = x
                    Self.withISA(isa) { braid_rope(&got, heads, d, halfSplit ? 1 : 0, c, s) }
                    var expected = x
                    for h in 0..<heads {
                        for i in 0..<half {
                            let (ia, ib) = halfSplit ? (h * d + i, h * d + i + half) : (h * d + 2 * i, h * d + 2 * i + 1)
                            let a = x[ia], b = x[ib]
                            let ca = a * c[i], sb = b * s[i], sa = a * s[i], cb = b * c[i]
                            expected[ia] = ca - sb
                            expected[ib] = sa + cb
                        }
                    }
                    #expect(got.map(\.bitPattern) == expected.map(\.bitPattern), "isa \(isa) halfSplit \(halfSplit) d \(d)")
                }
            }
        }
    }

    @Test("the q8 quantizer in 1-4 parts (any order) writes exactly the bytes of one call, with and without the K-quant form")
    func quantizeParts() {
        for isa in 0...Int(braid_kernel_isa()) {
            for inputs in [32, 96, 256, 576, 1536] {
                for rows in [1, 3, 6, 7, 8, 9, 16, 17, 23, 31, 40] {
                    let x = Self.values(rows * inputs, seed: UInt64(rows * inputs))
                    for kquants: Int32 in [0, 1] {
                        let bytes = braid_q8_buffer_bytes(rows, inputs)
                        var whole = [UInt8](repeating: 0, count: bytes)
                        Self.withISA(isa) { braid_q8_quantize(x, inputs, rows, inputs, kquants, &whole) }
                        for parts in 1...4 {
                            // Filled with a pattern that no quantized byte would leave in place everywhere.
                            var split = [UInt8](repeating: 0xAB, count: bytes)
                            Self.withISA(isa) {
                                for p in (0..<parts).reversed() {
                                    braid_q8_quantize_part(x, inputs, rows, inputs, kquants, &split, p, parts)
                                }
                            }
                            // The padding before the K-quant form (64-byte alignment) is never written or read.
                            let records = Self.recordBytes(rows: rows, inputs: inputs)
                            #expect(records <= bytes, "rows \(rows) inputs \(inputs): records \(records) of \(bytes) bytes")
                            guard records <= bytes else { continue }
                            let compact = kquants == 1 && inputs % 256 == 0
                            let start = (records + 63) / 64 * 64
                            #expect(split[..<records] == whole[..<records], "isa \(isa) inputs \(inputs) rows \(rows) parts \(parts)")
                            if compact {
                                #expect(split[start...] == whole[start...], "isa \(isa) inputs \(inputs) rows \(rows) parts \(parts) (K-quant form)")
                            }
                        }
                    }
                }
            }
        }
    }

    /// Bytes of the block records (q8_layout.h): groups of 16 rows (also a padded one for a rest of 7 or of 9-15
    /// rows), then 8, 4, 2, 1, each 64 · max(1, R/2) + 192 bytes a block.
    static func recordBytes(rows: Int, inputs: Int) -> Int {
        var bytes = 0, left = rows
        while left > 0 {
            var r = left > 8 || left == 7 ? 16 : 8
            while r > left && r <= 8 { r /= 2 }
            bytes += inputs / 32 * (64 * max(1, r / 2) + 192)
            left -= min(r, left)
        }
        return bytes
    }
}
