import CBraidKernels
import Foundation
import Testing
@testable import BraidTransformer

/// The attention kernels over one 16-slot KV block, f32 and binary16 (`--kv-type f16`), on every
/// instruction set the CPU offers.
@Suite struct KVBlockKernelTests {
    static let headDim = 64, heads = 3, slots = 16

    /// Deterministic values of the size keys and values have.
    static func values(_ count: Int, seed: UInt64) -> [Float] {
        var random = RandomSource(seed: seed)
        return (0..<count).map { _ in Float(random.nextUnit() * 8 - 4) }
    }

    static func half(_ x: [Float]) -> [UInt16] { x.map { Float16($0).bitPattern } }
    static func widened(_ h: [UInt16]) -> [Float] { h.map { Float(Float16(bitPattern: $0)) } }

    @Test("scores over f16 keys equal, bit for bit, the f32 kernel's over the same keys widened; and q·k to 1e-4",
          arguments: [1, 7, 16])
    func scores(count n: Int) {
        let d = Self.headDim, h = Self.heads
        let q = Self.values(h * d, seed: 1)
        let keys = Self.half(Self.values(d * Self.slots, seed: 2))   // transposed: keys[j * 16 + t]
        let wide = Self.widened(keys)
        let scale = 1 / Float(d).squareRoot()
        let best = braid_kernel_isa()
        defer { braid_kernel_set_thread_isa(-1) }
        for isa in 0...best {
            braid_kernel_set_thread_isa(Int32(isa))
            var exact = [Float](repeating: .nan, count: h * 16), half = exact
            braid_block_scores(q, Int32(h), Int32(d), wide, scale, &exact, 16, Int32(n))
            braid_block_scores_f16(q, Int32(h), Int32(d), keys, scale, &half, 16, Int32(n))
            for head in 0..<h {
                for t in 0..<n {
                    let i = head * 16 + t
                    #expect(half[i].bitPattern == exact[i].bitPattern, "isa \(isa) head \(head) slot \(t)")
                    let reference = (0..<d).reduce(0.0) { $0 + Double(q[head * d + $1]) * Double(wide[$1 * 16 + t]) }
                    #expect(abs(Double(half[i]) - reference * Double(scale)) <= 1e-4, "isa \(isa)")
                }
                let untouched = half[(head * 16 + n)..<(head * 16 + 16)].allSatisfy { $0.isNaN }
                #expect(untouched, "slots past n untouched")
            }
        }
    }

    @Test("weighted values over f16 rows equal, bit for bit, the f32 kernel's over the same rows widened",
          arguments: [1, 7, 16])
    func values(count n: Int) {
        let d = Self.headDim, kvDim = Self.headDim * 2   // two KV heads a row: the kernel reads with a stride
        let p = Self.values(16, seed: 3).map { abs($0) / 64 }
        let rows = Self.half(Self.values(16 * kvDim, seed: 4))
        let wide = Self.widened(rows)
        let start = Self.values(d, seed: 5)
        let best = braid_kernel_isa()
        defer { braid_kernel_set_thread_isa(-1) }
        for isa in 0...best {
            braid_kernel_set_thread_isa(Int32(isa))
            for head in 0..<2 {
                var exact = start, half = start
                wide.withUnsafeBufferPointer { braid_block_values(p, $0.baseAddress! + head * d, kvDim, Int32(n), Int32(d), &exact) }
                rows.withUnsafeBufferPointer { braid_block_values_f16(p, $0.baseAddress! + head * d, kvDim, Int32(n), Int32(d), &half) }
                #expect(half.map(\.bitPattern) == exact.map(\.bitPattern), "isa \(isa) head \(head)")
                for c in 0..<d {
                    let reference = Double(start[c]) + (0..<n).reduce(0.0) { $0 + Double(p[$1]) * Double(wide[$1 * kvDim + head * d + c]) }
                    #expect(abs(Double(half[c]) - reference) <= 2e-5, "isa \(isa) dimension \(c)")
                }
            }
        }
    }

    @Test("weighted values of several heads in one call equal, bit for bit, one call per head (f32 and f16)",
          arguments: [1, 2, 3, 4, 6])
    func valuesOfHeads(heads: Int) {
        let d = Self.headDim, kvDim = Self.headDim * 2, stride = 20
        let p = Self.values(heads * stride, seed: 6).map { abs($0) / 64 }
        let rows = Self.half(Self.values(16 * kvDim, seed: 7))
        let wide = Self.widened(rows)
        let start = Self.values(heads * d, seed: 8)
        let best = braid_kernel_isa()
        defer { braid_kernel_set_thread_isa(-1) }
        for isa in 0...best {
            braid_kernel_set_thread_isa(Int32(isa))
            for n in [1, 9, 16] {
                var each = start, eachHalf = start, together = start, togetherHalf = start
                for h in 0..<heads {
                    each.withUnsafeMutableBufferPointer { braid_block_values(Array(p[(h * stride)...]), wide, kvDim, Int32(n), Int32(d), $0.baseAddress! + h * d) }
                    eachHalf.withUnsafeMutableBufferPointer { braid_block_values_f16(Array(p[(h * stride)...]), rows, kvDim, Int32(n), Int32(d), $0.baseAddress! + h * d) }
                }
                braid_block_values_heads(p, stride, Int32(heads), wide, kvDim, Int32(n), Int32(d), &together)
                braid_block_values_heads_f16(p, stride, Int32(heads), rows, kvDim, Int32(n), Int32(d), &togetherHalf)
                #expect(together.map(\.bitPattern) == each.map(\.bitPattern), "isa \(isa) n \(n)")
                #expect(togetherHalf.map(\.bitPattern) == eachHalf.map(\.bitPattern), "isa \(isa) n \(n), f16")
                #expect(together != start, "the sums moved")
            }
        }
    }

