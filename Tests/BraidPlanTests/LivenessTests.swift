import Testing
@testable import BraidPlan

/// KV lifetimes of the library's graphs, as the issue states them.
@Suite struct LivenessTests {
    @Test func attendMergeKeepsPathsUntilTheSummaryEnds() throws {
        let plan = try LibraryGraphs.plan("parathinker", ["paths": "3"])
        for j in 0..<3 {
            let path = try #require(plan.segment("think[\(j)]"))
            #expect(path.lifetime.lastReader == "summary")
            #expect(!path.lifetime.freedWhenKilled, "a stopped path is still read by the summary")
        }
    }

    @Test func reprefillReleasesPathsOnceTheirTextIsTaken() throws {
        let plan = try LibraryGraphs.plan("parathinker-reprefill", ["paths": "2"])
        let path = try #require(plan.segment("think[0]"))
        #expect(path.lifetime.reason == .textTaken)
        #expect(path.lifetime.lastReader == "summary.text")
        #expect(path.lifetime.freedWhenKilled)
        #expect(Liveness.live(at: try #require(plan.segment("summary")).stage, in: plan).map(\.id).contains("think[0]") == false)
    }

    @Test func votedBranchesAreReleasedWhenTheyEnd() throws {
        let plan = try LibraryGraphs.plan("self-consistency", ["samples": "3"])
        let chain = try #require(plan.segment("chains[1]"))
        #expect([ReleaseReason.ownEnd, .runEnd].contains(chain.lifetime.reason))
        #expect(chain.lifetime.lastReader == "chains[1]")
        #expect(chain.lifetime.freedWhenKilled, "a stopped chain's text is voted on; its KV is not read again")
    }

    @Test func aFirstRoundIsReleasedAfterItsInterimSummary() throws {
        let plan = try LibraryGraphs.plan("two-round", ["paths": "2"])
        let first = try #require(plan.segment("round1[0]"))
        #expect(first.lifetime.reason == .lastReader)
        #expect(first.lifetime.lastReader == "interim")
        // While round 2 runs, round 1's paths are no longer held.
        let round2 = try #require(plan.segment("round2[0]"))
        #expect(!Liveness.live(at: round2.stage, in: plan).map(\.id).contains("round1[0]"))
    }

    @Test func spawnedChildrenAreReleasedByTheirJoin() throws {
        var plan = try HandPlans.apr(maxChildren: 3, rounds: 2)
        let instance = try plan.instantiateSpawn("sub", round: 0, children: 2)
        for output in instance.outputs {
            #expect(plan.segment(output)?.lifetime.reason == .textTaken)
            #expect(plan.segment(output)?.lifetime.lastReader == instance.join)
        }
        for message in instance.messages {
            #expect(plan.segment(message)?.lifetime.lastReader == instance.outputs[instance.messages.firstIndex(of: message) ?? 0])
        }
    }
}
