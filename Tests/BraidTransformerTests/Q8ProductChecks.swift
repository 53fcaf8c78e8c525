import CBraidKernels
import Foundation
import Testing
@testable import BraidTransformer

/// Shared by the q8 kernel suites (`Q8KernelTests`, `Q8KQuantKernelTests`): one product through the C entry
/// points, and the check of a product against a double-precision reference over every instruction set and
/// row count.

/// The q8 product of `rows` activation rows of `x` (`inputs` floats each) against the `outputs` weight rows
/// (`rowBytes` each) of `weights`, on instruction set `isa`. The rows are quantized as `MatrixEngine` does
/// for a matrix of `type` (with the K-quant form exactly when `type` reads it).
func q8Product(_ type: GGMLType, _ weights: [UInt8], rowBytes: Int, inputs: Int, outputs: Int, x: [Float], rows: Int,
               isa: Int) -> [Float] {
    braid_kernel_set_thread_isa(Int32(isa))
    defer { braid_kernel_set_thread_isa(-1) }
    let buffer = UnsafeMutableRawPointer.allocate(byteCount: braid_q8_buffer_bytes(rows, inputs), alignment: 64)
    defer { buffer.deallocate() }
    let kquants = braid_q8_reads_kquant_form(Int32(type.rawValue), inputs)
    braid_q8_quantize(x, inputs, rows, inputs, kquants, buffer)
    var y = [Float](repeating: .nan, count: rows * outputs)
    weights.withUnsafeBytes { w in
        y.withUnsafeMutableBufferPointer { out in
            braid_matvec_q8(Int32(type.rawValue), w.baseAddress!, rowBytes, inputs, 0, outputs, buffer, rows,
                            out.baseAddress!, outputs)
        }
    }
    return y
}

/// Row counts the q8 products are checked at: every group size and rest up to 16, then a full group of 16 followed by
/// a rest of 7 and of 9 (each one padded group of 16, q8_layout.h).
let q8TestRows = Array(1...16) + [23, 25]

/// For every instruction set the CPU offers and every row count of `q8TestRows`: every output of `product(rows, isa)`
/// within 1e-5 of its reference's Σ|terms| (`reference(row, output)`), and row 0's outputs equal to
/// `alone(isa)` (what the row gets by itself).
func expectWithinReference(outputs: Int, product: (_ rows: Int, _ isa: Int) -> [Float],
                           reference: (_ row: Int, _ output: Int) -> (value: Double, scale: Double),
                           alone: (_ isa: Int) -> [Float]) {
    for isa in 0...Int(braid_kernel_isa()) {
        let single = alone(isa)
        for rows in q8TestRows {
            let y = product(rows, isa)
            for r in 0..<rows {
                for o in 0..<outputs {
                    let (expected, scale) = reference(r, o)
                    #expect(abs(Double(y[r * outputs + o]) - expected) <= 1e-5 * scale + 1e-12,
                            "isa \(isa) rows \(rows) row \(r) output \(o)")
                }
            }
            #expect(Array(y[0..<outputs]) == single, "isa \(isa): row 0 with \(rows) rows")
        }
    }
}
