import Foundation
import Testing
@testable import BraidGraph

/// Every graph in `Graphs/` loads without a diagnostic.
@Suite struct LibraryTests {
    static let graphsDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Graphs")

    static var files: [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: graphsDirectory.path)) ?? []
        return names.filter { $0.hasSuffix(".yaml") }.sorted()
    }

    @Test func libraryIsNotEmpty() {
        #expect(Self.files.contains("parathinker.yaml"))
        #expect(Self.files.contains("sequential.yaml"))
    }

    @Test(arguments: LibraryTests.files)
    func graphLoads(_ name: String) throws {
        let path = Self.graphsDirectory.appendingPathComponent(name).path
        let diagnostics = GraphLoader.check(path: path)
        #expect(diagnostics.isEmpty, "\(diagnostics.map(\.description).joined(separator: "\n"))")
    }

    @Test func parathinkerResolvesParams() throws {
        let path = Self.graphsDirectory.appendingPathComponent("parathinker.yaml").path
        let graph = try GraphLoader.load(path: path, overrides: ["paths": "8", "finish": "half"])
        guard case .fork(let fork) = graph.steps.first?.kind else {
            Issue.record("first step is not a fork")
            return
        }
        #expect(fork.count == 8)
        #expect(fork.finish == .half)
        #expect(fork.prefix(forBranch: 2).render(["i": "3"]) == "<think3>")
        #expect(fork.generation?.stop.map { $0.render(["i": "3"]) } == ["</think3>"])
        #expect(fork.generation?.sampling.temperature == 0.5)
        guard case .merge(let merge) = graph.steps.last?.kind else {
            Issue.record("last step is not a merge")
            return
        }
        #expect(merge.from == "think")
        #expect(merge.mode == .attend)
        #expect(merge.generation?.maxTokens == 128)
    }
}
