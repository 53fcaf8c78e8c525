import Foundation
import Testing

/// `braid trace view` and `braid eval` as a user runs them: files written, exit codes, messages.
@Suite("braid trace view / braid eval (command line)")
struct TraceEvalCommandLineTests {
    static func temporary(_ name: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("braid-cli-\(UUID().uuidString)-\(name)").path
    }

    @Test("trace view writes a self-contained page for a recorded trace")
    func view() throws {
        let out = Self.temporary("run.html")
        defer { try? FileManager.default.removeItem(atPath: out) }
        let outcome = try BraidProcess.run(["trace", "view", "Tests/BraidEvalTests/Fixtures/parathinker-8.jsonl", "--out", out])
        #expect(outcome.status == 0, "\(outcome.error)")
        #expect(outcome.output.contains("9 threads"))
        let page = try String(contentsOfFile: out, encoding: .utf8)
        #expect(page.hasPrefix("<!DOCTYPE html>") && page.contains("<svg") && page.contains("</html>"))
    }

    @Test("a malformed trace line exits 1 and names the file and line")
    func malformed() throws {
        let trace = Self.temporary("bad.jsonl")
        defer { try? FileManager.default.removeItem(atPath: trace) }
        let good = #"{"depth":0,"event":"thread","kind":"main","step":0,"thread":"main"}"#
        try (good + "\n" + good + "\n{\"event\": \"tokens\",\n").write(toFile: trace, atomically: true, encoding: .utf8)
        let outcome = try BraidProcess.run(["trace", "view", trace, "--out", Self.temporary("bad.html")])
        #expect(outcome.status == 1)
        #expect(outcome.error.contains("\(trace):3: not a JSON object"), "\(outcome.error)")
    }

    @Test("eval --from summarizes a results file into the table and the plot without running anything")
    func fromResults() throws {
        let results = Self.temporary("results.jsonl"), plot = Self.temporary("plot.svg")
        defer { for path in [results, plot] { try? FileManager.default.removeItem(atPath: path) } }
        let line = { (config: String, correct: Bool, seconds: Double) in
            #"{"checked":"answer","config":"\#(config)","correct":\#(correct),"graph":"parathinker","peakKVBytes":1048576,"problem":"p","sampledTokens":40,"seconds":\#(seconds),"seed":0,"sequentialTokens":20,"steps":25,"task":"countdown","traceID":"x","writtenTokens":90}"#
        }
        try [line("parathinker path_tokens=8", true, 1.5), line("parathinker path_tokens=8", false, 2.5),
             line("parathinker path_tokens=16", false, 4)].joined(separator: "\n").write(toFile: results, atomically: true, encoding: .utf8)
        let outcome = try BraidProcess.run(["eval", "--from", results, "--plot", plot])
        #expect(outcome.status == 0, "\(outcome.error)")
        let rows = outcome.output.split(separator: "\n").filter { $0.hasPrefix("| parathinker") }
        #expect(rows.count == 2)
        #expect(rows.first?.contains("50.0% (1/2)") == true)
        #expect(FileManager.default.fileExists(atPath: plot))
    }

    @Test("eval refuses bad command lines before loading anything", arguments: [
        (["eval", "Graphs/sequential.yaml", "Graphs/parathinker.yaml"], Int32(2), "--compare"),
        (["eval", "Graphs/sequential.yaml", "--task", "chess"], Int32(2), "unknown task 'chess'"),
        (["eval", "Graphs/sequential.yaml", "--problems", "/nonexistent/problems.jsonl"], Int32(1), "cannot read problems file"),
        (["eval", "Graphs/sequential.yaml", "--n", "3", "--sweep", "tokens"], Int32(2), "--sweep expects name=v1,v2"),
        (["eval", "Graphs/sequential.yaml", "--n", "3", "--set", "pahts=2"], Int32(1), "no graph declares a param or input named 'pahts'"),
        (["eval", "Graphs/sequential.yaml", "--batch", "0"], Int32(2), "--batch must be at least 1"),
    ])
    func usage(arguments: [String], status: Int32, message: String) throws {
        let outcome = try BraidProcess.run(arguments)
        #expect(outcome.status == status, "\(outcome.error)")
        #expect(outcome.error.contains(message), "\(outcome.error)")
    }

    @Test("eval --batch 2 reports problems per second for the batch it ran")
    func batchThroughput() throws {
        let outcome = try BraidProcess.run(["eval", "Graphs/sequential.yaml", "--n", "3", "--set", "tokens=4",
                                            "--batch", "2", "--threads", "1", "--json", "-q"])
        #expect(outcome.status == 0, "\(outcome.error)")
        let report = try JSONSerialization.jsonObject(with: Data(outcome.output.utf8)) as? [String: Any]
        let throughput = try #require((report?["throughput"] as? [[String: Any]])?.first, "\(outcome.output.prefix(400))")
        #expect(throughput["batch"] as? Int == 2 && throughput["problems"] as? Int == 3)
        let rate = try #require(throughput["problemsPerSecond"] as? Double)
        let seconds = try #require(throughput["seconds"] as? Double)
        #expect(rate > 0 && abs(rate * seconds - 3) < 1e-6)
    }

    @Test("eval --batch 2: a problem whose prompt is past the context window exits 1 naming it before any run; no trace files")
    func batchRefusedProblem() throws {
        // The prompt is the problem's numbers 220 times: the third problem's take 39 tokens a copy (8,580 > 8,192),
        // the others at most 11 (2,420).
        let graph = try BraidProcess.temporaryFile("""
            name: numbers
            inputs:
              numbers: {}
            prompt: "\(String(repeating: "{numbers}\\n", count: 220))"
            steps:
              - id: reason
                generate: {max_tokens: 4}
            answer: {from: reason, regex: '(\\d+)'}
            """, name: "numbers.yaml")
        let problems = try BraidProcess.temporaryFile("""
            {"id": "small-1", "numbers": [1, 4, 6, 8], "target": 10}
            {"id": "small-2", "numbers": [2, 3, 5], "target": 10}
            {"id": "huge", "numbers": [999999, 999998, 999997, 999996, 999995], "target": 999994}
            {"id": "small-3", "numbers": [1, 2], "target": 3}
            """, name: "problems.jsonl")
        let traces = try BraidProcess.temporaryFolder()
        let outcome = try BraidProcess.run(["eval", graph, "--problems", problems, "--batch", "2", "--traces", traces,
                                            "--threads", "1", "-q"])
        #expect(outcome.status == 1, "\(outcome.error)")
        #expect(outcome.error.contains("problem huge: refused before running: segment 'prompt'"), "\(outcome.error)")
        #expect(outcome.error.contains("over the model's context window of 8192"), "\(outcome.error)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: traces).isEmpty)
    }
}
