import Testing
import BraidGraph
@testable import BraidPlan

/// Bounds against numbers computed by hand for SmolLM2-135M (30 layers, 3 KV heads of 64).
@Suite struct BoundsTests {
    @Test func bytesPerTokenForSmolLM2() {
        // 30 layers × 3 KV heads × 64 dims × 2 (K and V) × 4 bytes.
        #expect(ModelShape.smolLM2.kvBytesPerToken == 46_080)
        #expect(ModelShape.smolLM2.withKVBytes(2).kvBytesPerToken == 23_040)
    }

    @Test(arguments: [(1, 40, 25, 9), (4, 100, 30, 12), (8, 17, 64, 5)])
    func aSharedPromptIsCountedOnce(paths: Int, prompt: Int, think: Int, summary: Int) throws {
        let plan = try LibraryGraphs.plan("parathinker", ["paths": String(paths)])
        let estimate = LengthEstimate(lengths: ["prompt": prompt, "think": think, "summary": summary])
        let bounds = try Bounds.compute(plan, model: .smolLM2, estimate: estimate)
        // At the summary every path is still held: the prompt once, P paths, the summary.
        let tokens = prompt + paths * think + summary
        #expect(bounds.peakLiveTokens == tokens)
        #expect(bounds.peakKVBytes == tokens * 46_080)
        #expect(bounds.peakStage == "summary")
        #expect(bounds.longestView?.segment == "summary")
        #expect(bounds.longestView?.viewTokens == tokens)
        // Positions: the summary starts after the prompt and one path, not after all of them.
        #expect(bounds.maxPositionEnd == prompt + think + summary)
    }

    @Test func flatPathsUsePositionsEndToEnd() throws {
        let plan = try LibraryGraphs.plan("parathinker-flat", ["paths": "4"])
        let bounds = try Bounds.compute(plan, model: .smolLM2,
                                        estimate: LengthEstimate(lengths: ["prompt": 50, "think": 100, "summary": 10]))
        #expect(bounds.maxPositionEnd == 50 + 4 * 100 + 10)
        #expect(bounds.peakLiveTokens == 50 + 4 * 100 + 10)
    }

    @Test func budgetsBoundGeneratedSegments() throws {
        let plan = try LibraryGraphs.plan("parathinker", ["paths": "2", "path_tokens": "300", "summary_tokens": "50"])
        let bounds = try Bounds.compute(plan, model: .smolLM2, estimate: LengthEstimate(lengths: ["prompt": 20]))
        let think = try #require(bounds.segments.first { $0.segment == "think[0]" })
        let summary = try #require(bounds.segments.first { $0.segment == "summary" })
        // A path holds its forced prefix (`<think1>`: 8 bytes) and its budget; the summary likewise.
        #expect(think.maxTokens == "<think1>".utf8.count + 300)
        let prefix = "<summary>By analyzing multiple reasoning processes above, I concluded that: The final answer is"
        #expect(summary.maxTokens == prefix.utf8.count + 50)
        #expect(bounds.peakLiveTokens == 20 + 2 * think.maxTokens + summary.maxTokens)
    }

    @Test func reprefillReleasesPathsWhenItTakesTheirText() throws {
        let plan = try LibraryGraphs.plan("parathinker-reprefill", ["paths": "3"])
        let lengths = ["prompt": 10, "think": 20, "summary": 5]
        let bounds = try Bounds.compute(plan, model: .smolLM2, estimate: LengthEstimate(lengths: lengths))
        // Thinking holds prompt + 3 paths; the merge holds prompt + the spliced copy (3 × 20 + formatting) + summary.
        let spliced = try #require(bounds.segments.first { $0.segment.hasSuffix(".text") })
        #expect(spliced.maxTokens >= 60)
        #expect(bounds.peakLiveTokens == max(10 + 60, 10 + spliced.maxTokens + 5))
        let path = try #require(plan.segment("think[0]"))
        #expect(path.lifetime.reason == .textTaken)
    }

    @Test func spawnsAreBoundedAtTheirWorst() throws {
        let plan = try HandPlans.apr(maxChildren: 4, rounds: 2, childBudget: 300, budget: 400)
        let bounds = try Bounds.compute(plan, model: .smolLM2, estimate: LengthEstimate(lengths: ["prompt": 30, "sub.message": 10]))
        // While round 0's four children run: prompt, the parent's first segment, 4 × (message + budget).
        #expect(bounds.peakLiveTokens >= 30 + 400 + 4 * (10 + 300))
    }

    /// A spawn whose children spawn again (max_depth 2): 2 rounds × 2 children, each doing the same.
    static let nested = """
        name: nested
        prompt: "Task: root\\n"
        steps:
          - id: work
            spawn:
              generate: {max_tokens: 100}
              trigger: "</spawn>"
              message: 'do (?<name>[a-z]+)'
              child:
                prompt: "Task: {name}\\n"
                generate: {max_tokens: 30}
              join: {found: "{name}={result}\\n", failed: "{name} failed\\n"}
              max_children: 2
              max_depth: 2
              max_rounds: 2
        """

    @Test("a nested spawn's worst case is instantiated level by level, every child at its own budget")
    func nestedSpawnsAreBoundedPerLevel() throws {
        let plan = try GraphCompiler.compile(try GraphLoader.load(text: Self.nested))
        let worst = try Bounds.worstCase(plan)
        let children = worst.threads.map(\.id).filter { $0 != Naming.mainThread }
        // 2 rounds × 2 children below the root, and 2 × 2 below each of them; none below those (max_depth 2).
        #expect(children.filter { !$0.contains("/") }.count == 4)
        #expect(children.filter { $0.split(separator: "/").count == 2 }.count == 16)
        #expect(children.count == 20)
        #expect(children.contains("work#1.child[0]/work#1.child[1]"))
        let bounds = try Bounds.compute(plan, model: .smolLM2)
        let byName = Dictionary(bounds.segments.map { ($0.segment, $0) }, uniquingKeysWith: { first, _ in first })
        // A child's decoded segment holds its own 30 tokens, not its budget scaled by the subtree below it.
        #expect(byName["work#0.child[0]"]?.maxTokens == 30)
        #expect(byName["work#0.child[0]/work#1.child[1]"]?.maxTokens == 30)
        #expect(byName["work#0.child[0]/work#1.child[1]"]?.runTime == true)
        // Every level's rounds are there: a child's continuation after its second round, and its join.
        #expect(byName["work#0.child[0]#2"]?.maxTokens == 30)
        #expect(byName["work#0.child[0]/work#1.join"] != nil)
    }
}
