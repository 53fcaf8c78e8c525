import Foundation
import Testing
@testable import BraidTransformer

/// What the Hugging Face tokenizer readers do beyond matching reference ids: added tokens, normalization,
/// byte fallback, chat formats, and the errors unsupported files get.
@Suite struct HFTokenizerBehaviourTests {
    static func folder(_ name: String) -> URL { HFTokenizerReferenceTests.folder.appendingPathComponent(name) }

    @Test func addedTokensAreMatchedWholeInsideText() throws {
        let tokenizer = try Tokenizer(huggingFaceFolder: Self.folder("qwen2-tok"))
        let ids = tokenizer.encode("a<think3>b</summary>")
        let think3 = try #require(tokenizer.encode("<think3>").first)
        #expect(tokenizer.encode("<think3>") == [think3])
        #expect(tokenizer.tokenString(think3) == "<think3>" && tokenizer.isControl(think3))
        #expect(ids.contains(think3) && ids.count == 4)
        // Without special parsing, `<think3>` (special) is text again; `<think>` (added, not special) stays whole.
        #expect(!tokenizer.encode("<think3>", parseSpecial: false).contains(think3))
        #expect(tokenizer.encode("<think>", parseSpecial: false).count == 1)
    }

    @Test func qwen2NormalizesToNFC() throws {
        let tokenizer = try Tokenizer(huggingFaceFolder: Self.folder("qwen2-tok"))
        #expect(tokenizer.encode("cafe\u{301}") == tokenizer.encode("caf\u{E9}"))
    }

    @Test func sentencePieceFallsBackToBytes() throws {
        let tokenizer = try Tokenizer(huggingFaceFolder: Self.folder("llama2-tok"))
        // U+4E03 is in no training string: its three UTF-8 bytes become <0xE4><0xB8><0x83>.
        let ids = tokenizer.encode("\u{4E03}")
        #expect(ids.dropFirst().suffix(3).map { tokenizer.tokenString($0) } == ["<0xE4>", "<0xB8>", "<0x83>"])
        #expect(tokenizer.decode(ids, skipControlTokens: true) == "\u{4E03}")
    }

    @Test func chatFormatsOfTheCommonFamilies() throws {
        let messages = [(role: "system", content: "S"), (role: "user", content: "Q"), (role: "assistant", content: "<think>x</think>A"),
                        (role: "user", content: "Q2")]
        let llama2 = try Tokenizer(huggingFaceFolder: Self.folder("llama2-tok"))
        #expect(llama2.chatFormat == .llama2)
        // BOS comes from `encode` (add_bos_token), so the text leaves out the template's first `<s>`... and every later one too.
        #expect(try llama2.applyChatTemplate(messages: messages, addGenerationPrompt: true)
                == "[INST] <<SYS>>\nS\n<</SYS>>\n\nQ [/INST] <think>x</think>A </s>[INST] Q2 [/INST]")
        let vocabulary = ByteLevel.characterForByte.map { String($0) } + ["<｜begin▁of▁sentence｜>", "<|begin_of_text|>"]
        func make(_ template: String) throws -> Tokenizer {
            try Tokenizer(tokens: vocabulary, tokenTypes: Array(repeating: 1, count: 256) + [3, 3], merges: [],
                          preTokenizer: .gpt2, bos: 256, eos: nil, chatTemplate: template)
        }
        let r1 = try make("{{bos_token}}{% if message['role'] == 'user' %}{{'<｜User｜>' + message['content']}}{% endif %}<｜Assistant｜>")
        #expect(r1.chatFormat == .deepSeekR1)
        #expect(try r1.applyChatTemplate(messages: messages, addGenerationPrompt: true)
                == "<｜begin▁of▁sentence｜>S<｜User｜>Q<｜Assistant｜>A<｜end▁of▁sentence｜><｜User｜>Q2<｜Assistant｜><think>\n")
        let llama3 = try make("{{ '<|start_header_id|>' + message['role'] + '<|end_header_id|>\n\n' }}")
        #expect(llama3.chatFormat == .llama3)
        #expect(try llama3.applyChatTemplate(messages: [(role: "user", content: " hi ")], addGenerationPrompt: true)
                == "<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nhi<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n")
    }

    @Test func unsupportedTokenizerFilesAreNamed() throws {
        let unigram = Data(#"{"model": {"type": "Unigram", "vocab": [["a", 0.0]]}}"#.utf8)
        #expect(throws: TokenizerError.invalidFile(file: "tokenizer.json", reason: "model type 'Unigram' is not supported (Braid implements BPE)")) {
            try Tokenizer(huggingFaceJSON: unigram)
        }
        let whitespace = Data(#"{"model": {"type": "BPE", "vocab": {"a": 0}, "merges": []}, "pre_tokenizer": {"type": "Whitespace"}}"#.utf8)
        #expect(throws: TokenizerError.invalidFile(file: "tokenizer.json", reason: "pre_tokenizer [Whitespace] is not supported (byte-level BPE: GPT-2, SmolLM, Qwen2, Llama 3 forms)")) {
            try Tokenizer(huggingFaceJSON: whitespace)
        }
        let hugeID = Data(#"{"model": {"type": "BPE", "vocab": {"a": 4000000000}, "merges": []}}"#.utf8)
        #expect(throws: TokenizerError.invalidFile(file: "tokenizer.json", reason: "token id 4000000000 is far beyond the 1 tokens listed")) {
            try Tokenizer(huggingFaceJSON: hugeID)
        }
        #expect(throws: TokenizerError.invalidFile(file: "tokenizer.model", reason: "byte 2: field 1 claims 100 bytes, 1 remain")) {
            try Tokenizer(sentencePieceModel: Data([0x0A, 100, 0x0A]))
        }
        #expect(throws: (any Error).self) { try Tokenizer(huggingFaceJSON: Data("[1, 2]".utf8)) }
    }
}
