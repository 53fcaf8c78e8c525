import Foundation
import Testing

/// Every command that runs a graph refuses a plan that can't fit before decoding, with the same message
/// (issue 9, item 2): the check lives in `BraidSession`, not in one command.
@Suite("preflight: run, eval and bench graph refuse alike (command line)", .serialized)
struct PreflightCommandLineTests {
    /// The line of stderr that says why the plan was refused, from "refused before running:" on.
    static func refusal(_ outcome: BraidProcess.Outcome) -> String? {
        guard let line = outcome.error.split(separator: "\n").first(where: { $0.contains("refused before running:") }),
              let start = line.range(of: "refused before running:") else { return nil }
        return String(line[start.lowerBound...])
    }

    static let run = ["run", "Graphs/parathinker.yaml", "--question", "What is 7+8?", "-q"]
    static let eval = ["eval", "Graphs/parathinker.yaml", "--n", "1", "-q"]

    @Test("a path budget past the context window: the same refusal from run, eval and bench graph, naming think[0]")
    func contextWindow() throws {
        let outcomes = [
            try BraidProcess.run(Self.run + ["--set", "path_tokens=9000"]),
            try BraidProcess.run(Self.eval + ["--set", "path_tokens=9000"]),
            try BraidProcess.run(["bench", "graph", "Graphs/parathinker.yaml", "--paths", "1", "--tokens", "9000",
                                  "--question", "What is 7+8?", "--repeats", "1", "-q"]),
        ]
        for outcome in outcomes {
            #expect(outcome.status == 1, "stderr: \(outcome.error)")
            #expect(!outcome.error.contains("repeat 1/1"), "bench graph ran before refusing: \(outcome.error)")
        }
        let messages = outcomes.map(Self.refusal)
        let first = try #require(messages[0], "stderr: \(outcomes[0].error)")
        #expect(first.contains("segment 'think[0]' can reach 9008 tokens, over the model's context window of 8192"))
        #expect(messages.allSatisfy { $0 == first }, "\(messages)")
    }

    @Test("paths whose budgets are over --memory-limit: the same refusal from run and eval, naming think[0]")
    func memoryLimit() throws {
        let outcomes = [try BraidProcess.run(Self.run + ["--memory-limit", "16MB"]),
                        try BraidProcess.run(Self.eval + ["--memory-limit", "16MB"])]
        for outcome in outcomes { #expect(outcome.status == 1, "stderr: \(outcome.error)") }
        let messages = outcomes.map(Self.refusal)
        let first = try #require(messages[0], "stderr: \(outcomes[0].error)")
        #expect(first.contains("stage 'think' needs 45 MB of KV cache while writing segment 'think[0]', over the memory limit of 16 MB"))
        #expect(messages[1] == first)
    }

    @Test("a hundred thousand paths are refused, naming the paths' stage and the terabyte they need")
    func hundredThousandPaths() throws {
        let outcome = try BraidProcess.run(Self.run + ["--set", "paths=100000", "--memory-limit", "64GB"])
        #expect(outcome.status == 1, "stderr: \(outcome.error)")
        let message = try #require(Self.refusal(outcome), "stderr: \(outcome.error)")
        #expect(message.contains("stage 'think' needs 1.1 TB of KV cache while writing segment 'think[0]'"))
    }

    @Test("ten thousand one-token paths fit the memory, but the summary's view can't fit the context window")
    func summaryView() throws {
        let outcomes = [try BraidProcess.run(Self.run + ["--set", "paths=10000", "--set", "path_tokens=1"]),
                        try BraidProcess.run(Self.eval + ["--set", "paths=10000", "--set", "path_tokens=1"])]
        for outcome in outcomes { #expect(outcome.status == 1, "stderr: \(outcome.error)") }
        let messages = outcomes.map(Self.refusal)
        let first = try #require(messages[0], "stderr: \(outcomes[0].error)")
        #expect(first.contains("segment 'summary' can reach") && first.contains("its view"))
        #expect(messages[1] == first)
    }
}
