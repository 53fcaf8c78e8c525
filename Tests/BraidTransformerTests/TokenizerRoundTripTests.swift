import BraidRandom
import Foundation
import Testing
@testable import BraidTransformer

/// Decoding inverts encoding, streaming never emits half a character, and long inputs stay fast.
@Suite struct TokenizerRoundTripTests {
    /// Random text drawn from every plane's kinds of scalars: ASCII, Latin, combining marks, CJK, emoji with
    /// modifiers, unusual whitespace, other-script digits, and control-token text.
    /// - Parameter excluding: bytes no scalar of the text may contain in its UTF-8 form.
    static func randomText(_ rng: inout SplitMix64, excluding: Set<UInt8>) -> String {
        let fragments = ["a", "Z", "7", " ", "  ", "\t", "\n", "\r\n", "'s", "'LL", ".", "?!", "é", "e\u{301}",
                         "ß", "Ж", "東京", "🚀", "👍🏽", "👨‍👩‍👧", "\u{A0}", "\u{3000}", "\u{2028}", "٣", "²",
                         "<|im_start|>", "<|im_end|>", "<think1>", "\u{0}", "\u{7F}", "\u{FEFF}"]
        var text = ""
        for _ in 0..<Int.random(in: 0...24, using: &rng) {
            if Bool.random(using: &rng) {
                text += fragments[Int.random(in: 0..<fragments.count, using: &rng)]
            } else {
                // Any scalar at all (surrogates are not scalars and are skipped).
                let value = UInt32.random(in: 0...0x10FFFF, using: &rng)
                if let scalar = Unicode.Scalar(value), !String(scalar).utf8.contains(where: excluding.contains) {
                    text.unicodeScalars.append(scalar)
                }
            }
        }
        return text
    }

    @Test func randomUnicodeTextRoundTrips() throws {
        let tokenizer = try TokenizerFixtures.tokenizer()
        var rng = SplitMix64(seed: 2026)
        // Text made only of bytes the vocabulary has: everything else is dropped (tested below).
        let missing = Set(tokenizer.bytesWithoutToken)
        for _ in 0..<2000 {
            let text = Self.randomText(&rng, excluding: missing)
            let ids = tokenizer.encode(text)
            #expect(ids.allSatisfy { $0 >= 0 && Int($0) < tokenizer.vocabularySize })
            // Compare scalars, not `String ==`, which would accept a canonically equivalent result.
            #expect(Array(tokenizer.decode(ids).unicodeScalars) == Array(text.unicodeScalars),
                    "round trip of \(text.debugDescription)")
        }
    }

    @Test func bytesWithoutATokenAreDroppedLikeHFTokenizersDoes() throws {
        let tokenizer = try TokenizerFixtures.tokenizer()
        for byte in tokenizer.bytesWithoutToken where byte < 0x80 {
            let text = "a" + String(Unicode.Scalar(byte)) + "b"
            #expect(tokenizer.decode(tokenizer.encode(text)) == "ab")
        }
        // Every byte of ASCII letters, digits and punctuation has a token.
        #expect(!tokenizer.bytesWithoutToken.contains { (0x20...0x7E).contains($0) })
    }

    @Test func streamingHoldsBackAnEmojiUntilItsLastToken() throws {
        let tokenizer = try TokenizerFixtures.tokenizer()
        let ids = tokenizer.encode("🚀")
        // Precondition of the test: this emoji is more than one byte-level token.
        try #require(ids.count > 1)
        var decoder = StreamingDecoder(tokenizer: tokenizer)
        let pieces = ids.map { decoder.feed($0) }
        #expect(pieces.dropLast().allSatisfy { $0.isEmpty })
        #expect(pieces.last == "🚀")
        #expect(decoder.finish().isEmpty)
    }

    @Test func streamingOutputConcatenatesToTheFullDecode() throws {
        let tokenizer = try TokenizerFixtures.tokenizer()
        var rng = SplitMix64(seed: 7)
        let missing = Set(tokenizer.bytesWithoutToken)
        for _ in 0..<500 {
            let text = Self.randomText(&rng, excluding: missing)
            var decoder = StreamingDecoder(tokenizer: tokenizer)
            var streamed = ""
            for id in tokenizer.encode(text) {
                let piece = decoder.feed(id)
                // Valid input never yields a replacement character mid-stream.
                #expect(!piece.unicodeScalars.contains("\u{FFFD}") || text.unicodeScalars.contains("\u{FFFD}"))
                streamed += piece
            }
            streamed += decoder.finish()
            #expect(Array(streamed.unicodeScalars) == Array(text.unicodeScalars))
        }
    }

    @Test func streamingArbitraryTokenSequencesMatchesTheFullDecode() throws {
        // Random ids produce invalid UTF-8 (stray continuation bytes, cut-off characters); the stream must
        // still agree with decoding everything at once.
        let tokenizer = try TokenizerFixtures.tokenizer()
        var rng = SplitMix64(seed: 99)
        for _ in 0..<500 {
            let ids = (0..<Int.random(in: 0...12, using: &rng)).map { _ in
                Int32.random(in: 0..<Int32(tokenizer.vocabularySize), using: &rng)
            }
            var decoder = StreamingDecoder(tokenizer: tokenizer)
            var streamed = ids.map { decoder.feed($0) }.joined()
            streamed += decoder.finish()
            #expect(Array(streamed.unicodeScalars) == Array(tokenizer.decode(ids).unicodeScalars), "ids \(ids)")
        }
    }

    @Test func controlTokensCanBeLeftOutOfTheText() throws {
        let tokenizer = try TokenizerFixtures.tokenizer()
        let ids = tokenizer.encode("<|im_start|>user\nHi<|im_end|>\n")
        #expect(tokenizer.decode(ids, skipControlTokens: true) == "user\nHi\n")
        #expect(tokenizer.encode("<|im_end|>", parseSpecial: false).count > 1)
        let eos = try #require(tokenizer.eosID)
        #expect(tokenizer.isEndOfGeneration(eos))
        #expect(tokenizer.encode("<|im_end|>").allSatisfy(tokenizer.isEndOfGeneration))
        #expect(!tokenizer.encode("Hello").contains(where: tokenizer.isEndOfGeneration))
    }

    @Test(arguments: [
        ("mixed prose", String(repeating: "The quick brown fox, 12 jumps\tover 東京 🚀! ", count: 250)),
        ("one long word", String(repeating: "a", count: 10_000)),
        ("one long space run", String(repeating: " ", count: 10_000)),
        ("one long punctuation run", String(repeating: "-=", count: 5_000)),
    ])
    func longInputsEncodeQuicklyAndRoundTrip(name: String, text: String) throws {
        let tokenizer = try TokenizerFixtures.tokenizer()
        let clock = ContinuousClock()
        var ids: [Int32] = []
        let elapsed = clock.measure { ids = tokenizer.encode(text) }
        // Generous for a debug build on a busy machine; a quadratic merge loop takes far longer.
        #expect(elapsed < .seconds(3), "\(name): \(text.count) characters took \(elapsed)")
        #expect(tokenizer.decode(ids) == text)
    }
}
