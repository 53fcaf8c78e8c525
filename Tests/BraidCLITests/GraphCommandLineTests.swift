import Foundation
import Testing

/// `braid check`, `braid graph show` and exit codes, end to end through the binary.
@Suite struct GraphCommandLineTests {
    static let library: [String] = {
        let folder = BraidProcess.repository.appendingPathComponent("Graphs")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.filter { $0.hasSuffix(".yaml") }.sorted().map { "Graphs/" + $0 }
    }()

    @Test func everyLibraryGraphChecksClean() throws {
        #expect(Self.library.count >= 9, "the graph library should hold the published topologies")
        let outcome = try BraidProcess.run(["check"] + Self.library)
        #expect(outcome.status == 0, "stderr: \(outcome.error)")
    }

    @Test func anInvalidGraphExitsOneWithAPositionedError() throws {
        let path = try BraidProcess.temporaryFile("""
        name: broken
        prompt: "hi"
        steps:
          - id: think
            fork:
              branchez: 3
        """)
        let outcome = try BraidProcess.run(["check", path])
        #expect(outcome.status == 1)
        let all = outcome.output + outcome.error
        #expect(all.contains("\(path):6:7: error:"), "got: \(all)")
        #expect(all.contains("branches"), "a did-you-mean should name the right key; got: \(all)")
    }

    @Test func malformedYAMLIsAnInvalidInputNotACrash() throws {
        let path = try BraidProcess.temporaryFile("name: [unclosed\nsteps: {\n")
        let outcome = try BraidProcess.run(["check", path])
        #expect(outcome.status == 1)
        #expect((outcome.output + outcome.error).contains("\(path):"))
    }

    @Test func usageErrorsExitTwo() throws {
        #expect(try BraidProcess.run(["check", "--no-such-flag", "Graphs/sequential.yaml"]).status == 2)
        #expect(try BraidProcess.run(["run"]).status == 2)
    }

    @Test func graphShowPrintsAGraphThatChecksAgain() throws {
        let shown = try BraidProcess.run(["graph", "show", "Graphs/parathinker.yaml", "--set", "paths=3"])
        #expect(shown.status == 0, "stderr: \(shown.error)")
        let path = try BraidProcess.temporaryFile(shown.output)
        let again = try BraidProcess.run(["check", path])
        #expect(again.status == 0, "stderr: \(again.error)")
    }

    @Test func aMissingModelFileIsInvalidInput() throws {
        let path = try BraidProcess.temporaryFile("not a gguf file", name: "model.gguf")
        let outcome = try BraidProcess.run(["model", "info", path])
        #expect(outcome.status == 1)
        #expect(!outcome.error.isEmpty)
    }
}
