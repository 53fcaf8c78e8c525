import Foundation
import Testing
@testable import BraidGraph

/// The graph library: every file loads cleanly, and the ones that reproduce papers say what they reproduce.
@Suite struct LibraryTests {
    @Test func libraryHoldsTheIssuesGraphs() {
        let required = ["sequential", "self-consistency", "parathinker", "parathinker-reprefill", "parathinker-flat",
                        "apr", "multiverse", "tunnel-vision"]
        for name in required {
            #expect(libraryFiles.contains(name + ".yaml"), "missing Graphs/\(name).yaml")
        }
    }

    @Test(arguments: libraryFiles)
    func graphChecksClean(_ name: String) {
        let path = graphsDirectory.appendingPathComponent(name).path
        let found = GraphLoader.check(path: path)
        #expect(found.isEmpty, "\(found.map(\.description).joined(separator: "\n"))")
    }

    @Test(arguments: libraryFiles)
    func graphOpensWithACitingComment(_ name: String) throws {
        let text = try String(contentsOf: graphsDirectory.appendingPathComponent(name), encoding: .utf8)
        let header = text.split(separator: "\n").prefix { $0.hasPrefix("#") }
        #expect(header.count >= 2, "Graphs/\(name) needs a header comment saying what it reproduces")
    }

    @Test func parathinkerResolvesParamsAndOverrides() throws {
        let path = graphsDirectory.appendingPathComponent("parathinker.yaml").path
        let graph = try GraphLoader.load(path: path, overrides: ["paths": "8", "finish": "half"])
        guard case .fork(let fork) = graph.steps.first?.kind else {
            Issue.record("first step is not a fork")
            return
        }
        #expect(fork.count == 8)
        #expect(fork.finish == .half)
        #expect(fork.positions == .shared)
        #expect(fork.thought == .branch)
        #expect(fork.prefix(forBranch: 2).render(["i": "3"]) == "<think3>")
        #expect(fork.generation?.stop.map { $0.render(["i": "3"]) } == ["</think3>"])
        #expect(fork.generation?.sampling.temperature == 0.5)
        guard case .merge(let merge) = graph.steps.last?.kind else {
            Issue.record("last step is not a merge")
            return
        }
        #expect(merge.from == "think")
        #expect(merge.mode == .attend)
        #expect(merge.positions == .afterLongest)
        #expect(merge.prefix?.literalText?.hasPrefix("<summary>By analyzing multiple reasoning processes above") == true)
        #expect(merge.generation?.stop == [Template(literal: "</summary>")])
    }

    @Test(arguments: ["first": FinishPolicy.first, "half": .half, "all": .all, "last": .all])
    func parathinkerFinishIsSelectable(_ setting: String, _ expected: FinishPolicy) throws {
        let path = graphsDirectory.appendingPathComponent("parathinker.yaml").path
        let graph = try GraphLoader.load(path: path, overrides: ["finish": setting])
        guard case .fork(let fork) = graph.steps.first?.kind else {
            Issue.record("first step is not a fork")
            return
        }
        #expect(fork.finish == expected)
    }

    @Test func aprUsesTheReleasedProtocolStrings() throws {
        let graph = try GraphLoader.load(path: graphsDirectory.appendingPathComponent("apr.yaml").path)
        guard case .spawn(let spawn) = graph.steps.first?.kind else {
            Issue.record("first step is not a spawn")
            return
        }
        #expect(spawn.trigger.literalText == "<End Calling Sub Searches>")
        #expect(spawn.opener?.literalText == "<Calling Sub Searches>")
        #expect(spawn.message.captureNames == ["index", "level", "node", "parent"])
        #expect(spawn.join.header.literalText == "<Sub Searches>\n")
        #expect(spawn.join.footer.literalText == "<End Sub Searches>\n")
        let values = ["index": "0", "level": "1", "node": "0,0,1", "result": "R"]
        #expect(spawn.join.found.render(values) == "<Goal Reached in Sub Search 0 at level 1 at Node #0,0,1>\nR\n")
        #expect(spawn.join.failed.render(values) == "<No Solution in Sub Search 0 at level 1 at Node #0,0,1>\n")
        // The child prompt rebuilds APR's state line, with the operation list joined correctly when empty.
        let child = ["node": "0,1", "goal": "10", "nums": "1, 6, 2", "ops": "", "op": "8/4=2"]
        #expect(spawn.child.prompt.render(child) == "Moving to Node #0,1\nCurrent State: 10:[1, 6, 2], Operations: ['8/4=2']\n")
        var deeper = child
        deeper["ops"] = "'8-6=2'"
        #expect(spawn.child.prompt.render(deeper).contains("Operations: ['8-6=2', '8/4=2']"))
        #expect(spawn.child.context == .isolated)
        #expect(spawn.maxDepth == 1)
    }

    @Test func composedGraphInlinesTheUsedSteps() throws {
        let graph = try GraphLoader.load(path: graphsDirectory.appendingPathComponent("apr-parathinker.yaml").path)
        let ids = graph.allSteps.map(\.id)
        #expect(ids.contains("explore.attempts"))
        #expect(ids.contains("explore.verdict"))
        guard case .merge(let merge)? = graph.step(id: "explore.verdict")?.kind else {
            Issue.record("explore.verdict is not a merge")
            return
        }
        #expect(merge.from == "explore.attempts")
        guard case .fork(let fork)? = graph.step(id: "explore.attempts")?.kind else {
            Issue.record("explore.attempts is not a fork")
            return
        }
        #expect(fork.count == 2)
        #expect(fork.generation?.maxTokens == 256)
    }
}
