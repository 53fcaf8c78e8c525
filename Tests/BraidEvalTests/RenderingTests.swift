import BraidEval
import Foundation
import Testing
#if canImport(FoundationXML)
import FoundationXML
#endif

/// The eval table and the comparison plot, on synthetic results.
@Suite("Eval table and plot")
struct RenderingTests {
    static func record(_ config: String, graph: String, correct: Bool, seconds: Double, tokens: Int, sequential: Int, kv: Int) -> EvalRecord {
        EvalRecord(config: config, graph: graph, task: "countdown", problem: "p", correct: correct, answer: nil, reason: nil,
                   checked: "text", seconds: seconds, sampledTokens: tokens, writtenTokens: tokens + 10,
                   sequentialTokens: sequential, peakKVBytes: kv, steps: sequential, seed: 0, traceID: "\(config)/p/s0")
    }

    static let summaries: [EvalSummary] = {
        let a = (0..<20).map { i in record("sequential", graph: "sequential", correct: i == 3, seconds: Double(i + 1), tokens: 100 + i, sequential: 100 + i, kv: 1 << 20) }
        let b32 = (0..<10).map { i in record("parathinker path_tokens=32", graph: "parathinker", correct: i < 4, seconds: 0.5, tokens: 160, sequential: 40, kv: 3 << 20) }
        let b64 = (0..<10).map { i in record("parathinker path_tokens=64", graph: "parathinker", correct: i < 6, seconds: 0.9, tokens: 300, sequential: 72, kv: 5 << 20) }
        return [EvalSummary(config: "sequential", graph: "sequential", setting: "", records: a),
                EvalSummary(config: "parathinker path_tokens=32", graph: "parathinker", setting: "path_tokens=32", records: b32),
                EvalSummary(config: "parathinker path_tokens=64", graph: "parathinker", setting: "path_tokens=64", records: b64)]
    }()

    @Test("a summary aggregates its runs: accuracy, interval, mean and p90 time, tokens, peak KV")
    func summary() {
        let s = Self.summaries[0]
        #expect(s.n == 20 && s.correct == 1)
        #expect(s.accuracy == 1.0 / 20)
        #expect(s.interval == EvalStatistics.wilson(successes: 1, trials: 20))
        #expect(s.meanSeconds == 10.5)
        #expect(s.p90Seconds == 18)
        #expect(s.meanTokens == 109.5 && s.meanSequentialTokens == 109.5)
        #expect(s.peakKVBytes == 1 << 20)
    }

    @Test("the table has a header, an alignment row and one row per configuration, all the same width")
    func table() {
        let table = EvalTable.render(Self.summaries)
        let lines = table.split(separator: "\n").map(String.init)
        #expect(lines.count == 2 + Self.summaries.count)
        #expect(Set(lines.map(\.count)).count == 1, "columns are padded")
        #expect(lines[0].contains("accuracy") && lines[0].contains("95% CI") && lines[0].contains("p90 s"))
        #expect(lines[1].allSatisfy { "|-: ".contains($0) })
        let wilson = EvalStatistics.wilson(successes: 1, trials: 20)
        #expect(lines[2].contains("5.0% (1/20)"))
        #expect(lines[2].contains(String(format: "%.1f%%–%.1f%%", wilson.lower * 100, wilson.upper * 100)))
        #expect(lines[3].hasPrefix("| parathinker path_tokens=32"))
        #expect(lines[4].contains("5 MB"))
        // Narrow columns (n = 2: one character) still line up with the alignment row.
        let small = EvalSummary(config: "x", graph: "x", setting: "", records: [
            Self.record("x", graph: "x", correct: true, seconds: 1, tokens: 1, sequential: 1, kv: 1)])
        #expect(Set(EvalTable.render([small]).split(separator: "\n").map(\.count)).count == 1)
    }

    @Test("the plot is well-formed SVG with one point per configuration and a legend entry per graph")
    func plot() {
        let svg = EvalPlot.render(Self.summaries, title: "countdown: <test> & co")
        #expect(XMLParser(data: Data(svg.utf8)).parse())
        // Two panels (wall time, tokens), each with every configuration once.
        #expect(svg.components(separatedBy: "<g class=\"point\">").count - 1 == 2 * Self.summaries.count)
        #expect(svg.contains(">sequential</text>") && svg.contains(">parathinker</text>"))
        // The two budgets of one graph are joined by a line in each panel.
        #expect(svg.components(separatedBy: "<path d=\"M").count - 1 == 2)
        #expect(svg.contains("mean wall time") && svg.contains("mean sampled tokens"))
    }

