import Foundation
import Testing
@testable import BraidTransformer

/// The checks of an approximate numeric mode (q8 activations, f16 KV) against the same HF reference as
/// `ReferenceTests`, with a stated bar: every reference top-5 logit within `tolerance`, and the greedy token
/// equal to the reference's wherever the reference's top-1/top-2 gap is wider than twice that (where it is
/// narrower, the mode's rounding may legitimately swap them).
struct ApproximateReference {
    /// Names the mode in printed figures.
    let label: String
    let tolerance: Float
    /// The transformer in the mode under test.
    let makeTransformer: () throws -> Transformer

    /// Checks one row against a reference top-5; returns the worst difference.
    func check(_ row: ArraySlice<Float>, against reference: ReferenceFixture.Top5, _ label: String) -> Float {
        reference.check(row, tolerance: tolerance, top1Gap: 2 * tolerance, label)
    }

    /// Teacher-forced on the reference's greedy tokens: every step's top-5 logits within the tolerance.
    func teacherForced() throws {
        let fixture = try ReferenceFixture.load()
        let t = try makeTransformer()
        let kv = t.makeKVStore()
        var worst: Float = 0
        var segments: [SegmentID] = [], views: [ViewID] = []
        for (k, case_) in fixture.greedy.enumerated() {
            let s = try kv.makeSegment()
            let v = try kv.makeView([s])
            segments.append(s)
            views.append(v)
            let batch = case_.prompt_ids.enumerated().map { QueryToken(token: $1, position: $0, segment: s, view: v) }
            let logits = try t.forward(batch: batch, kv: kv, logitRows: .last)
            worst = max(worst, check(logits.row(0), against: case_.top5_per_step[0], "prompt \(k) step 0"))
        }
        // All prompts decode together (one row each), fed the reference's tokens.
        let steps = fixture.greedy.map(\.greedy_ids.count).max() ?? 0
        for step in 0..<steps {
            let active = fixture.greedy.indices.filter { step + 1 < fixture.greedy[$0].greedy_ids.count }
            guard !active.isEmpty else { break }
            let batch = active.map { k in
                QueryToken(token: fixture.greedy[k].greedy_ids[step], position: fixture.greedy[k].prompt_ids.count + step,
                           segment: segments[k], view: views[k])
            }
            let logits = try t.forward(batch: batch, kv: kv, logitRows: .all)
            for (row, k) in active.enumerated() {
                worst = max(worst, check(logits.row(row), against: fixture.greedy[k].top5_per_step[step + 1], "prompt \(k) step \(step + 1)"))
            }
        }
        print("\(label) teacher-forced: worst top-5 logit difference \(worst)")
    }

    /// The ParaThinker-style masked layout (one batch per segment, all through the kernels) within the tolerance.
    func maskedLayout() throws {
        let fixture = try ReferenceFixture.load()
        let layout = try #require(fixture.masked_layouts.first)
        let t = try makeTransformer()
        let kv = t.makeKVStore()
        // Fixture owners: -1 prompt (seen by all), j ≥ 0 path j (prompt + itself), -2 summary (everything).
        let owners = layout.segment.reduce(into: [Int]()) { if !$0.contains($1) { $0.append($1) } }
        var segment: [Int: SegmentID] = [:]
        for o in owners { segment[o] = try kv.makeSegment() }
        let prompt = try #require(segment[-1])
        let paths = owners.filter { $0 >= 0 }.compactMap { segment[$0] }
        var worst: Float = 0
        // Prompt, then each path, then the summary: every batch has at most 16 tokens (the kernels' limit).
        for o in [-1] + owners.filter({ $0 >= 0 }) + [-2] {
            let own = try #require(segment[o])
            let view = try kv.makeView(o == -1 ? [prompt] : o == -2 ? [prompt] + paths + [own] : [prompt, own])
            let indices = layout.tokens.indices.filter { layout.segment[$0] == o }
            try #require(indices.count <= MatrixEngine.kernelRowLimit)
            let batch = indices.map { QueryToken(token: layout.tokens[$0], position: layout.positions[$0], segment: own, view: view) }
            let logits = try t.forward(batch: batch, kv: kv, logitRows: .all)
            for (row, i) in indices.enumerated() {
                worst = max(worst, check(logits.row(row), against: layout.top5_per_token[i], "token \(i)"))
            }
        }
        print("\(label) masked layout: worst top-5 logit difference \(worst)")
    }

    /// Free-running greedy continuations: where each first leaves the reference (printed); returns the
    /// number of prompts whose continuation equals the reference's in full.
    @discardableResult
    func greedyDivergence() throws -> Int {
        var identical = 0
        let fixture = try ReferenceFixture.load()
        let t = try makeTransformer()
        for (k, case_) in fixture.greedy.enumerated() {
            let kv = t.makeKVStore()
            let s = try kv.makeSegment()
            let v = try kv.makeView([s])
            var tokens = case_.prompt_ids, generated: [Int32] = []
            var logits = try t.forward(batch: tokens.enumerated().map { QueryToken(token: $1, position: $0, segment: s, view: v) },
                                       kv: kv, logitRows: .last)
            while generated.count < case_.greedy_ids.count {
                let next = logits.argmax(row: 0)
                generated.append(next)
                tokens.append(next)
                logits = try t.forward(batch: [QueryToken(token: next, position: tokens.count - 1, segment: s, view: v)], kv: kv)
            }
            let first = generated.indices.first { generated[$0] != case_.greedy_ids[$0] }
            print("\(label) greedy prompt \(k): " + (first.map { "first differs at generated token \($0) of \(generated.count)" }
                                                ?? "identical for all \(generated.count) tokens"))
            if first == nil { identical += 1 }
            // Where the reference's first step is decisive, the first token cannot differ.
            #expect(generated.first == case_.greedy_ids.first, "prompt \(k): first token")
        }
        return identical
    }
}
