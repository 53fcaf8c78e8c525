import CBraidKernels
import Foundation
import Testing
@testable import BraidTransformer

/// The matrix product behind every projection, `Y = X · Wᵀ` on weights in their GGUF storage
/// type, against a plain loop over the dequantized matrix — for every storage type, in both
/// regimes (in-register kernels for few rows, dequantized tiles and sgemm for many), on one
/// thread and on a pool.
@Suite struct ModelMathTests {
    /// A `[rows, columns]` matrix of `type` with random values, read back from a GGUF image.
    static func matrix(_ type: GGMLType, rows: Int, columns: Int, seed: UInt64) throws -> (WeightMatrix, GGUFFile) {
        var random = RandomSource(seed: seed)
        let values = (0..<(rows * columns)).map { _ in Float(random.nextUnit() * 2 - 1) }
        var writer = try GGUFWriter()
        try writer.addTensor(name: "w", dimensions: [columns, rows], values: values, type: type)
        let file = try GGUFFile(data: writer.serialized())
        return (try file.matrix("w"), file)
    }

    /// `x · Wᵀ` by the engine.
    static func product(_ x: [Float], rows: Int, _ w: WeightMatrix, threads: Int) -> [Float] {
        let engine = MatrixEngine(threads: threads)
        var y = [Float](repeating: .nan, count: rows * w.rows)
        x.withUnsafeBufferPointer { xp in
            y.withUnsafeMutableBufferPointer { yp in
                guard let xb = xp.baseAddress, let yb = yp.baseAddress else { return }
                engine.multiply(xb, rows: rows, by: CollectionOfOne(w), into: yb, yStride: w.rows)
            }
        }
        return y
    }

    static let kernelTypes: [GGMLType] = [.f32, .f16, .bf16, .q4_0, .q4_1, .q5_0, .q5_1, .q8_0, .q4_K, .q5_K, .q6_K]

