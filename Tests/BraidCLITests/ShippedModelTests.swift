import Foundation
import Testing

/// The Countdown models shipped in `Models/countdown/` (made by `Training/train.py`), loaded by name and run
/// through their graphs as a user would. (How well they solve Countdown is measured in Docs/results.md, not
/// asserted here: the shipped models solve none of the held-out problems.)
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
}
