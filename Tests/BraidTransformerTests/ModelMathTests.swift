import Testing
@testable import BraidTransformer

/// The matrix product behind every projection, on both of its paths (per-row sgemv for small
/// batches, sgemm for large ones), against a plain triple loop.
@Suite struct ModelMathTests {
    @Test("x · Wᵀ matches a plain loop for every batch size and row length",
          arguments: [(1, 24), (2, 24), (3, 18), (8, 36), (9, 36), (13, 20), (6, 7)])
    func multiplyTransposed(rows: Int, inputs: Int) {
        var random = RandomSource(seed: UInt64(rows * 100 + inputs))
        let outputs = 11
        let x = (0..<(rows * inputs)).map { _ in Float(random.nextUnit() * 2 - 1) }
        let w = (0..<(outputs * inputs)).map { _ in Float(random.nextUnit() * 2 - 1) }
        var y = [Float](repeating: .nan, count: rows * outputs)
        x.withUnsafeBufferPointer { xp in
            w.withUnsafeBufferPointer { wp in
                y.withUnsafeMutableBufferPointer { yp in
                    Matmul.multiplyTransposed(xp.baseAddress!, rows: rows, inputs: inputs,
                                              weights: wp.baseAddress!, outputs: outputs, into: yp.baseAddress!)
                }
            }
        }
        for r in 0..<rows {
            for o in 0..<outputs {
                var expected: Float = 0
                for k in 0..<inputs { expected += x[r * inputs + k] * w[o * inputs + k] }
                #expect(abs(y[r * outputs + o] - expected) < 1e-5, "row \(r) output \(o)")
            }
        }
    }

    @Test("up to eight rows, each row's result is bit-identical to computing it alone")
    func rowInvariant() {
        var random = RandomSource(seed: 5)
        let inputs = 64, outputs = 9
        let x = (0..<(8 * inputs)).map { _ in Float(random.nextUnit() * 2 - 1) }
        let w = (0..<(outputs * inputs)).map { _ in Float(random.nextUnit() * 2 - 1) }
        func product(_ rows: ArraySlice<Float>, count: Int) -> [Float] {
            var y = [Float](repeating: 0, count: count * outputs)
            Array(rows).withUnsafeBufferPointer { xp in
                w.withUnsafeBufferPointer { wp in
                    y.withUnsafeMutableBufferPointer { yp in
                        Matmul.multiplyTransposed(xp.baseAddress!, rows: count, inputs: inputs,
                                                  weights: wp.baseAddress!, outputs: outputs, into: yp.baseAddress!)
                    }
                }
            }
            return y
        }
        for batch in 1...8 {
            let together = product(x[0..<(batch * inputs)], count: batch)
            for r in 0..<batch {
                let alone = product(x[(r * inputs)..<((r + 1) * inputs)], count: 1)
                #expect(Array(together[(r * outputs)..<((r + 1) * outputs)]) == alone, "batch \(batch) row \(r)")
            }
        }
    }
}
