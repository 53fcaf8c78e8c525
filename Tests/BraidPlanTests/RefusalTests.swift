import Testing
@testable import BraidPlan

/// Plans that can't fit are refused with a message naming the segment at fault.
@Suite struct RefusalTests {
    @Test func aBudgetOverTheContextWindowNamesTheSegment() throws {
        let plan = try LibraryGraphs.plan("parathinker", ["paths": "2", "path_tokens": "9000"])
        let bounds = try Bounds.compute(plan, model: .smolLM2)
        let error = try #require(throws: PlanError.self) { try bounds.check() }
        guard case .contextOverflow(let segment, _, let context, _) = error else {
            Issue.record("expected a context overflow, got \(error)")
            return
        }
        #expect(segment == "think[0]")
        #expect(context == 8192)
        #expect(error.description.hasPrefix("segment 'think[0]' can reach "), "\(error)")
        #expect(error.description.contains("over the model's context window of 8192"), "\(error)")
    }

    @Test func spawnWorstCasesAreRunTimeNotesWhileTheStaticPartStillIsChecked() throws {
        // APR's worst case (16 rounds x 10 children x 4096 tokens) overflows 8192 only in run-time segments.
        let apr = try Bounds.compute(try LibraryGraphs.plan("apr", [:]), model: .smolLM2)
        let violations = apr.violations()
        #expect(!violations.isEmpty, "the worst case of apr.yaml should overflow the window somewhere")
        #expect(violations.allSatisfy { $0.runTime }, "only spawned segments should overflow: \(violations)")
        #expect(throws: Never.self) { try apr.check() }
        // The parent's own first segment is static: a budget over the window is still refused.
        let huge = try Bounds.compute(try LibraryGraphs.plan("apr", ["parent_tokens": "9000"]), model: .smolLM2)
        #expect(throws: PlanError.self) { try huge.check() }
        #expect(huge.violations().contains { !$0.runTime && $0.error.description.contains("search") })
    }

    @Test func flatPositionsPastTheWindowAreRefused() throws {
        // Each path fits alone, but laid end to end the summary's positions pass 8192.
        let plan = try LibraryGraphs.plan("parathinker-flat", ["paths": "8", "path_tokens": "1200"])
        let bounds = try Bounds.compute(plan, model: .smolLM2, estimate: LengthEstimate(lengths: ["prompt": 100]))
        #expect(throws: PlanError.self) { try bounds.check() }
    }

    @Test func memoryOverTheLimitNamesTheStageAndSegment() throws {
        let plan = try LibraryGraphs.plan("parathinker", ["paths": "8"])
        let bounds = try Bounds.compute(plan, model: .smolLM2)
        #expect(throws: Never.self) { try bounds.check(memoryLimit: bounds.peakKVBytes) }
        let error = try #require(throws: PlanError.self, "a limit one byte under the peak is refused") {
            try bounds.check(memoryLimit: bounds.peakKVBytes - 1)
        }
        guard case .memoryOverLimit(let segment, let bytes, _, let stage) = error else {
            Issue.record("expected memory over limit, got \(error)")
            return
        }
        #expect(stage == "summary")
        #expect(segment == "summary")
        #expect(bytes == bounds.peakKVBytes)
        #expect(error.description == "stage 'summary' needs \(ByteCount.format(bytes)) of KV cache while writing segment 'summary', "
                + "over the memory limit of \(ByteCount.format(bytes - 1))")
    }

    @Test func aSecondMergeOfAReleasedForkIsRefused() throws {
        var builder = PlanBuilder(graph: "twice")
        try builder.text(step: "prompt", content: .text(template: "Q", maxTokens: nil))
        try builder.fork(step: "think", ForkSpec(generations: Array(repeating: Decoding(maxTokens: 8), count: 2)))
        try builder.merge(step: "first", fork: "think", MergeSpec(mode: .text, generation: nil))
        let error = try #require(throws: PlanError.self) {
            try builder.merge(step: "again", fork: "think", MergeSpec(mode: .attend, generation: Decoding(maxTokens: 4)))
        }
        #expect(error.description == "merge 'again' reads fork 'think', but 'first' already merged it and its branches are released then")
    }

    @Test func missingLengthsNameTheSegment() throws {
        let plan = try LibraryGraphs.plan("parathinker", ["paths": "2"])
        // A step with one segment is named once; a fork's branch by its segment id or by its step.
        #expect(throws: PlanError.badLengths(segment: "summary", reason: "no length given; add summary=N to --lengths")) {
            try MaskExpansion.expand(plan, lengths: MaskLengths(["prompt": 3, "think": 2]))
        }
        #expect(throws: PlanError.badLengths(segment: "think[0]", reason: "no length given; add think[0]=N or think=N to --lengths")) {
            try MaskExpansion.expand(plan, lengths: MaskLengths(["prompt": 3, "summary": 2]))
        }
        #expect(throws: PlanError.badLengths(segment: "prompt", reason: "'-1' is not a token count (a whole number ≥ 0)")) {
            try MaskLengths.parse("prompt=-1")
        }
        #expect(throws: PlanError.badLengths(segment: "prompt", reason: "expected name=count, e.g. prompt=12")) {
            try MaskLengths.parse("prompt")
        }
    }
}