    @Test("value sums over column ranges (one per thread) together equal, bit for bit, one call over all columns",
          arguments: [8, 40, 64, 80])
    func valuesByColumns(d: Int) {
        let heads = 3, kvDim = d * 2, stride = 20
        let p = Self.values(heads * stride, seed: 9).map { abs($0) / 64 }
        let rows = Self.half(Self.values(16 * kvDim, seed: 10))
        let wide = Self.widened(rows)
        let start = Self.values(heads * d, seed: 11)
        let best = braid_kernel_isa()
        defer { braid_kernel_set_thread_isa(-1) }
        for isa in 0...best {
            braid_kernel_set_thread_isa(Int32(isa))
            for n in [1, 9, 16] {
                var whole = start, wholeHalf = start, split = start, splitHalf = start
                braid_block_values_heads(p, stride, Int32(heads), wide, kvDim, Int32(n), Int32(d), &whole)
                braid_block_values_heads_f16(p, stride, Int32(heads), rows, kvDim, Int32(n), Int32(d), &wholeHalf)
                // Chunks of 32 columns, as attention cuts them, done last to first.
                for first in Swift.stride(from: 0, to: d, by: 32).reversed() {
                    let cols = Int32(min(32, d - first))
                    wide.withUnsafeBufferPointer { w in
                        split.withUnsafeMutableBufferPointer {
                            braid_block_values_columns(p, stride, Int32(heads), w.baseAddress! + first, kvDim, Int32(n), Int32(d),
                                                       cols, $0.baseAddress! + first)
                        }
                    }
                    rows.withUnsafeBufferPointer { r in
                        splitHalf.withUnsafeMutableBufferPointer {
                            braid_block_values_columns_f16(p, stride, Int32(heads), r.baseAddress! + first, kvDim, Int32(n),
                                                           Int32(d), cols, $0.baseAddress! + first)
                        }
                    }
                }
                #expect(split.map(\.bitPattern) == whole.map(\.bitPattern), "isa \(isa) n \(n)")
                #expect(splitHalf.map(\.bitPattern) == wholeHalf.map(\.bitPattern), "isa \(isa) n \(n), f16")
                #expect(whole != start, "the sums moved")
            }
        }
    }

    @Test("stores round to the nearest binary16, ties to even, overflow to infinity")
    func rounding() {
        let x: [Float] = [1, 1 + 1.0 / 2048, 1 + 3.0 / 2048, 65504, 65520, -1e-8, 0.1]
        var out = [UInt16](repeating: 0, count: x.count * 2)
        braid_store_f16(x, x.count, 2, &out)
        for (i, v) in x.enumerated() {
            #expect(out[2 * i] == Float16(v).bitPattern, "value \(v)")
            #expect(out[2 * i + 1] == 0, "stride respected")
        }
        #expect(Float16(bitPattern: out[2]) == 1, "1 + 2^-11 is a tie: to even (1)")
        #expect(Float16(bitPattern: out[8]).isInfinite, "65520 rounds past the largest binary16")
    }

    @Test("an f16 store written by the forward pass holds each key and value rounded to binary16")
    func storeRoundsWhatTheLayerComputed() throws {
        let t = try RealModel.transformer()
        let exactKV = t.makeKVStore()
        t.kvPrecision = .f16
        let halfKV = t.makeKVStore()
        let ids: [Int32] = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18]
        var blocks: [Int32] = []
        for kv in [exactKV, halfKV] {
            let s = try kv.makeSegment()
            let v = try kv.makeView([s])
            _ = try t.forward(batch: ids.enumerated().map { QueryToken(token: $1, position: $0, segment: s, view: v) },
                              kv: kv, logitRows: .last)
            blocks.append(try kv.blocks(of: s)[0])   // the first block: all 16 slots written
        }
        // Layer 0 sees the same inputs in both stores, so its keys and values differ only by the rounding.
        let elements = exactKV.kvDim * exactKV.blockTokens
        for value in [false, true] {
            let exact = exactKV.rows(block: blocks[0], layer: 0, value: value).assumingMemoryBound(to: Float.self)
            let half = halfKV.rows(block: blocks[1], layer: 0, value: value).assumingMemoryBound(to: UInt16.self)
            for i in 0..<elements {
                #expect(half[i] == Float16(exact[i]).bitPattern, "\(value ? "value" : "key") element \(i)")
            }
        }
    }
}
