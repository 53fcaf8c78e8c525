import Foundation
import Testing

/// The Countdown models shipped in `Models/countdown/` (made by `Training/train.py`), loaded by name and run
/// through their graphs as a user would. (How well they solve Countdown is measured in Docs/results.md, not
/// asserted here.)
@Suite(.serialized) struct ShippedModelTests {
    /// The first `count` held-out problems behind Docs/results.md, as (numbers, target) graph inputs.
    static func heldOut(_ count: Int) throws -> [(numbers: String, target: String)] {
        let url = BraidProcess.repository.appendingPathComponent("Docs/results/heldout-cd3.jsonl")
        let lines = try String(contentsOf: url, encoding: .utf8).split(separator: "\n").prefix(count)
        return try lines.map { line in
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            let numbers = try #require(object["numbers"] as? [Int]), target = try #require(object["target"] as? Int)
            return (numbers.map(String.init).joined(separator: ", "), String(target))
        }
    }

    /// The events of a trace file, as JSON objects.
    static func events(_ path: String) throws -> [[String: Any]] {
        try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map { line in
            try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        }
    }

    @Test func aBareNameLoadsTheShippedModel() throws {
        let info = try BraidProcess.run(["model", "info", "countdown-apr"])
        #expect(info.status == 0, "\(info.error)")
        #expect(info.output.contains("llama"))
        let missing = try BraidProcess.run(["model", "info", "countdown-nonesuch"])
        #expect(missing.status == 1)
        #expect(missing.error.contains("no model named 'countdown-nonesuch'"))
        #expect(missing.error.contains("countdown-apr"))
    }

    @Test func theTokenizerKeepsTheTraceGrammarWhole() throws {
        // The phrase tokens of Training/braid_train/vocab.py are user-defined tokens: one id each, found
        // leftmost-longest; everything else is one id per character (ids 1... for "\n", " ", "!", ...).
        let text = "Current State: 10:[2, 7], Operations: []\n<Calling Sub Searches>"
        let outcome = try BraidProcess.run(["tokenize", "--model", "countdown-apr", text])
        #expect(outcome.status == 0, "\(outcome.error)")
        let ids = outcome.output.filter { !"[] \n".contains($0) }.split(separator: ",").compactMap { Int($0) }
        // "Current State: " + "1" "0" ":" "[" "2" "," " " "7" "]" + ", Operations: [" + "]" "\n" + "<Calling Sub Searches>"
        #expect(ids.count == 1 + 9 + 1 + 2 + 1, "\(ids)")
        let back = try BraidProcess.run(["tokenize", "--model", "countdown-apr", "--decode", outcome.output])
        #expect(back.output.trimmingCharacters(in: .newlines) == text)
    }

    @Test func theShippedModelsRunThroughTheirGraphs() throws {
        for problem in try Self.heldOut(3) {
            let trace = try BraidProcess.temporaryFolder() + "/apr.jsonl"
            let apr = try BraidProcess.run(["run", "Graphs/countdown-apr.yaml", "--model", "countdown-apr", "--threads", "1",
                                            "--input", "numbers=\(problem.numbers)", "--input", "target=\(problem.target)",
                                            "--json", "-q", "--trace", trace])
            #expect(apr.status == 0, "\(apr.error)")
            let events = try Self.events(trace)
            let spawns = events.filter { $0["event"] as? String == "spawn" }.count
            #expect(spawns == events.filter { $0["event"] as? String == "join" }.count, "every spawn is joined back")
            let seq = try BraidProcess.run(["run", "Graphs/countdown-seq.yaml", "--model", "countdown-seq",
                                            "--threads", "1", "--input", "numbers=\(problem.numbers)",
                                            "--input", "target=\(problem.target)", "--json", "-q"])
            #expect(seq.status == 0, "\(seq.error)")
            let json = try #require(try JSONSerialization.jsonObject(with: Data(seq.output.utf8)) as? [String: Any])
            let text = try #require(json["finalText"] as? String)
            #expect(text.contains("Exploring Operation: "), "the model writes the SoS+ search grammar")
            #expect(!text.contains("<Calling Sub Searches>"), "the sequential model never spawns")
        }
    }

