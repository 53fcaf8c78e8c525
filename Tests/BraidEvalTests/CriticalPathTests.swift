import BraidTestSupport
import BraidEval
import BraidRuntime
import Testing

/// Sequential (critical-path) tokens, computed from real traces of the scheduler.
@Suite("Critical path")
struct CriticalPathTests {
    @Test("parallel paths then a summary: the longest path plus the summary, not the sum of all paths")
    func pathsAndSummary() throws {
        let (result, events) = try EvalFixtures.pathsRun()
        #expect(result.answer == "42", "the scripted run went as recorded")
        let longest = EvalFixtures.pathTexts.map(\.count).max() ?? 0
        #expect(CriticalPath.sampledTokens(events) == longest + EvalFixtures.summaryText.count)
        let total = EvalFixtures.pathTexts.map(\.count).reduce(0, +) + EvalFixtures.summaryText.count
        #expect(result.stats.sampled == total, "all paths' tokens count towards the total")
    }

    @Test("an APR round: the parent's tokens plus its longest child, the shorter child runs alongside")
    func aprRound() throws {
        let (result, events) = try EvalFixtures.aprRun()
        #expect(result.answer == EvalFixtures.aprPath, "the scripted run went as recorded")
        // The parent sampled the text before the block and the block (cut at the join), then the rest.
        let parent = EvalFixtures.aprBefore.count + EvalFixtures.aprBlock.count + EvalFixtures.aprAfter.count
        let longestChild = max(EvalFixtures.aprChild0Output.count, EvalFixtures.aprChild1Output.count)
        #expect(CriticalPath.sampledTokens(events) == parent + longestChild)
    }

    @Test("a single thread: every sampled token is on the critical path")
    func singleThread() throws {
        let yaml = """
            name: one
            prompt: "go\\n"
            steps:
              - id: say
                generate: {max_tokens: 12}
            """
        let model = ScriptedModel { _ in "x" }
        let (result, events) = try EvalFixtures.run(try EvalFixtures.graph(yaml: yaml), on: model)
        #expect(result.stats.sampled == 12)
        #expect(CriticalPath.sampledTokens(events) == 12)
    }

    @Test("batched and one-thread-at-a-time scheduling give the same critical path (it is a property of the run)")
    func schedulingIndependent() throws {
        let (_, batched) = try EvalFixtures.pathsRun(scheduling: .batched)
        let (_, sequential) = try EvalFixtures.pathsRun(scheduling: .sequential)
        #expect(CriticalPath.sampledTokens(batched) == CriticalPath.sampledTokens(sequential))
        // …while the forward passes differ: one per step batched, one per thread per step sequential.
        let passes = { (events: [TraceEvent]) in events.filter { $0.kind == "forward" }.count }
        #expect(passes(sequential) > passes(batched))
    }

    @Test("the counter fed event by event agrees with the whole-trace function")
    func incremental() throws {
        let (_, events) = try EvalFixtures.pathsRun()
        var counter = CriticalPathCounter()
        var seen: [Int] = []
        for event in events {
            counter.observe(event)
            seen.append(counter.longest)
        }
        #expect(counter.longest == CriticalPath.sampledTokens(events))
        #expect(seen == seen.sorted(), "never decreases")
    }
}
