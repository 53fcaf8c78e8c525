import Foundation
import Testing

/// `braid run` end to end on the default model, as the README's main job runs it (tiny budgets, greedy).
@Suite struct RunCommandLineTests {
    static let small = ["run", "Graphs/parathinker.yaml", "--question", "What is 7+8?",
                        "--set", "paths=3", "--set", "path_tokens=6", "--set", "summary_tokens=4",
                        "--temperature", "0", "--json", "-q"]

    static func threads(_ json: String) throws -> [[String: Any]] {
        let object = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]
        return try #require(object?["threads"] as? [[String: Any]], "no threads in: \(json.prefix(300))")
    }

    @Test func parathinkerRunsAndReportsEveryPathAndTheSummary() throws {
        let outcome = try BraidProcess.run(Self.small)
        #expect(outcome.status == 0, "stderr: \(outcome.error)")
        let threads = try Self.threads(outcome.output)
        let names = threads.compactMap { $0["name"] as? String }
        #expect(names.contains("main"))
        #expect(names.filter { $0.hasPrefix("think") }.count == 3, "threads: \(names)")
        // Every path opened with its own control text, <think1> ... <think3>.
        let texts = threads.compactMap { $0["segments"] as? [[String: Any]] }.flatMap { $0 }
            .compactMap { $0["text"] as? String }
        for i in 1...3 { #expect(texts.contains { $0.hasPrefix("<think\(i)>") }, "no <think\(i)> segment") }
    }

    @Test func batchedAndSequentialSchedulingPrintTheSameThreads() throws {
        let batched = try BraidProcess.run(Self.small)
        let sequential = try BraidProcess.run(Self.small + ["--sequential"])
        #expect(batched.status == 0 && sequential.status == 0, "stderr: \(batched.error) \(sequential.error)")
        func tokens(_ json: String) throws -> [String] {
            try Self.threads(json).map { thread in
                let segments = thread["segments"] as? [[String: Any]] ?? []
                return "\(thread["name"] ?? "?"): " + segments.map { "\($0["tokens"] ?? [])" }.joined(separator: "|")
            }.sorted()
        }
        #expect(try tokens(batched.output) == tokens(sequential.output))
    }

    @Test func aMemoryLimitTooSmallForThePlanIsRefusedBeforeRunning() throws {
        let outcome = try BraidProcess.run(Self.small + ["--memory-limit", "100KB"])
        // Exactly 1 (invalid input): not 2 (usage), not 3 (a run that failed), not a crash signal.
        #expect(outcome.status == 1, "stderr: \(outcome.error)")
        // The 3 paths' budgets alone (3 × 6 tokens × 46,080 bytes) are over the limit: refused before they are compiled.
        #expect(outcome.error.hasPrefix("error: refused before running: stage 'think' needs 810 KB of KV cache while writing segment 'think[0]'"),
                "stderr: \(outcome.error)")
        #expect(outcome.error.contains("over the memory limit of 100 KB"), "stderr: \(outcome.error)")
        #expect(outcome.output.isEmpty, "nothing ran, so nothing is reported")
    }

    @Test func aRunTracedToAFileIsDrawnByTraceView() throws {
        let folder = try BraidProcess.temporaryFolder()
        let trace = folder + "/run.jsonl", page = folder + "/run.html"
        let run = try BraidProcess.run(Self.small + ["--trace", trace])
        #expect(run.status == 0, "stderr: \(run.error)")
        // The trace holds every token the run reports, thread by thread.
        let lines = try String(contentsOfFile: trace, encoding: .utf8).split(separator: "\n")
        let events = try lines.map { try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
        var traced: [String: [Int]] = [:]
        for event in events where event["event"] as? String == "tokens" {
            let thread = try #require(event["thread"] as? String)
            traced[thread, default: []] += try #require(event["ids"] as? [Int])
        }
        var reported: [String: [Int]] = [:]
        for thread in try Self.threads(run.output) {
            let name = try #require(thread["name"] as? String)
            let segments = try #require(thread["segments"] as? [[String: Any]])
            reported[name] = segments.flatMap { $0["tokens"] as? [Int] ?? [] }
        }
        #expect(Set(traced.keys) == ["main", "think[0]", "think[1]", "think[2]"])
        #expect(traced == reported)

        let view = try BraidProcess.run(["trace", "view", trace, "--out", page])
        #expect(view.status == 0, "stderr: \(view.error)")
        let steps = Set(events.filter { $0["event"] as? String == "forward" }.compactMap { $0["step"] as? Int }).count
        // Three forks out of main and three merges back: six arrows.
        #expect(view.output == "wrote \(page): 4 threads, \(steps) steps, 6 arrows\n")
        let html = try String(contentsOfFile: page, encoding: .utf8)
        for name in ["main", "think[0]", "think[1]", "think[2]"] { #expect(html.contains(">\(name)</text>"), "lane \(name)") }
    }

    @Test func aTracePageThatCannotBeWrittenIsARunFailure() throws {
        let file = try BraidProcess.temporaryFile("not a folder", name: "plain")
        let outcome = try BraidProcess.run(["trace", "view", "Tests/BraidEvalTests/Fixtures/parathinker-8.jsonl", "--out", file + "/run.html"])
        #expect(outcome.status == 3, "stderr: \(outcome.error)")
        #expect(outcome.error.hasPrefix("error: cannot write \(file)/run.html"), "stderr: \(outcome.error)")
    }

    @Test func countdownProblemsAreDeterministicForASeed() throws {
        let arguments = ["countdown", "generate", "--numbers", "4", "--count", "5", "--seed", "11"]
        let first = try BraidProcess.run(arguments), second = try BraidProcess.run(arguments)
        #expect(first.status == 0, "stderr: \(first.error)")
        #expect(first.output == second.output)
        #expect(first.output.split(separator: "\n").count == 5)
    }
}
