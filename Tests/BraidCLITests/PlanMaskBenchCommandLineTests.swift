import Foundation
import Testing

/// `braid plan`, `braid mask` and `braid bench` end to end through the binary: what they print, what they
/// write, and their exit codes (0 ok, 1 invalid input, 2 usage, 3 run failure).
@Suite struct PlanMaskBenchCommandLineTests {
    static let parathinker = ["Graphs/parathinker.yaml", "--set", "paths=2"]

    @Test func planPrintsTheSegmentsOfEveryPathAsJSON() throws {
        let outcome = try BraidProcess.run(["plan"] + Self.parathinker + ["--format", "json"])
        #expect(outcome.status == 0, "stderr: \(outcome.error)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(outcome.output.utf8)) as? [String: Any])
        let plan = try #require(object["plan"] as? [String: Any] ?? object, "\(outcome.output.prefix(300))")
        let segments = try #require(plan["segments"] as? [[String: Any]], "no segments in \(outcome.output.prefix(300))")
        let ids = segments.compactMap { $0["id"] as? String }
        #expect(ids.contains("prompt") && ids.contains("think[0]") && ids.contains("think[1]") && ids.contains("summary"), "\(ids)")
        #expect(!ids.contains("think[2]"), "paths=2 has two paths: \(ids)")
    }

    @Test func planRefusesAPlanOverTheMemoryLimitNamingTheStage() throws {
        let outcome = try BraidProcess.run(["plan"] + Self.parathinker + ["--memory-limit", "1KB"])
        #expect(outcome.status == 1, "stderr: \(outcome.error)")
        #expect(outcome.error.contains("refused: stage '"), "stderr: \(outcome.error)")
        #expect(outcome.error.contains("over the memory limit of 1 KB") || outcome.error.contains("over the memory limit of 1.0 KB"),
                "stderr: \(outcome.error)")
        #expect(!outcome.output.isEmpty, "the plan is printed before it is refused")
    }

    @Test func planUsageErrorsExitTwo() throws {
        let format = try BraidProcess.run(["plan"] + Self.parathinker + ["--format", "xml"])
        #expect(format.status == 2)
        #expect(format.error.contains("--format must be text, json or dot, got 'xml'"), "stderr: \(format.error)")
        let memory = try BraidProcess.run(["plan"] + Self.parathinker + ["--memory-limit", "lots"])
        #expect(memory.status == 2)
        #expect(memory.error.contains("--memory-limit expects a size such as 512MB or 2GB, got 'lots'"), "stderr: \(memory.error)")
        let kv = try BraidProcess.run(["plan"] + Self.parathinker + ["--kv-type", "f8"])
        #expect(kv.status == 2)
        #expect(kv.error.contains("f8"), "stderr: \(kv.error)")
    }

    @Test func planCountsTheKVElementTypeAsRunDoes() throws {
        var perToken: [String: Int] = [:]
        for (flag, type) in [("--kv-type", "f32"), ("--kv-type", "f16"), ("--kv", "f16")] {
            let outcome = try BraidProcess.run(["plan"] + Self.parathinker + ["--format", "json", flag, type])
            #expect(outcome.status == 0, "stderr: \(outcome.error)")
            let object = try #require(try JSONSerialization.jsonObject(with: Data(outcome.output.utf8)) as? [String: Any])
            let bounds = try #require(object["bounds"] as? [String: Any], "\(outcome.output.prefix(300))")
            perToken[flag + " " + type] = bounds["kvBytesPerToken"] as? Int
        }
        #expect(perToken["--kv-type f32"] == 30 * 3 * 64 * 2 * 4)
        #expect(perToken["--kv-type f16"] == 30 * 3 * 64 * 2 * 2)
        #expect(perToken["--kv f16"] == perToken["--kv-type f16"], "the older spelling means the same")
    }
}

