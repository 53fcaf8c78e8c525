import CBraidKernels
import Foundation
import Testing
@testable import BraidTransformer

/// The integer kernels of the opt-in 8-bit activation mode for K-quant weights (Q4_K, Q6_K: the 1.5B
/// Qwen2 files), on every instruction set the CPU offers and for every row count 1…16.
@Suite struct Q8KQuantKernelTests {
    static let inputs = 512   // two 256-element super-blocks
    static let outputs = 37   // two full tiles of 16 weight rows (the 16-row kernels' transposed store) and 5 more

    /// `outputs` weight rows of random blocks. `small` keeps every dequantized value a small integer
    /// (d = dmin = 1; Q4_K scales and mins ≤ 7, Q6_K scales in −4…4), so that exact sums stay below 2^24.
    static func weights(_ type: GGMLType, small: Bool, random: inout RandomSource) -> [UInt8] {
        let blockBytes = type == .q4_K ? 144 : 210
        var bytes: [UInt8] = []
        func half(_ f: Float) -> [UInt8] { withUnsafeBytes(of: Float16(f).bitPattern.littleEndian) { Array($0) } }
        for _ in 0..<(outputs * inputs / 256) {
            var block = (0..<blockBytes).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            if type == .q4_K {
                let d: Float = small ? 1 : 0.001 * Float(1 + random.next() % 50)
                let dmin: Float = small ? 1 : 0.0005 * Float(random.next() % 50)
                block.replaceSubrange(0..<4, with: half(d) + half(dmin))
                if small {
                    // scales[0..<8]: 6-bit scale/min of sub-blocks 0–3 and top bits of 4–7; scales[8..<12]: low nibbles of 4–7.
                    for k in 4..<12 { block[k] &= 0x07 }
                    for k in 12..<16 { block[k] &= 0x77 }
                }
            } else {
                block.replaceSubrange(208..<210, with: half(small ? 1 : 0.0001 * Float(1 + random.next() % 50)))
                if small { for k in 192..<208 { block[k] = UInt8(bitPattern: Int8(Int(random.next() % 9) - 4)) } }
            }
            bytes += block
        }
        return bytes
    }

    /// The weights dequantized by the reference path (GGUF dequantization), row by row.
    static func dequantized(_ type: GGMLType, _ bytes: [UInt8]) -> [[Float]] {
        let rowBytes = bytes.count / outputs
        return (0..<outputs).map { o in
            var row = [Float](repeating: 0, count: inputs)
            bytes.withUnsafeBytes { b in
                row.withUnsafeMutableBufferPointer { dequantizeRow(type, from: b.baseAddress! + o * rowBytes, into: $0.baseAddress!, count: inputs) }
            }
            return row
        }
    }

    /// The q8 product of `rows` activation rows on instruction set `isa`.
    static func product(_ type: GGMLType, _ weights: [UInt8], x: [Float], rows: Int, isa: Int) -> [Float] {
        q8Product(type, weights, rowBytes: weights.count / outputs, inputs: inputs, outputs: outputs, x: x, rows: rows, isa: isa)
    }

    @Test("integer sums are exact: small integer weights against integer activations give Σ w·x exactly",
          arguments: [GGMLType.q4_K, .q6_K])
    func exactIntegerSums(type: GGMLType) {
        var random = RandomSource(seed: 23)
        let bytes = Self.weights(type, small: true, random: &random)
        let w = Self.dequantized(type, bytes)
        #expect(w.joined().allSatisfy { $0 == $0.rounded() }, "the small blocks dequantize to integers")
        // Activations in −127…127 with one ±127 in every 32-element block: d_x = 1 exactly (per block and per
        // super-block), so q = x.
        var x = (0..<q8TestRows.max()! * Self.inputs).map { _ in Float(Int(random.next() % 255) - 127) }
        for b in stride(from: 0, to: x.count, by: 32) { x[b + Int(random.next() % 32)] = random.next() % 2 == 0 ? 127 : -127 }
        for isa in 0...Int(braid_kernel_isa()) {
            for rows in q8TestRows {
                let y = Self.product(type, bytes, x: x, rows: rows, isa: isa)
                for r in 0..<rows {
                    for o in 0..<Self.outputs {
                        let xr = x[(r * Self.inputs)..<((r + 1) * Self.inputs)]
                        let dot = zip(w[o], xr).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
                        #expect(Double(y[r * Self.outputs + o]) == dot, "isa \(isa) rows \(rows) row \(r) output \(o)")
                    }
                }
            }
        }
    }

    @Test("random blocks: within 1e-5 of Σ d_x·Σ w·q_x in double on the dequantized weights (x quantized per 256-element super-block); a row's result is the same for every row count and instruction set",
          arguments: [GGMLType.q4_K, .q6_K])
    func scaledSums(type: GGMLType) {
        var random = RandomSource(seed: 29)
        let bytes = Self.weights(type, small: false, random: &random)
        let w = Self.dequantized(type, bytes)
        let x = (0..<q8TestRows.max()! * Self.inputs).map { _ in Float(random.nextUnit() * 6 - 3) }
        // The reference quantizes each 256-element super-block as the quantizer documents for K-quant rows:
        // d = max|x| / 127 over the super-block, q = x · (1/d) rounded to nearest even.
        func reference(row r: Int, output o: Int) -> (value: Double, scale: Double) {
            var total = 0.0, magnitude = 0.0
            for s in stride(from: 0, to: Self.inputs, by: 256) {
                let superBlock = x[(r * Self.inputs + s)..<(r * Self.inputs + s + 256)]
                let dx = (superBlock.map(abs).max() ?? 0) / 127, inverse = dx > 0 ? 1 / dx : 0
                let q = superBlock.map { max(-127, min(127, ($0 * inverse).rounded(.toNearestOrEven))) }
                for b in stride(from: 0, to: 256, by: 32) {
                    var dot = 0.0
                    for k in b..<(b + 32) { dot += Double(w[o][s + k]) * Double(q[k]) }
                    let term = Double(dx) * dot
                    total += term
                    magnitude += abs(term)
                }
            }
            return (total, magnitude)
        }
        // Row 0 alone on the portable kernel: every instruction set and row count must give exactly that.
        let first = Self.product(type, bytes, x: x, rows: 1, isa: 0)
        expectWithinReference(outputs: Self.outputs, product: { Self.product(type, bytes, x: x, rows: $0, isa: $1) },
                              reference: reference, alone: { _ in first })
    }

    @Test("Q4_K and Q6_K rows of whole super-blocks take the integer kernels and read the per-256 form; Q4_1 and Q8_0 do not read it")
    func supportedTypes() {
        for type in [GGMLType.q4_K, .q6_K] {
            #expect(braid_q8_supports(Int32(type.rawValue), 1536) != 0, "\(type)")
            #expect(braid_q8_supports(Int32(type.rawValue), 1536 + 32) == 0, "\(type): not whole super-blocks")
        }
        #expect(braid_q8_supports(Int32(GGMLType.q5_K.rawValue), 1536) == 0)
        // Only they read the per-256 form, so only products with one of them pay for writing it.
        for type in [GGMLType.q4_K, .q6_K] { #expect(braid_q8_reads_kquant_form(Int32(type.rawValue), 1536) != 0, "\(type)") }
        for type in [GGMLType.q4_1, .q8_0] { #expect(braid_q8_reads_kquant_form(Int32(type.rawValue), 1536) == 0, "\(type)") }
    }
}
