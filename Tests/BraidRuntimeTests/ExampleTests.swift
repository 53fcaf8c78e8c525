import BraidRuntime
import BraidTransformer
import Foundation
import Testing

/// The Swift API example (`Examples/RunParaThinker.swift`, shown in Docs/runtime.md) runs as written.
@Suite("Swift API example", .serialized)
struct ExampleTests {
    /// The example's code, line for line (checked against the file below).
    static func example() throws -> RunResult {
        // BEGIN EXAMPLE
        let session = try BraidSession(model: ModelCache.defaultModel)
        let result = try session.run(graph: "Graphs/parathinker.yaml",
                                     inputs: ["question": "What is 12*13?"],
                                     overrides: ["paths": "4", "path_tokens": "24", "summary_tokens": "24"])
        for thread in result.threads {
            print("\(thread.name): \(thread.sampled) tokens, \(thread.lastDecode ?? thread.stopReason)")
        }
        print("answer:", result.answer ?? "(none)", "in", result.stats.seconds, "s")
        // END EXAMPLE
        return result
    }

    /// The lines between the markers, without indentation.
    static func marked(_ text: String) -> [String] {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        guard let begin = lines.firstIndex(of: "// BEGIN EXAMPLE"), let end = lines.firstIndex(of: "// END EXAMPLE"), begin < end else { return [] }
        return Array(lines[begin...end])
    }

    @Test("Examples/RunParaThinker.swift holds the code this test runs")
    func exampleFileMatches() throws {
        let file = try String(contentsOf: Fixtures.root.appendingPathComponent("Examples/RunParaThinker.swift"), encoding: .utf8)
        let this = try String(contentsOf: URL(fileURLWithPath: #filePath), encoding: .utf8)
        #expect(!Self.marked(file).isEmpty)
        #expect(Self.marked(file) == Self.marked(this))
    }

    @Test("the example runs ParaThinker end to end: four paths and a summary")
    func exampleRuns() throws {
        FileManager.default.changeCurrentDirectoryPath(Fixtures.root.path)
        let result = try Self.example()
        #expect(result.threads.map(\.name) == ["main", "think[0]", "think[1]", "think[2]", "think[3]"])
        #expect(result.threads.dropFirst().allSatisfy { $0.sampled >= 1 })
        #expect(result.finalText.hasPrefix("<summary>"))
    }
}
