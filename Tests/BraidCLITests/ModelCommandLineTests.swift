import Foundation
import Testing

/// `braid generate` and `braid logits` end to end, checked against the HF reference
/// (`../shared/fixtures/smollm2/reference.json`: HF transformers, float32, on the same GGUF).
@Suite struct ModelCommandLineTests {
    static func reference() throws -> [String: Any] {
        let url = BraidProcess.repository.deletingLastPathComponent()
            .appendingPathComponent("shared/fixtures/smollm2/reference.json")
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw BraidProcess.Missing(what: "reference fixture at \(url.path)")
        }
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    @Test func generateWithIdsReproducesTheReferenceGreedyContinuation() throws {
        let greedy = try #require(try Self.reference()["greedy"] as? [[String: Any]])
        let entry = try #require(greedy.first)
        let prompt = try #require(entry["prompt_ids"] as? [Int])
        let expected = try #require(entry["greedy_ids"] as? [Int])
        let outcome = try BraidProcess.run(["generate", "--ids", "--max-tokens", "\(expected.count)",
                                            "\(prompt)"])
        #expect(outcome.status == 0, "stderr: \(outcome.error)")
        let ids = try JSONSerialization.jsonObject(with: Data(outcome.output.utf8)) as? [Int]
        // The reference stops at <|im_end|> (id 2); braid stops there too, so compare the common length.
        let produced = try #require(ids, "not a JSON id array: \(outcome.output.prefix(200))")
        // It may leave out the final end-of-generation token, nothing more.
        #expect(produced.count >= expected.count - 1, "produced \(produced), expected \(expected)")
        #expect(Array(produced.prefix(expected.count)) == Array(expected.prefix(produced.count)))
    }

    @Test func activationsQ8IsAnOptInWithOneMeaning() throws {
        let greedy = try #require(try Self.reference()["greedy"] as? [[String: Any]])
        let entry = try #require(greedy.first)
        let prompt = try #require(entry["prompt_ids"] as? [Int])
        let expected = try #require(entry["greedy_ids"] as? [Int])
        let q8 = try BraidProcess.run(["generate", "--ids", "--max-tokens", "4", "--activations", "q8", "\(prompt)"])
        #expect(q8.status == 0, "stderr: \(q8.error)")
        let ids = try JSONSerialization.jsonObject(with: Data(q8.output.utf8)) as? [Int]
        // The reference's first token leads its runner-up by far more than q8's rounding moves a logit.
        #expect(ids?.first == expected.first, "q8 produced \(ids ?? [])")
        let unknown = try BraidProcess.run(["generate", "--activations", "q4", "Hi"])
        #expect(unknown.status == 2)
        #expect(unknown.error.contains("q4"), "stderr: \(unknown.error)")
        let served = try BraidProcess.run(["run", "Graphs/sequential.yaml", "--backend", "http://127.0.0.1:9",
                                           "--activations", "q8"])
        #expect(served.status == 2)
        #expect(served.error.contains("--activations applies to Braid's own transformer"), "stderr: \(served.error)")
    }

    @Test func kvTypeF16IsAnOptInWithOneMeaning() throws {
        let greedy = try #require(try Self.reference()["greedy"] as? [[String: Any]])
        let entry = try #require(greedy.first)
        let prompt = try #require(entry["prompt_ids"] as? [Int])
        let expected = try #require(entry["greedy_ids"] as? [Int])
        let f16 = try BraidProcess.run(["generate", "--ids", "--max-tokens", "\(expected.count)", "--kv-type", "f16",
                                        "\(prompt)"])
        #expect(f16.status == 0, "stderr: \(f16.error)")
        let ids = try #require(try JSONSerialization.jsonObject(with: Data(f16.output.utf8)) as? [Int])
        // Rounding keys and values to binary16 moves logits by ~1e-2; this prompt's greedy margins are wider.
        #expect(Array(ids.prefix(expected.count)) == Array(expected.prefix(ids.count)), "f16 KV produced \(ids)")
        let unknown = try BraidProcess.run(["generate", "--kv-type", "q4", "Hi"])
        #expect(unknown.status == 2)
        #expect(unknown.error.contains("q4"), "stderr: \(unknown.error)")
        let served = try BraidProcess.run(["run", "Graphs/sequential.yaml", "--backend", "http://127.0.0.1:9",
                                           "--kv-type", "f16"])
        #expect(served.status == 2)
        #expect(served.error.contains("--kv-type applies to Braid's own transformer"), "stderr: \(served.error)")
    }