/// `braid mask`: the token-level mask and positions of a plan, and its refusals.
@Suite struct MaskCommandLineTests {
    @Test func maskOfTwoPathsIsolatesThePathsAndLetsTheSummarySeeAll() throws {
        let outcome = try BraidProcess.run(["mask"] + PlanMaskBenchCommandLineTests.parathinker
                                           + ["--lengths", "prompt=3,think=2,summary=2", "--format", "json"])
        #expect(outcome.status == 0, "stderr: \(outcome.error)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(outcome.output.utf8)) as? [String: Any])
        let tokens = try #require(object["tokens"] as? [[String: Any]])
        let mask = try #require(object["mask"] as? [[Int]])
        #expect(tokens.compactMap { $0["segment"] as? String }
                == ["prompt", "prompt", "prompt", "think[0]", "think[0]", "think[1]", "think[1]", "summary", "summary"])
        // Both paths start at the prompt's end; the summary after the longest path.
        #expect(tokens.compactMap { $0["position"] as? Int } == [0, 1, 2, 3, 4, 3, 4, 5, 6])
        // Row = query, column = key: paths see the prompt and themselves causally, not each other.
        #expect(mask == [
            [1, 0, 0, 0, 0, 0, 0, 0, 0],
            [1, 1, 0, 0, 0, 0, 0, 0, 0],
            [1, 1, 1, 0, 0, 0, 0, 0, 0],
            [1, 1, 1, 1, 0, 0, 0, 0, 0],
            [1, 1, 1, 1, 1, 0, 0, 0, 0],
            [1, 1, 1, 0, 0, 1, 0, 0, 0],
            [1, 1, 1, 0, 0, 1, 1, 0, 0],
            [1, 1, 1, 1, 1, 1, 1, 1, 0],
            [1, 1, 1, 1, 1, 1, 1, 1, 1],
        ])
    }

    @Test func aMissingLengthIsInvalidInputNamingTheSegmentAndTheFix() throws {
        let summary = try BraidProcess.run(["mask"] + PlanMaskBenchCommandLineTests.parathinker + ["--lengths", "prompt=3,think=2"])
        #expect(summary.status == 1)
        #expect(summary.error == "error: segment 'summary': no length given; add summary=N to --lengths\n", "stderr: \(summary.error)")
        let path = try BraidProcess.run(["mask"] + PlanMaskBenchCommandLineTests.parathinker + ["--lengths", "prompt=3,summary=2"])
        #expect(path.status == 1)
        #expect(path.error == "error: segment 'think[0]': no length given; add think[0]=N or think=N to --lengths\n", "stderr: \(path.error)")
    }

    @Test func aFileThatCannotBeWrittenIsARunFailure() throws {
        // A path under a regular file: not writable, even for root.
        let file = try BraidProcess.temporaryFile("not a folder", name: "plain")
        let outcome = try BraidProcess.run(["mask"] + PlanMaskBenchCommandLineTests.parathinker
                                           + ["--lengths", "prompt=3,think=2,summary=2", "--format", "svg", "--out", file + "/mask.svg"])
        #expect(outcome.status == 3, "stderr: \(outcome.error)")
        #expect(outcome.error.hasPrefix("error: can't write \(file)/mask.svg"), "stderr: \(outcome.error)")
    }

    @Test func usageErrorsExitTwo() throws {
        let png = try BraidProcess.run(["mask"] + PlanMaskBenchCommandLineTests.parathinker + ["--lengths", "prompt=3", "--format", "png"])
        #expect(png.status == 2)
        #expect(png.error.contains("--format png needs --out FILE"), "stderr: \(png.error)")
        #expect(try BraidProcess.run(["mask", "Graphs/parathinker.yaml"]).status == 2, "--lengths is required")
    }
}

/// `braid bench`: tiny settings, checked for what the report must hold (never for speed).
@Suite struct BenchCommandLineTests {
    static func json(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], "not JSON: \(text.prefix(300))")
    }

    @Test func benchTransformerReportsEveryStreamCountItWasAskedFor() throws {
        let outcome = try BraidProcess.run(["bench", "transformer", "--prompt-tokens", "8", "--decode-steps", "2", "--repeats", "1",
                                            "--streams", "2", "--threads", "1", "--json", "-q"])
        #expect(outcome.status == 0, "stderr: \(outcome.error)")
        let report = try Self.json(outcome.output)
        #expect(report["promptTokens"] as? Int == 8 && report["decodeSteps"] as? Int == 2 && report["repeats"] as? Int == 1)
        #expect(report["kvBytesPerToken"] as? Int == 30 * 3 * 64 * 2 * 4, "SmolLM2: 30 layers × 3 KV heads × 64, K and V, f32")
        let decode = try #require(report["decode"] as? [[String: Any]])
        #expect(decode.compactMap { $0["streams"] as? Int } == [1, 2], "1 stream is always measured, then each --streams count")
        for row in decode {
            let rate = try #require((row["tokensPerSecond"] as? [String: Any])?["values"] as? [Double])
            #expect(rate.count == 1 && rate.allSatisfy { $0 > 0 && $0.isFinite }, "\(row)")
        }
    }

    @Test func benchGraphWritesExactlyTheBudgetsAtEveryPathCount() throws {
        let outcome = try BraidProcess.run(["bench", "graph", "Graphs/parathinker.yaml", "--paths", "1,2", "--tokens", "4",
                                            "--summary-tokens", "2", "--repeats", "1", "--json", "-q"])
        #expect(outcome.status == 0, "stderr: \(outcome.error)")
        let rows = try #require(try Self.json(outcome.output)["rows"] as? [[String: Any]])
        #expect(rows.compactMap { $0["paths"] as? Int } == [1, 2])
        // Every path writes exactly --tokens and the summary --summary-tokens: P × 4 + 2 sampled tokens.
        #expect(rows.compactMap { $0["sampled"] as? Int } == [6, 10])
        #expect(rows.allSatisfy { $0["budgetsHeld"] as? Bool == true })
        let kv = rows.compactMap { $0["peakKVBytes"] as? Int }
        #expect(kv.count == 2 && kv[0] < kv[1], "a second path holds more KV: \(kv)")
    }

    @Test func benchRefusalsExitWithTheirCodes() throws {
        let zero = try BraidProcess.run(["bench", "transformer", "--repeats", "0"])
        #expect(zero.status == 2)
        #expect(zero.error.contains("--repeats must be positive, got 0"), "stderr: \(zero.error)")
        let file = try BraidProcess.temporaryFile("not a folder", name: "plain")
        let unwritable = try BraidProcess.run(["bench", "transformer", "--prompt-tokens", "4", "--decode-steps", "1", "--repeats", "1",
                                               "--streams", "2", "--threads", "1", "-q", "--json-file", file + "/report.json"])
        #expect(unwritable.status == 3, "stderr: \(unwritable.error)")
        #expect(unwritable.error.contains("cannot write \(file)/report.json"), "stderr: \(unwritable.error)")
    }
}
