import Testing
@testable import BraidGraph

/// Warnings: the graph loads, but something in it is probably not what was meant.
@Suite struct WarningTests {
    func warnings(_ yaml: String) -> [Diagnostic] {
        let result = GraphLoader.analyze(text: yaml, file: "w.yaml")
        #expect(result.graph != nil, "a graph with only warnings still loads")
        return result.warnings
    }

    @Test func unusedParamsAndInputs() {
        let found = warnings("name: t\ninputs: {question: Q, other: O}\nparams: {n: 2, spare: 1}\nprompt: \"{question}\"\nsteps:\n  - text: \"{n}\"\n")
        #expect(found.map(\.message) == ["input 'other' is never used", "param 'spare' is never used"])
        #expect(found.map { $0.location?.line } == [2, 3])
        #expect(found.map { $0.location?.column } == [23, 16])
    }

    @Test func forkThatNothingReads() {
        let found = warnings("name: t\nsteps:\n  - id: f\n    fork: {branches: 2, prefix: \"{i}\"}\n")
        #expect(found.map(\.message) == ["fork 'f' is never merged or voted on; what follows sees none of its branches"])
        #expect(found.first?.location?.line == 3)
    }

    @Test func identicalGreedyBranches() {
        let found = warnings("name: t\nsteps:\n  - id: f\n    fork: {branches: 3}\n  - merge: {from: f}\n")
        #expect(found.count == 1)
        #expect(found.first?.message.hasPrefix("the 3 branches of fork 'f' start from the same text and decode greedily") == true)
        #expect(found.first?.location?.line == 4)
        #expect(found.first?.location?.column == 11)
    }

    @Test func sampledOrDistinctBranchesAreFine() {
        #expect(warnings("name: t\nsteps:\n  - id: f\n    fork: {branches: 3, generate: {temperature: 0.7}}\n  - merge: {from: f}\n").isEmpty)
        #expect(warnings("name: t\nsteps:\n  - id: f\n    fork: {branches: 3, prefix: \"Path {i}:\"}\n  - merge: {from: f}\n").isEmpty)
    }

    @Test func warningsDoNotStopLoading() throws {
        let graph = try GraphLoader.load(text: "name: t\nparams: {spare: 1}\nsteps:\n  - generate: {}\n", file: "w.yaml")
        #expect(graph.steps.count == 1)
    }
}
