import BraidRandom
import Testing
@testable import BraidPlan

/// ParaThinker's two-phase layout must equal the one the HF reference logits were computed with.
@Suite struct ReferenceLayoutTests {
    /// Expands a ParaThinker plan and compares positions and every mask cell with the reference rule.
    func expectMatchesRule(_ plan: Plan, prompt: Int, paths: [Int], summary: Int) throws {
        var values = ["prompt": prompt, "summary": summary]
        for (j, length) in paths.enumerated() { values["think[\(j)]"] = length }
        let expansion = try MaskExpansion.expand(plan, lengths: MaskLengths(values))
        let expected = ReferenceRule.layout(prompt: prompt, paths: paths, summary: summary)
        #expect(expansion.tokens.map(\.position) == expected.positions)
        #expect(expansion.count == expected.owners.count)
        var mismatches = 0
        for q in 0..<expansion.count {
            for k in 0..<expansion.count where expansion.attends(q, k) != ReferenceRule.visible(expected.owners, q, k) {
                mismatches += 1
            }
        }
        #expect(mismatches == 0, "mask cells differing from the reference rule")
    }

    @Test func matchesTheReferenceFixtureExactly() throws {
        let reference = try Fixtures.referenceLayout()
        let prompt = reference.segments.filter { $0 == -1 }.count
        let pathCount = (reference.segments.max() ?? -1) + 1
        let paths = (0..<pathCount).map { j in reference.segments.filter { $0 == j }.count }
        let summary = reference.segments.filter { $0 == -2 }.count
        let plan = try LibraryGraphs.plan("parathinker", ["paths": String(pathCount)])
        try expectMatchesRule(plan, prompt: prompt, paths: paths, summary: summary)
        let expansion = try MaskExpansion.expand(plan, lengths: MaskLengths(
            ["prompt": prompt, "summary": summary].merging(paths.enumerated().map { ("think[\($0.offset)]", $0.element) }) { $1 }))
        #expect(expansion.tokens.map(\.position) == reference.positions)
    }

    @Test func handBuiltPlanMatchesTheCompiledGraph() throws {
        let compiled = try LibraryGraphs.plan("parathinker", ["paths": "3"])
        let hand = try HandPlans.parathinker(paths: 3)
        #expect(compiled.segments.map(\.view) == hand.segments.map(\.view))
        #expect(compiled.segments.map(\.placement) == hand.segments.map(\.placement))
        #expect(compiled.segments.map(\.thought) == hand.segments.map(\.thought))
    }

    @Test(arguments: [1, 2, 3, 5, 8])
    func matchesTheRuleForManyPathCounts(paths: Int) throws {
        let plan = try LibraryGraphs.plan("parathinker", ["paths": String(paths)])
        var generator = SplitMix64(seed: UInt64(paths))
        for _ in 0..<4 {
            let lengths = (0..<paths).map { _ in generator.int(in: 1...9) }
            try expectMatchesRule(plan, prompt: generator.int(in: 1...12), paths: lengths, summary: generator.int(in: 1...6))
        }
    }

    @Test(arguments: [2, 3, 6])
    func flatLaysPathsEndToEnd(paths: Int) throws {
        let plan = try LibraryGraphs.plan("parathinker-flat", ["paths": String(paths)])
        var random = SplitMix64(seed: UInt64(paths) * 31)
        let prompt = random.int(in: 1...10)
        let think = random.int(in: 1...7)
        // Paths that fill their slot exactly: positions 0, 1, 2, … in write order, visibility still two-phase.
        let expansion = try MaskExpansion.expand(plan, lengths: MaskLengths(["prompt": prompt, "think": think, "summary": 3,
                                                                              "slot": think]))
        #expect(expansion.tokens.map(\.position) == Array(0..<expansion.count))
        let owners = ReferenceRule.layout(prompt: prompt, paths: Array(repeating: think, count: paths), summary: 3).owners
        for q in 0..<expansion.count {
            for k in 0..<expansion.count where expansion.attends(q, k) != ReferenceRule.visible(owners, q, k) {
                Issue.record("cell (\(q), \(k)) differs from the two-phase rule")
                return
            }
        }
    }

    @Test func flatPathsTakeSlotsOfTheLargestBudget() throws {
        // The paper's m = l_x + i·l_max + t with l_max fixed before decoding (so paths decode side by side):
        // forced prefix (here 1 token) + path_tokens 7 = 8. Shorter paths leave gaps, none overlap.
        let plan = try LibraryGraphs.plan("parathinker-flat", ["paths": "3", "path_tokens": "7"])
        let lengths = [4, 8, 2]
        var values = ["prompt": 5, "summary": 2]
        for (j, length) in lengths.enumerated() { values["think[\(j)]"] = length }
        let expansion = try MaskExpansion.expand(plan, lengths: MaskLengths(values)) { segment in
            FlatSlot.forcedText(of: segment) == nil ? 0 : 1
        }
        let starts = (0..<3).compactMap { j in expansion.tokens.first { $0.segment == "think[\(j)]" }?.position }
        #expect(starts == [5, 5 + 8, 5 + 16])
        // The flat summary starts after the last branch's end (not after its slot).
        #expect(expansion.tokens.first { $0.segment == "summary" }?.position == 5 + 16 + 2)
        // Without a way to count the forced prefix the slot is unknown: an error says what to give.
        #expect(throws: PlanError.self) { try MaskExpansion.expand(plan, lengths: MaskLengths(values)) }
        #expect(try MaskExpansion.expand(plan, lengths: MaskLengths(values.merging(["slot": 8]) { a, _ in a })) == expansion)
    }
}