    @Test("every point and its interval lie inside a panel, whatever the ranges")
    func pointsInsidePanels() throws {
        // Maxima just past a round tick (10.5 s, 51.6 s) are where an axis that stops at its last tick fails.
        var summaries = Self.summaries
        summaries.append(EvalSummary(config: "slow", graph: "slow", setting: "", records: (0..<2).map { _ in
            Self.record("slow", graph: "slow", correct: false, seconds: 51.6, tokens: 24, sequential: 16, kv: 1) }))
        let svg = EvalPlot.render(summaries, title: "t")
        func numbers(_ pattern: String) throws -> [[Double]] {
            let regex = try NSRegularExpression(pattern: pattern)
            return regex.matches(in: svg, range: NSRange(svg.startIndex..., in: svg)).map { match in
                (1..<match.numberOfRanges).compactMap { Range(match.range(at: $0), in: svg).flatMap { Double(svg[$0]) } }
            }
        }
        let panels = try numbers(#"<rect x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" height="([\d.]+)" fill="none""#)
        #expect(panels.count == 2)
        let circles = try numbers(#"<circle cx="([\d.]+)" cy="([\d.]+)" r="4.5""#)
        #expect(circles.count == 2 * summaries.count)
        for c in circles {
            let inside = panels.contains { p in c[0] >= p[0] && c[0] <= p[0] + p[2] && c[1] >= p[1] && c[1] <= p[1] + p[3] }
            #expect(inside, "point at \(c) is outside both panels")
        }
    }

    @Test("results files round-trip and name the bad line")
    func resultsFile() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("braid-results-\(UUID().uuidString).jsonl").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let file = try EvalResultsFile(path: path)
        let records = [Self.record("a", graph: "a", correct: true, seconds: 1, tokens: 2, sequential: 2, kv: 3),
                       Self.record("b", graph: "b", correct: false, seconds: 4, tokens: 5, sequential: 5, kv: 6)]
        records.forEach(file.append)
        file.close()
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(try EvalResultsFile.parse(text, file: path) == records)
        let grouped = EvalSummary.grouped(try EvalResultsFile.parse(text, file: path) + [Self.record("a", graph: "a", correct: false, seconds: 3, tokens: 2, sequential: 2, kv: 3)])
        #expect(grouped.map(\.config) == ["a", "b"] && grouped.map(\.n) == [2, 1] && grouped[0].correct == 1)
        #expect(throws: EvalError("r.jsonl:2: not an eval record")) { try EvalResultsFile.parse(text.split(separator: "\n")[0] + "\n{}\n", file: "r.jsonl") }
    }

    @Test("sweeps expand to every combination in order; bad specs are errors")
    func sweeps() throws {
        let sweep = try EvalSweep(["path_tokens=32,64", "paths=2,4"])
        #expect(sweep.settings.map(\.label) == ["path_tokens=32 paths=2", "path_tokens=32 paths=4",
                                                "path_tokens=64 paths=2", "path_tokens=64 paths=4"])
        #expect(sweep.settings[1].overrides == ["path_tokens": "32", "paths": "4"])
        #expect(try EvalSweep([]).settings.map(\.label) == [""])
        #expect(throws: EvalError.self) { try EvalSweep(["paths"]) }
        #expect(throws: EvalError.self) { try EvalSweep(["paths=2,"]) }
        #expect(throws: EvalError.self) { try EvalSweep(["paths=2", "paths=4"]) }
    }

    @Test("with several graphs, --set and --sweep apply to the graphs that declare the param; unknown names are errors")
    func sweepsAcrossGraphs() throws {
        let graphs = ["sequential.yaml", "parathinker.yaml"].map { EvalFixtures.root.appendingPathComponent("Graphs/\($0)").path }
        let sweep = try EvalSweep(["tokens=8,16", "path_tokens=4,6"])
        let configurations = try sweep.configurations(graphs: graphs, overrides: ["paths": "2"])
        #expect(configurations.map(\.label) == ["sequential tokens=8", "sequential tokens=16",
                                                "parathinker path_tokens=4", "parathinker path_tokens=6"])
        let paths = configurations[2].graph.params.first { $0.name == "paths" }
        #expect(paths.map { "\($0.value)" } == "2")
        #expect(throws: EvalError.self) { try sweep.configurations(graphs: graphs, overrides: ["pahts": "2"]) }
        #expect(throws: EvalError.self) { try EvalSweep(["budget=1,2"]).configurations(graphs: graphs, overrides: [:]) }
    }
}
