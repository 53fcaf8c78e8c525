import Testing
@testable import BraidTransformer

/// Each pre-tokenizer cuts text exactly where its regular expression (llama.cpp / HF tokenizers) does.
/// The expected pieces below follow from the patterns in `PreTokenizerKind`'s documentation.
@Suite struct TokenizerPreTokenizerTests {
    func pieces(_ kind: PreTokenizerKind, _ text: String) -> [String] {
        let scalars = Array(text.unicodeScalars)
        return kind.split(scalars, classes: scalars.map(CharacterClass.of)).map { range in
            var view = String.UnicodeScalarView()
            view.append(contentsOf: scalars[range])
            return String(view)
        }
    }

    @Test func piecesAlwaysCoverTheTextInOrder() {
        let text = "It's 2026 — naïve 東京 🚀\t\r\n  end  "
        for kind in PreTokenizerKind.allCases {
            #expect(pieces(kind, text).joined() == text, "\(kind)")
            #expect(!pieces(kind, text).contains(""), "\(kind)")
        }
    }

    @Test func gpt2KeepsALeadingSpaceWithTheWordAndLeavesTheRunsLastSpaceForIt() {
        #expect(pieces(.gpt2, "Hello world") == ["Hello", " world"])
        // `\s+(?!\S)` stops one short of a word, so the word gets its space.
        #expect(pieces(.gpt2, "a   b") == ["a", "  ", " b"])
        // At the end of the text the whole run is one piece.
        #expect(pieces(.gpt2, "a  \n") == ["a", "  \n"])
        // A single whitespace before a non-space is matched by the final `\s+`.
        #expect(pieces(.gpt2, "x\ny") == ["x", "\n", "y"])
        #expect(pieces(.gpt2, " 123 +4") == [" 123", " +", "4"])
    }

    @Test func gpt2ContractionsAreCaseSensitive() {
        #expect(pieces(.gpt2, "I'm we'll") == ["I", "'m", " we", "'ll"])
        #expect(pieces(.gpt2, "I'M") == ["I", "'", "M"])
    }

    @Test func smollmIsolatesEveryDigitFirst() {
        #expect(pieces(.smollm, "x 123") == ["x", " ", "1", "2", "3"])
        // The whitespace before a digit ends its chunk, so it is one piece (as in llama.cpp and SmolLM2's
        // own tokenizer.json; transformers' GGUF loader differs here).
        #expect(pieces(.smollm, "a  1") == ["a", "  ", "1"])
        #expect(pieces(.smollm, "٣²") == ["٣", "²"])
    }

    @Test func qwen2TakesOneDigitAtATimeAndLlamaBPEUpToThree() {
        #expect(pieces(.qwen2, "12345") == ["1", "2", "3", "4", "5"])
        #expect(pieces(.llamaBPE, "12345") == ["123", "45"])
    }

    @Test func llama3FamilyAttachesOnePrecedingSymbolToAWord() {
        for kind in [PreTokenizerKind.qwen2, .llamaBPE] {
            #expect(pieces(kind, "\tfoo bar") == ["\tfoo", " bar"], "\(kind)")
            #expect(pieces(kind, "(hello)") == ["(hello", ")"], "\(kind)")
            #expect(pieces(kind, "I'M") == ["I", "'M"], "\(kind): contractions ignore case")
        }
    }

    @Test func llama3FamilyKeepsLineBreaksWithPunctuationAndWhitespace() {
        for kind in [PreTokenizerKind.qwen2, .llamaBPE] {
            #expect(pieces(kind, "a.\n\nb") == ["a", ".\n\n", "b"], "\(kind)")
            // `\s*[\r\n]+` runs to the last line break of the whitespace run.
            #expect(pieces(kind, "x \n\n y") == ["x", " \n\n", " y"], "\(kind)")
            #expect(pieces(kind, "x\r\n") == ["x", "\r\n"], "\(kind)")
        }
    }

    @Test func unicodeWhitespaceLettersAndNumbersAreClassified() {
        #expect(CharacterClass.of("\u{A0}").contains(.whitespace))
        #expect(CharacterClass.of("\u{3000}").contains(.whitespace))
        #expect(CharacterClass.of("東").contains(.letter))
        #expect(CharacterClass.of("Ⅻ").contains(.number))
        #expect(CharacterClass.of("\u{301}").isOther)
        #expect(CharacterClass.of("🚀").isOther)
        #expect(CharacterClass.of("\r").contains([.whitespace, .lineBreak]))
    }

    @Test func ggufNamesAndAliasesMapToKinds() {
        #expect(PreTokenizerKind(ggufName: "smollm") == .smollm)
        #expect(PreTokenizerKind(ggufName: "deepseek-r1-qwen") == .qwen2)
        #expect(PreTokenizerKind(ggufName: "llama3") == .llamaBPE)
        #expect(PreTokenizerKind(ggufName: "gpt2") == .gpt2)
        #expect(PreTokenizerKind(ggufName: "gpt-2") == .gpt2)
        #expect(PreTokenizerKind(ggufName: "tekken") == nil)
    }

    /// The name written into exported files is llama.cpp's (its loader refuses `gpt2`) and reads back.
    @Test func exportedNamesAreLlamaCppsAndReadBack() {
        #expect(PreTokenizerKind.gpt2.ggufName == "gpt-2")
        for kind in PreTokenizerKind.allCases {
            #expect(PreTokenizerKind(ggufName: kind.ggufName) == kind)
        }
    }
}
