import CBraidKernels
import Testing
@testable import BraidTransformer

/// The gathered attention kernels (`braid_block_scores_many`, `braid_block_values_many`): many tokens' vectors
/// against one block in a call give, bit for bit, what one call per vector gives, on every instruction set, for
/// f32 and f16 blocks, tiles cut anywhere, and slot counts that differ between vectors.
@Suite struct GatheredKernelTests {
    /// Vector counts around the tile of eight; slot counts varying in runs (a block's readers see different slots).
    static let counts = [1, 3, 8, 13, 21]
    static func slots(_ i: Int) -> Int { [16, 16, 16, 7, 7, 1, 16, 12, 12, 12][i % 10] }

    @Test("gathered scores equal one call per vector", arguments: [64, 48], [false, true])
    func scores(headDim d: Int, f16: Bool) {
        let keys = KVBlockKernelTests.half(KVBlockKernelTests.values(d * 16, seed: 11))
        let wide = KVBlockKernelTests.widened(keys)
        let scale = 1 / Float(d).squareRoot()
        let best = braid_kernel_isa()
        defer { braid_kernel_set_thread_isa(-1) }
        for isa in 0...best {
            braid_kernel_set_thread_isa(Int32(isa))
            for count in Self.counts {
                let q = KVBlockKernelTests.values(count * d, seed: UInt64(count))
                let stride = 20   // rows apart, so a write past a vector's slots would show
                var single = [Float](repeating: .nan, count: count * stride), gathered = single
                let n = (0..<count).map { Int32(Self.slots($0)) }
                q.withUnsafeBufferPointer { qp in
                    let base = qp.baseAddress!
                    for i in 0..<count {
                        single.withUnsafeMutableBufferPointer { out in
                            if f16 {
                                braid_block_scores_f16(base + i * d, 1, Int32(d), keys, scale, out.baseAddress! + i * stride, 16, n[i])
                            } else {
                                braid_block_scores(base + i * d, 1, Int32(d), wide, scale, out.baseAddress! + i * stride, 16, n[i])
                            }
                        }
                    }
                    gathered.withUnsafeMutableBufferPointer { out in
                        let inputs: [UnsafePointer<Float>?] = (0..<count).map { base + $0 * d }
                        let outputs: [UnsafeMutablePointer<Float>?] = (0..<count).map { out.baseAddress! + $0 * stride }
                        if f16 {
                            braid_block_scores_many_f16(inputs, outputs, n, Int32(count), Int32(d), keys, scale)
                        } else {
                            braid_block_scores_many(inputs, outputs, n, Int32(count), Int32(d), wide, scale)
                        }
                    }
                }
                let same = gathered.map(\.bitPattern) == single.map(\.bitPattern)
                #expect(same, "isa \(isa), \(count) vectors, d \(d), f16 \(f16)")
                #expect(gathered.filter(\.isNaN).count == n.reduce(0) { $0 + stride - Int($1) }, "slots past n untouched")
            }
        }
    }

    @Test("gathered weighted values equal one call per row, over all columns and over a slice of them",
          arguments: [64, 48], [false, true])
    func values(headDim d: Int, f16: Bool) {
        let kvDim = 2 * d   // two KV heads a row: the kernels read with a stride
        let rows = KVBlockKernelTests.half(KVBlockKernelTests.values(16 * kvDim, seed: 12))
        let wide = KVBlockKernelTests.widened(rows)
        let best = braid_kernel_isa()
        defer { braid_kernel_set_thread_isa(-1) }
        for isa in 0...best {
            braid_kernel_set_thread_isa(Int32(isa))
            for count in Self.counts {
                for columns in [0..<d, 32..<d] {
                    let p = KVBlockKernelTests.values(count * 16, seed: UInt64(100 + count)).map { abs($0) / 64 }
                    let start = KVBlockKernelTests.values(count * d, seed: UInt64(200 + count))
                    var single = start, gathered = start
                    let n = (0..<count).map { Int32(Self.slots($0)) }
                    let first = d + columns.lowerBound   // the second KV head's columns
                    p.withUnsafeBufferPointer { pp in
                        let pb = pp.baseAddress!
                        single.withUnsafeMutableBufferPointer { out in
                            for i in 0..<count {
                                let o = out.baseAddress! + i * d + columns.lowerBound
                                if f16 {
                                    rows.withUnsafeBufferPointer {
                                        braid_block_values_columns_f16(pb + i * 16, 16, 1, $0.baseAddress! + first, kvDim, n[i],
                                                                       Int32(d), Int32(columns.count), o)
                                    }
                                } else {
                                    wide.withUnsafeBufferPointer {
                                        braid_block_values_columns(pb + i * 16, 16, 1, $0.baseAddress! + first, kvDim, n[i],
                                                                   Int32(d), Int32(columns.count), o)
                                    }
                                }
                            }
                        }
                        gathered.withUnsafeMutableBufferPointer { out in
                            let inputs: [UnsafePointer<Float>?] = (0..<count).map { pb + $0 * 16 }
                            let outputs: [UnsafeMutablePointer<Float>?] = (0..<count).map { out.baseAddress! + $0 * d + columns.lowerBound }
                            if f16 {
                                rows.withUnsafeBufferPointer {
                                    braid_block_values_many_f16(inputs, outputs, n, Int32(count), $0.baseAddress! + first, kvDim,
                                                                Int32(columns.count))
                                }
                            } else {
                                wide.withUnsafeBufferPointer {
                                    braid_block_values_many(inputs, outputs, n, Int32(count), $0.baseAddress! + first, kvDim,
                                                            Int32(columns.count))
                                }
                            }
                        }
                    }
                    let same = gathered.map(\.bitPattern) == single.map(\.bitPattern)
                    #expect(same, "isa \(isa), \(count) rows, d \(d), columns \(columns), f16 \(f16)")
                    #expect(gathered != start, "the sums were added")
                }
            }
        }
    }
}