    @Test("x · Wᵀ equals a plain loop over the dequantized weights for every storage type, batch size and thread count",
          arguments: kernelTypes, [1, 3, 7, 16, 40])
    func everyType(type: GGMLType, rows: Int) throws {
        let columns = type.blockSize == 256 ? 512 : 96
        let (w, file) = try Self.matrix(type, rows: 37, columns: columns, seed: UInt64(type.rawValue) * 31 + UInt64(rows))
        #expect(w.usesKernels)
        // The reference dequantization (GGUFDequantize) must agree with the kernels' unpacking.
        let dense = try file.dequantized(try file.requireTensor(named: "w"))
        #expect(w.dequantized() == dense)
        var random = RandomSource(seed: UInt64(rows))
        let x = (0..<(rows * columns)).map { _ in Float(random.nextUnit() * 2 - 1) }
        for threads in [1, 2, 3] {
            let y = Self.product(x, rows: rows, w, threads: threads)
            for r in 0..<rows {
                for o in 0..<w.rows {
                    var expected: Double = 0
                    for k in 0..<columns { expected += Double(x[r * columns + k]) * Double(dense[o * columns + k]) }
                    #expect(abs(Double(y[r * w.rows + o]) - expected) < 1e-4 * Double(columns),
                            "\(type) rows \(rows) threads \(threads): row \(r) output \(o)")
                }
            }
        }
    }

    @Test("an f32 matrix whose rows are not whole 32-element groups goes to OpenBLAS and is still right")
    func denseFallback() throws {
        let (w, _) = try Self.matrix(.f32, rows: 11, columns: 7, seed: 3)
        #expect(!w.usesKernels)
        let x: [Float] = (0..<(9 * 7)).map { Float($0 % 5) - 2 }
        let y = Self.product(x, rows: 9, w, threads: 2)
        let dense = w.dequantized()
        for r in 0..<9 {
            for o in 0..<11 {
                var expected: Float = 0
                for k in 0..<7 { expected += x[r * 7 + k] * dense[o * 7 + k] }
                #expect(abs(y[r * 11 + o] - expected) < 1e-5)
            }
        }
    }

    @Test("in the kernel regime a row's result is bit-identical whatever else is in the batch")
    func rowInvariant() throws {
        let (w, _) = try Self.matrix(.q4_1, rows: 21, columns: 64, seed: 5)
        var random = RandomSource(seed: 5)
        let x = (0..<(16 * 64)).map { _ in Float(random.nextUnit() * 2 - 1) }
        for batch in 1...MatrixEngine.kernelRowLimit {
            let together = Self.product(Array(x[0..<(batch * 64)]), rows: batch, w, threads: 2)
            for r in 0..<batch {
                let alone = Self.product(Array(x[(r * 64)..<((r + 1) * 64)]), rows: 1, w, threads: 1)
                #expect(Array(together[(r * 21)..<((r + 1) * 21)]) == alone, "batch \(batch) row \(r)")
            }
        }
    }

    /// Q4_1 has its own AVX-512 kernel (table lookups); Q4_K and Q6_K their own unpacking.
    @Test("every instruction set the CPU offers computes the same products (to rounding)",
          arguments: [GGMLType.q4_1, .q8_0, .q4_K, .q6_K])
    func instructionSets(type: GGMLType) throws {
        let (w, file) = try Self.matrix(type, rows: 9, columns: 256, seed: 11)
        let dense = try file.dequantized(try file.requireTensor(named: "w"))
        let x: [Float] = (0..<(3 * 256)).map { i in Float((i * 7) % 13) / 13 - 0.5 }
        // Per-thread: other tests compute bit-exact comparisons in parallel and must keep their ISA.
        // One thread (no pool), so every product below runs on this thread.
        let best = braid_kernel_isa()
        defer { braid_kernel_set_thread_isa(-1) }
        for isa in 0...best {
            braid_kernel_set_thread_isa(Int32(isa))
            #expect(w.dequantized() == dense, "isa \(isa)")
            let y = Self.product(x, rows: 3, w, threads: 1)
            for r in 0..<3 {
                for o in 0..<9 {
                    var expected: Double = 0
                    for k in 0..<256 { expected += Double(x[r * 256 + k]) * Double(dense[o * 256 + k]) }
                    #expect(abs(Double(y[r * 9 + o]) - expected) < 1e-3, "\(type) isa \(isa) row \(r) output \(o)")
                }
            }
        }
    }

    @Test("stacked matrices of mixed types (more than one job holds) fill their own output columns", arguments: [2, 40])
    func stacked(rows: Int) throws {
        let types: [GGMLType] = [.q4_1, .q8_0, .f16, .q4_0, .q5_1, .f32]
        let files = try types.enumerated().map { k, type in try Self.matrix(type, rows: 5 + k, columns: 64, seed: UInt64(k)) }
        let stack = files.map(\.0)
        let total = stack.reduce(0) { $0 + $1.rows }
        var random = RandomSource(seed: 9)
        let x = (0..<(rows * 64)).map { _ in Float(random.nextUnit() * 2 - 1) }
        var y = [Float](repeating: .nan, count: rows * total)
        x.withUnsafeBufferPointer { xp in
            y.withUnsafeMutableBufferPointer { yp in
                guard let xb = xp.baseAddress, let yb = yp.baseAddress else { return }
                MatrixEngine(threads: 2).multiply(xb, rows: rows, by: stack, into: yb, yStride: total)
            }
        }
        var offset = 0
        for m in stack {
            let alone = Self.product(x, rows: rows, m, threads: 1)
            for r in 0..<rows {
                for o in 0..<m.rows {
                    #expect(abs(y[r * total + offset + o] - alone[r * m.rows + o]) < 1e-4, "\(m.type) row \(r) output \(o)")
                }
            }
            offset += m.rows
        }
    }
}
