import BraidPlan
import BraidServing
import BraidServingRuntime
import BraidServingTestSupport
import Foundation
import Testing

/// `Graphs/apr.yaml` on scripted completions: the parent's request stops at the spawn block's closing text, one
/// child per message runs concurrently from its own prompt, the join block replaces the spawn block and the parent
/// continues with a new request that re-sends its whole text, as APR's client loop does.
@Suite(.serialized, .timeLimit(.minutes(2)))
struct ServingSpawnTests {
    /// The parent's search up to a spawn block with two sub-searches (APR's Countdown format), then text it never
    /// gets to: Braid closes the stream at `<End Calling Sub Searches>`.
    static let parentText = [
        "Current State: 10:[1, 4, 6, 8], Operations: []\n",
        "Exploring Operation: 8-6=2, Resulting Numbers: [1, 4, 2]\nGenerated Node #0,0: 10:[1, 4, 2] Operation: 8-6=2\n",
        "Exploring Operation: 4+6=10, Resulting Numbers: [1, 8, 10]\nGenerated Node #0,1: 10:[1, 8, 10] Operation: 4+6=10\n",
        "<Calling Sub Searches>\n<Start Sub Search 0 at level 1> Moving to Node #0,0\n",
        "<Start Sub Search 1 at level 1> Moving to Node #0,1\n", "<End Calling Sub Searches>", "\nNEVER READ",
    ]

    @Test func aprSpawnsTwoChildrenTogetherJoinsTheirResultsAndTheParentContinues() async throws {
        let stub = try await StubServer.start([], routes: [
            // The parent after the join (its prompt holds the join block).
            StubRoute("<Sub Searches>", Scripted.stream(["Goal Reached\n", "4*2=8,8+1=9\nGoal Reached\n"])),
            // Child 0 reaches the goal; child 1 does not. Both stream slowly, so they are seen in flight together.
            StubRoute(#"Moving to Node #0,0\nCurrent State: 10:[1, 4, 2], Operations: ['8-6=2']\n"#, Scripted.stream(
                ["Exploring Operation: 4*2=8\n", "Goal Reached\n", "4*2=8,8+1=9\n", "Goal Reached\n"], interval: 0.05)),
            StubRoute(#"Moving to Node #0,1\nCurrent State: 10:[1, 8, 10], Operations: ['4+6=10']\n"#, Scripted.stream(
                ["Exploring Operation: 10-8=2\n", "No solution\n"], interval: 0.05)),
            StubRoute(#"Moving to Node #0\n"#, Scripted.stream(Self.parentText)),
        ])
        defer { Task { try? await stub.stop() } }
        let plan = try Scripted.libraryPlan("apr")
        let options = ServingOptions(inputs: ["target": "10", "numbers": "1, 4, 6, 8"])
        let result = try await CompletionsClient.with(baseURL: stub.baseURL) { client in
            try await ServingExecutor.run(plan: plan, client: client, options: options)
        }
        let requests = result.requests
        #expect(requests.map(\.segment).sorted() == ["search", "search#0.child[0]", "search#0.child[1]", "search#1"])
        let parent = try #require(requests.first { $0.segment == "search" })
        #expect(parent.ending == "stop-string" && parent.stop == "<End Calling Sub Searches>")
        #expect(!parent.text.contains("NEVER READ"))
        // Children: isolated prompts built from the message, the Generated Node lookup and the parent's operations.
        let children = requests.filter { $0.thread.contains(".child[") }.sorted { $0.thread < $1.thread }
        #expect(children.map(\.prompt) == [
            "Moving to Node #0,0\nCurrent State: 10:[1, 4, 2], Operations: ['8-6=2']\n",
            "Moving to Node #0,1\nCurrent State: 10:[1, 8, 10], Operations: ['4+6=10']\n",
        ])
        #expect(children.allSatisfy { $0.sent >= parent.ended })
        #expect(children[0].sent < children[1].ended && children[1].sent < children[0].ended, "children not in flight together")
        // The continuation re-sends the prompt, the parent's text cut before the spawn block, and the join block.
        let continuation = try #require(requests.first { $0.segment == "search#1" })
        let prompt = "Moving to Node #0\nCurrent State: 10:[1, 4, 6, 8], Operations: []\n"
        let kept = Self.parentText[0...2].joined()
        let join = "<Sub Searches>\n<Goal Reached in Sub Search 0 at level 1 at Node #0,0>\n4*2=8,8+1=9\nGoal Reached\n"
            + "<No Solution in Sub Search 1 at level 1 at Node #0,1>\n<End Sub Searches>\n"
        #expect(continuation.prompt == prompt + kept + join)
        #expect(continuation.sent >= children.map(\.ended).max() ?? 0)
        #expect(result.finalText == kept + join + "Goal Reached\n4*2=8,8+1=9\nGoal Reached\n")
        #expect(result.answer == "4*2=8,8+1=9\nGoal Reached")
    }
}
