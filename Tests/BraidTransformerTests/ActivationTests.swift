import CBraidKernels
import Foundation
import Testing
@testable import BraidTransformer

/// Softmax and SiLU·gate (`VectorMath`, on SIMD lanes with a vectorised e^x) against double-precision
/// references, on every instruction set the CPU offers.
@Suite struct ActivationTests {
    /// Lengths around the 16-lane vectors, and the 528 keys a decode step sees after a 512-token prompt.
    static let lengths = [1, 2, 15, 16, 17, 31, 33, 100, 528]

    @Test("softmax equals e^(x − max) / Σ to 1e-5 relative on every instruction set", arguments: lengths)
    func softmax(count: Int) {
        var random = RandomSource(seed: UInt64(count))
        let scores = (0..<count).map { _ in Float(random.nextUnit() * 60 - 30) }
        let top = Double(scores.max() ?? 0)
        let exps = scores.map { Foundation.exp(Double($0) - top) }
        let total = exps.reduce(0, +)
        let best = braid_kernel_isa()
        defer { braid_kernel_set_thread_isa(-1) }
        for isa in 0...best {
            braid_kernel_set_thread_isa(Int32(isa))
            var x = scores
            x.withUnsafeMutableBufferPointer { VectorMath.softmax($0.baseAddress!, count: count) }
            for i in 0..<count {
                let expected = exps[i] / total
                #expect(abs(Double(x[i]) - expected) <= 1e-5 * expected + 1e-30, "isa \(isa) count \(count) index \(i)")
            }
        }
    }

    @Test("softmax gives masked (−∞) and far-below-the-maximum scores exactly 0")
    func softmaxExtremes() {
        var x: [Float] = [0, -.infinity, -100, -87.5, 1, -.infinity, 3, -200, 2, 0, 0, 0, 0, 0, 0, 0, -1000]
        x.withUnsafeMutableBufferPointer { VectorMath.softmax($0.baseAddress!, count: $0.count) }
        #expect(x[1] == 0 && x[5] == 0 && x[7] == 0 && x[16] == 0)
        #expect(x[2] == 0 && x[3] == 0, "e^−103 and e^−90.5 are below the normal range")
        #expect(abs(x.reduce(0, +) - 1) < 1e-6)
    }

    @Test("SiLU·gate equals g / (1 + e^−g) · u to 1e-6 relative on every instruction set", arguments: lengths)
    func swiglu(count: Int) {
        var random = RandomSource(seed: 100 + UInt64(count))
        var gate = (0..<count).map { _ in Float(random.nextUnit() * 40 - 20) }
        if count > 2 { gate[0] = 95; gate[1] = -95 }   // e^−g beyond the exponential's clamp on both sides
        let up = (0..<count).map { _ in Float(random.nextUnit() * 2 - 1) }
        let best = braid_kernel_isa()
        defer { braid_kernel_set_thread_isa(-1) }
        for isa in 0...best {
            braid_kernel_set_thread_isa(Int32(isa))
            var out = [Float](repeating: .nan, count: count)
            out.withUnsafeMutableBufferPointer { o in
                VectorMath.swiglu(gate: gate, up: up, into: o.baseAddress!, count: count)
            }
            for i in 0..<count {
                let g = Double(gate[i])
                let expected = g / (1 + Foundation.exp(-g)) * Double(up[i])
                #expect(abs(Double(out[i]) - expected) <= 1e-6 * abs(expected) + 1e-30, "isa \(isa) count \(count) index \(i)")
            }
        }
    }
}