    @Test func theParaThinkerModelRunsItsPathsAndSummary() throws {
        // Two paths opened by the graph's <think1>/<think2> at shared positions with thought indices 1 and 2
        // (the model has nine rows of thought embeddings per layer, indices 0...8), then the summary over both.
        let info = try BraidProcess.run(["model", "info", "--tensors", "countdown-parathinker"])
        #expect(info.status == 0, "\(info.error)")
        #expect(info.output.contains("blk.3.thought_embd  F32  [32, 9]"), "\(info.output)")
        let problem = try #require(try Self.heldOut(1).first)
        let run = try BraidProcess.run(["run", "Graphs/countdown-parathinker.yaml", "--model", "countdown-parathinker",
                                        "--threads", "1", "--set", "paths=2", "--set", "path_tokens=120",
                                        "--input", "numbers=\(problem.numbers)", "--input", "target=\(problem.target)",
                                        "--json", "-q"])
        #expect(run.status == 0, "\(run.error)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(run.output.utf8)) as? [String: Any])
        let threads = try #require(json["threads"] as? [[String: Any]])
        let paths = threads.filter { ($0["name"] as? String)?.hasPrefix("think[") == true }
        #expect(paths.count == 2)
        for (i, path) in paths.enumerated() {
            let segment = try #require((path["segments"] as? [[String: Any]])?.first)
            let text = try #require(segment["text"] as? String)
            #expect(text.hasPrefix("<think\(i + 1)>Exploring Operation: "), "each path writes a search: \(text.prefix(80))")
        }
        let summary = try #require((json["outputs"] as? [String: String])?["summary"])
        #expect(summary.hasPrefix("<summary>By analyzing multiple reasoning processes above"))
    }

    /// PyTorch's logits of the shipped ParaThinker model under ParaThinker's two-phase layout (three paths
    /// at shared positions with thought indices 1, 2 and 7, a summary seeing them all), written by
    /// `Training/check_export.py --parathinker --model Models/countdown/countdown-parathinker.gguf --fixture`
    /// after that script checked the layout equals `braid mask Graphs/countdown-parathinker.yaml`.
    @Test func theParaThinkerExportMatchesPyTorchUnderTheTwoPhaseMask() throws {
        let url = BraidProcess.repository.appendingPathComponent("Tests/Fixtures/countdown/parathinker-logits.json")
        let fixture = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        let tolerance = try #require(fixture["tolerance"] as? Double)
        let layout = try JSONSerialization.data(withJSONObject: try #require(fixture["layout"]))
        let path = try BraidProcess.temporaryFile(String(decoding: layout, as: UTF8.self), name: "layout.json")
        let outcome = try BraidProcess.run(["logits", "--model", "countdown-parathinker", "--layout", path,
                                            "--top-k", "140", "--threads", "1"])
        #expect(outcome.status == 0, "\(outcome.error)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(outcome.output.utf8)) as? [String: Any])
        let tokens = try #require(report["tokens"] as? [[String: Any]])
        let expected = try #require(fixture["logits"] as? [[String: Any]])
        try #require(tokens.count == expected.count)
        var worst = 0.0
        for (got, want) in zip(tokens, expected) {
            let logits = Dictionary(uniqueKeysWithValues: try #require(got["top"] as? [[String: Any]]).compactMap { c in
                (c["id"] as? Int).flatMap { id in (c["logit"] as? Double).map { (id, $0) } }
            })
            for candidate in try #require(want["top"] as? [[String: Any]]) {
                let id = try #require(candidate["id"] as? Int), logit = try #require(candidate["logit"] as? Double)
                worst = max(worst, abs(try #require(logits[id]) - logit))
            }
        }
        #expect(worst <= tolerance, "largest logit difference \(worst)")
    }
}
