import Foundation
import Testing
@testable import BraidCountdown

/// Docs/countdown.md shows real solver output; these tests fail when the code and the examples drift.
@Suite("Docs/countdown.md examples are current")
struct DocsTests {
    let doc: String = {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return (try? String(contentsOf: root.appendingPathComponent("Docs/countdown.md"), encoding: .utf8)) ?? ""
    }()
    let paperProblem = Problem(id: "example", numbers: [1, 4, 6, 8], target: 10)

    @Test("The SoS+ example (--beam 2 --seed 1)")
    func sos() throws {
        try #require(!doc.isEmpty, "Docs/countdown.md not found")
        let record = try TraceSolver(settings: SolverSettings(format: .sos, seed: 1, beam: 2)).solve(paperProblem)
        #expect(doc.contains(record.text))
    }

    @Test("The APR example (--beam 2 --child-beam 2 --seed 2): segment 0, both children, the join and the rest")
    func apr() throws {
        try #require(!doc.isEmpty, "Docs/countdown.md not found")
        let record = try TraceSolver(settings: SolverSettings(format: .apr, seed: 2, beam: 2, childBeam: 2)).solve(paperProblem)
        let thread = try #require(record.apr)
        try #require(thread.segments.count == 2 && thread.children.count == 1)
        #expect(doc.contains(thread.segments[0]))
        for child in thread.children[0] { #expect(doc.contains(child.finalText)) }
        let joined = try #require(thread.segments[1].firstRange(of: "<Sub Searches>"))
        #expect(doc.contains(thread.segments[1][joined.lowerBound...]))
    }

    @Test("The ParaThinker example (--paths 2 --seed 1)")
    func parathinker() throws {
        try #require(!doc.isEmpty, "Docs/countdown.md not found")
        let problem = Problem(id: "example3", numbers: [12, 7, 10], target: 15)
        let record = try TraceSolver(settings: SolverSettings(format: .parathinker, seed: 1, paths: 2)).solve(problem)
        #expect(record.paths?.first?.answer == nil, "the example shows a failed first attempt")
        #expect(doc.contains(record.text))
    }
}
