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

    @Test func aMemoryLimitTooSmallForThePromptFailsCleanly() throws {
        let outcome = try BraidProcess.run(Self.small + ["--memory-limit", "100KB"])
        #expect(outcome.status != 0)
        #expect(outcome.status != 2, "a memory limit that can't fit is not a usage error")
        #expect(outcome.error.lowercased().contains("limit"), "stderr: \(outcome.error)")
    }

    @Test func countdownProblemsAreDeterministicForASeed() throws {
        let arguments = ["countdown", "generate", "--numbers", "4", "--count", "5", "--seed", "11"]
        let first = try BraidProcess.run(arguments), second = try BraidProcess.run(arguments)
        #expect(first.status == 0, "stderr: \(first.error)")
        #expect(first.output == second.output)
        #expect(first.output.split(separator: "\n").count == 5)
    }
}
