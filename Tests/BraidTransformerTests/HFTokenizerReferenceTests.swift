import Foundation
import Testing
@testable import BraidTransformer

/// Tokenizers read from Hugging Face files give the ids of the reference libraries. The fixtures
/// (`Tests/Fixtures/hf/`) were written by `make_tokenizers.py` with the `tokenizers` and `sentencepiece`
/// packages: small vocabularies trained on random text, and those libraries' ids for 3,008 random strings
/// mixing words, digits, contractions, CJK, emoji, combining accents, whitespace runs and added tokens.
@Suite struct HFTokenizerReferenceTests {
    static let folder = TokenizerFixtures.repositoryRoot.appendingPathComponent("Tests/Fixtures/hf")

    static func reference() throws -> [String: Any] {
        let data = try Data(contentsOf: folder.appendingPathComponent("tokenizer-ids.json"))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    /// Every string's ids equal the reference's; returns how many strings were compared.
    static func compare(_ tokenizer: Tokenizer, _ key: String) throws -> Int {
        let json = try reference()
        let strings = try #require(json["strings"] as? [String])
        let expected = try #require(json[key] as? [[Int]])
        try #require(strings.count == expected.count && strings.count > 3000)
        var mismatches: [String] = []
        for (text, ids) in zip(strings, expected) {
            var got = tokenizer.encode(text)
            if tokenizer.addsBOS, let bos = tokenizer.bosID, got.first == bos { got.removeFirst() }
            if got != ids.map({ Int32($0) }) {
                mismatches.append("\(text.debugDescription): \(got) != \(ids)")
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches.count) mismatches, first: \(mismatches.prefix(3))")
        return strings.count
    }

    @Test func qwen2TokenizerJSONMatchesHFTokenizers() throws {
        let tokenizer = try Tokenizer(huggingFaceFolder: Self.folder.appendingPathComponent("qwen2-tok"))
        #expect(tokenizer.preTokenizer == .qwen2)
        #expect(!tokenizer.isSentencePiece)
        #expect(try Self.compare(tokenizer, "qwen2") > 3000)
    }

    @Test func llama3TokenizerJSONMatchesHFTokenizers() throws {
        let tokenizer = try Tokenizer(huggingFaceFolder: Self.folder.appendingPathComponent("llama3-tok"))
        #expect(tokenizer.preTokenizer == .llamaBPE)
        #expect(try Self.compare(tokenizer, "llama3") > 3000)
    }

    @Test func llama2TokenizerJSONMatchesHFTokenizers() throws {
        let tokenizer = try Tokenizer(huggingFaceFolder: Self.folder.appendingPathComponent("llama2-tok"))
        #expect(tokenizer.isSentencePiece)
        #expect(try Self.compare(tokenizer, "llama2") > 3000)
    }

    @Test func sentencePieceModelMatchesSentencePiece() throws {
        let data = try Data(contentsOf: Self.folder.appendingPathComponent("llama2-tok/tokenizer.model"))
        let tokenizer = try Tokenizer(sentencePieceModel: data)
        #expect(tokenizer.addsBOS && tokenizer.bosID == 1 && tokenizer.eosID == 2)
        #expect(try Self.compare(tokenizer, "sentencepiece") > 3000)
    }

    @Test func decodingGivesTheTextBack() throws {
        let texts = ["Hello  world 2026", "東京 😀 café\n\tx", " leading space", "don't"]
        for name in ["qwen2-tok", "llama3-tok", "llama2-tok"] {
            let tokenizer = try Tokenizer(huggingFaceFolder: Self.folder.appendingPathComponent(name))
            // SentencePiece decoders drop the leading space of the text (HF `Strip`, as `sentencepiece` does).
            for text in texts where !(tokenizer.isSentencePiece && text.hasPrefix(" ")) {
                #expect(tokenizer.decode(tokenizer.encode(text), skipControlTokens: true) == text, "\(name): \(text)")
                var stream = StreamingDecoder(tokenizer: tokenizer, skipControlTokens: true)
                let streamed = tokenizer.encode(text).map { stream.feed($0) }.joined() + stream.finish()
                #expect(streamed == text, "\(name) streamed: \(text)")
            }
        }
    }
}
