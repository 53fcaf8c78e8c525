import CBraidKernels
import Foundation
import Testing
@testable import BraidTransformer

/// The integer kernels of the opt-in 8-bit activation mode (`ActivationPrecision.q8`) on every
/// instruction set the CPU offers (portable, AVX2, AVX-512 VNNI), for every row count 1…16.
@Suite struct Q8KernelTests {
    /// Three 32-element blocks (each unpacked on its own), and seven (the AVX-512 16-row kernel unpacks Q4_1 four
    /// blocks at a time, the last four again for a rest: blocks 0–3, then 3–6).
    static let widths = [96, 224]
    static let outputs = 37   // two full tiles of 16 weight rows (the 16-row kernels' transposed store) and 5 more

    /// One weight row of `type` from 32-element blocks of integer values; block b has scale `d(b)` (and min `m(b)`,
    /// Q4_1). Scales that differ from block to block catch a kernel that pairs a block with another block's scales.
    static func row(_ type: GGMLType, values: [Int], d: (Int) -> Float, m: (Int) -> Float) -> [UInt8] {
        var bytes: [UInt8] = []
        func half(_ f: Float) { withUnsafeBytes(of: Float16(f).bitPattern.littleEndian) { bytes.append(contentsOf: $0) } }
        for g in stride(from: 0, to: values.count, by: 32) {
            let q = values[g..<g + 32]
            half(d(g / 32))
            if type == .q4_1 {
                half(m(g / 32))
                for k in 0..<16 { bytes.append(UInt8(q[g + k] | (q[g + k + 16] << 4))) }
            } else {
                for v in q { bytes.append(UInt8(bitPattern: Int8(v))) }
            }
        }
        return bytes
    }

    /// The q8 product of `rows` activation rows of `inputs` against `weights` (rows of `rowBytes`) on instruction set `isa`.
    static func product(_ type: GGMLType, _ weights: [UInt8], rowBytes: Int, inputs: Int, x: [Float], rows: Int,
                        isa: Int) -> [Float] {
        q8Product(type, weights, rowBytes: rowBytes, inputs: inputs, outputs: outputs, x: x, rows: rows, isa: isa)
    }

    @Test("integer dot products are exact (power-of-two scales per block, activations already integers) for Q4_1 and Q8_0",
          arguments: [GGMLType.q4_1, .q8_0], widths)
    func exactIntegerSums(type: GGMLType, inputs: Int) {
        var random = RandomSource(seed: 7)
        func int(_ range: ClosedRange<Int>) -> Int { range.lowerBound + Int(random.next() % UInt64(range.count)) }
        let low = type == .q4_1 ? 0 : -128, high = type == .q4_1 ? 15 : 127
        // Powers of two and small integers keep every product and sum exact in f32.
        let scales: [Float] = [1, 2, 0.5, 4, 1, 0.25, 2], mins: [Float] = [-8, -4, 0, 2, -1, 3, -2]
        func d(_ b: Int) -> Float { scales[b % scales.count] }
        func m(_ b: Int) -> Float { type == .q4_1 ? mins[b % mins.count] : 0 }
        let w = (0..<Self.outputs).map { _ in (0..<inputs).map { _ in int(low...high) } }
        // Activations in −127…127 with one ±127 in every block: d = 1 exactly, so q = x.
        var x = (0..<q8TestRows.max()! * inputs).map { _ in Float(int(-127...127)) }
        for b in stride(from: 0, to: x.count, by: 32) { x[b + int(0...31)] = int(0...1) == 0 ? 127 : -127 }
        let bytes = w.flatMap { Self.row(type, values: $0, d: d, m: m) }
        let rowBytes = bytes.count / Self.outputs
        for isa in 0...Int(braid_kernel_isa()) {
            for rows in q8TestRows {
                let y = Self.product(type, bytes, rowBytes: rowBytes, inputs: inputs, x: x, rows: rows, isa: isa)
                for r in 0..<rows {
                    for o in 0..<Self.outputs {
                        var dot = 0.0
                        for k in 0..<inputs {
                            dot += (Double(d(k / 32)) * Double(w[o][k]) + Double(m(k / 32))) * Double(x[r * inputs + k])
                        }
                        #expect(Double(y[r * Self.outputs + o]) == dot, "isa \(isa) rows \(rows) row \(r) output \(o)")
                    }
                }
            }
        }
    }

    @Test("random scales: within 1e-5 of Σ d_x·(d_w·Σq_w·q_x + m·Σq_x) in double, and a row's result does not depend on the row count",
          arguments: [GGMLType.q4_1, .q8_0], widths)
    func scaledSums(type: GGMLType, inputs: Int) {
        var random = RandomSource(seed: 11)
        let low = type == .q4_1 ? 0 : -128, high = type == .q4_1 ? 15 : 127
        let w = (0..<Self.outputs).map { _ in (0..<inputs).map { _ in low + Int(random.next() % UInt64(high - low + 1)) } }
        let blocks = inputs / 32
        let ds = (0..<blocks).map { _ in Float(Float16(0.005 + 0.02 * random.nextUnit())) }
        let ms = (0..<blocks).map { _ in type == .q4_1 ? Float(Float16(-0.08 + 0.1 * random.nextUnit())) : 0 }
        let bytes = w.flatMap { Self.row(type, values: $0, d: { ds[$0] }, m: { ms[$0] }) }
        let rowBytes = bytes.count / Self.outputs
        let x = (0..<q8TestRows.max()! * inputs).map { _ in Float(random.nextUnit() * 6 - 3) }
        // The reference quantizes each block as the kernels document: d = max|x| / 127, q = x · (1/d) rounded to nearest even.
        func reference(row r: Int, output o: Int) -> (value: Double, scale: Double) {
            var total = 0.0, magnitude = 0.0
            for b in stride(from: 0, to: inputs, by: 32) {
                let block = x[(r * inputs + b)..<(r * inputs + b + 32)]
                let dx = (block.map(abs).max() ?? 0) / 127, inverse = dx > 0 ? 1 / dx : 0
                let q = block.map { max(-127, min(127, ($0 * inverse).rounded(.toNearestOrEven))) }
                let dot = zip(w[o][b..<b + 32], q).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
                let term = Double(dx) * (Double(ds[b / 32]) * dot + Double(ms[b / 32]) * Double(q.reduce(0, +)))
                total += term
                magnitude += abs(term)
            }
            return (total, magnitude)
        }
        expectWithinReference(outputs: Self.outputs,
                              product: { Self.product(type, bytes, rowBytes: rowBytes, inputs: inputs, x: x, rows: $0, isa: $1) },
                              reference: reference,
                              alone: { Self.product(type, bytes, rowBytes: rowBytes, inputs: inputs, x: x, rows: 1, isa: $0) })
    }

    @Test("Q4_1 and Q8_0 rows of whole blocks take the integer kernels; other non-K types do not (K-quants: Q8KQuantKernelTests)")
    func supportedTypes() {
        #expect(braid_q8_supports(Int32(GGMLType.q4_1.rawValue), 576) != 0)
        #expect(braid_q8_supports(Int32(GGMLType.q8_0.rawValue), 576) != 0)
        #expect(braid_q8_supports(Int32(GGMLType.q4_1.rawValue), 100) == 0)
        for type in [GGMLType.f32, .f16, .q4_0] {
            #expect(braid_q8_supports(Int32(type.rawValue), 576) == 0, "\(type)")
        }
    }
}