    @Test func logitsOnTheMaskedLayoutMatchTheReferenceTopOne() throws {
        let layouts = try #require(try Self.reference()["masked_layouts"] as? [[String: Any]])
        let rows = try #require(layouts.first?["top5_per_token"] as? [[String: Any]])
        let outcome = try BraidProcess.run(["logits", "--layout", "Examples/masked-layout.json", "--top-k", "5"])
        #expect(outcome.status == 0, "stderr: \(outcome.error)")
        let object = try JSONSerialization.jsonObject(with: Data(outcome.output.utf8)) as? [String: Any]
        let tokens = try #require(object?["tokens"] as? [[String: Any]])
        #expect(tokens.count == rows.count)
        for (token, row) in zip(tokens, rows) {
            let top = try #require(token["top"] as? [[String: Any]])
            let referenceIDs = try #require(row["ids"] as? [Int])
            let referenceLogits = try #require(row["logits"] as? [Double])
            #expect(top.first?["id"] as? Int == referenceIDs.first, "token \(token["index"] ?? "?")")
            // Tolerance 1e-2 on the top-1 logit, as for the library's own reference tests.
            let logit = try #require(top.first?["logit"] as? Double)
            #expect(abs(logit - referenceLogits[0]) < 1e-2, "token \(token["index"] ?? "?"): \(logit) vs \(referenceLogits[0])")
        }
    }

    @Test func aLayoutThatIsNotJSONIsInvalidInput() throws {
        let path = try BraidProcess.temporaryFile("{ not json", name: "layout.json")
        let outcome = try BraidProcess.run(["logits", "--layout", path])
        #expect(outcome.status == 1, "stderr: \(outcome.error)")
        #expect(outcome.error.hasPrefix("\(path): not a layout file: "), "stderr: \(outcome.error)")
    }

    /// Hostile layouts, each with the message that must follow the file's path on stderr.
    static let hostileLayouts: [(String, String)] = [
        (#"{"segments": [{"name": "p"}], "tokens": [{"segment": "p", "id": 49152}]}"#,
         "token 0 (segment 'p'): id 49152 is outside the model's vocabulary 0..<49152"),
        (#"{"segments": [{"name": "p"}], "tokens": [{"segment": "p", "id": 1}, {"segment": "p", "id": -7}]}"#,
         "token 1 (segment 'p'): id -7 is outside the model's vocabulary 0..<49152"),
        (#"{"segments": [{"name": "p"}], "tokens": [{"segment": "p", "id": 1, "position": 9223372036854775807}]}"#,
         "tokens[0]: position 9223372036854775807 is too large (the position after it would overflow)"),
        (#"{"segments": [{"name": "p", "start": 9223372036854775806}], "tokens": [{"segment": "p", "text": "Hello world"}]}"#,
         "tokens[0]: position 9223372036854775807 is too large (the position after it would overflow)"),
        (#"{"segments": [{"name": "a", "sees": ["b"]}, {"name": "b", "sees": ["a"]}], "tokens": [{"segment": "a", "id": 1}]}"#,
         "segments see each other in a cycle ('a' sees 'b' sees 'a'); a segment must be writable after everything it sees"),
        (#"{"segments": [{"name": "p"}], "tokens": []}"#, "the layout has no tokens: 'tokens' is empty"),
        (#"{"segments": [{"name": "p", "thought": -1}], "tokens": [{"segment": "p", "id": 1}]}"#, "segment 'p': thought -1 is negative"),
    ]

    @Test(arguments: hostileLayouts)
    func aHostileLayoutIsInvalidInputNamingWhatIsWrong(layout: String, message: String) throws {
        let path = try BraidProcess.temporaryFile(layout, name: "layout.json")
        let outcome = try BraidProcess.run(["logits", "--layout", path])
        #expect(outcome.status == 1, "stderr: \(outcome.error)")
        #expect(outcome.error == "\(path): \(message)\n")
        #expect(outcome.output.isEmpty)
    }

    @Test func thoughtIndicesOnAModelWithoutThoughtEmbeddingsAreIgnoredWithANote() throws {
        let layout = #"{"segments": [{"name": "p"}, {"name": "a", "thought": 3, "sees": ["p"]}], "tokens": [{"segment": "p", "id": 1}, {"segment": "a", "id": 2}]}"#
        let plain = #"{"segments": [{"name": "p"}, {"name": "a", "sees": ["p"]}], "tokens": [{"segment": "p", "id": 1}, {"segment": "a", "id": 2}]}"#
        let with = try BraidProcess.run(["logits", "--layout", try BraidProcess.temporaryFile(layout, name: "layout.json")])
        let without = try BraidProcess.run(["logits", "--layout", try BraidProcess.temporaryFile(plain, name: "layout.json")])
        #expect(with.status == 0 && without.status == 0, "stderr: \(with.error) \(without.error)")
        #expect(with.error == "note: the model has no thought embeddings; the thought indices of 'a' are ignored\n")
        #expect(without.error.isEmpty, "stderr: \(without.error)")
        #expect(with.output == without.output, "SmolLM2 has no thought embeddings: the logits are the same")
    }
}
