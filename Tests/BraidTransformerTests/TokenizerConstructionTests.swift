import Testing
@testable import BraidTransformer

/// A tokenizer built from a small hand-made vocabulary: merge order, special tokens, BOS, and the errors
/// a malformed vocabulary gets.
@Suite struct TokenizerConstructionTests {
    /// Every byte as a token (in byte order), then merged tokens and special tokens.
    static let byteTokens = ByteLevel.characterForByte.map { String($0) }
    static let extra = ["he", "ll", "hell", "hello", "Ġw", "<|im_start|>", "<|im_end|>", "<a>", "<a>b", "<think>"]
    static let extraTypes = [1, 1, 1, 1, 1, 3, 3, 3, 3, 4]
    static let merges = ["h e", "l l", "he ll", "hell o", "Ġ w"]

    static func make(merges: [String] = merges, types: [Int]? = nil, bos: Int? = nil, addBOS: Bool = false,
                     template: String? = nil) throws -> Tokenizer {
        try Tokenizer(tokens: byteTokens + extra, tokenTypes: types ?? (Array(repeating: 1, count: 256) + extraTypes),
                      merges: merges, preTokenizer: .gpt2, bos: bos, eos: nil, addBOS: addBOS, chatTemplate: template)
    }

    func id(_ token: String) -> Int32 {
        Int32(Self.byteTokens.count + (Self.extra.firstIndex(of: token) ?? -1_000_000))
    }

    @Test func mergesApplyInRankOrder() throws {
        let tokenizer = try Self.make()
        #expect(tokenizer.encode("hello") == [id("hello")])
        #expect(tokenizer.encode("hell") == [id("hell")])
        // Without "l l" first, "he" + "l" + "l" would never become "hell".
        let withoutLL = try Self.make(merges: ["h e", "he ll", "hell o"])
        #expect(withoutLL.encode("hell").map { withoutLL.tokenString($0) } == ["he", "l", "l"])
        #expect(tokenizer.encode(" w") == [id("Ġw")])
    }

    @Test func specialTokensAreMatchedLeftmostLongest() throws {
        let tokenizer = try Self.make()
        #expect(tokenizer.encode("<a>bc") == [id("<a>b"), Int32(UInt8(ascii: "c"))])
        #expect(tokenizer.encode("x<|im_start|>hello<|im_end|>") == [Int32(UInt8(ascii: "x")), id("<|im_start|>"), id("hello"), id("<|im_end|>")])
    }

    @Test func withoutSpecialParsingOnlyUserDefinedTokensStayWhole() throws {
        let tokenizer = try Self.make()
        #expect(!tokenizer.encode("<|im_end|>", parseSpecial: false).contains(id("<|im_end|>")))
        #expect(tokenizer.encode("<think>", parseSpecial: false) == [id("<think>")])
        #expect(tokenizer.decode(tokenizer.encode("<|im_end|>", parseSpecial: false)) == "<|im_end|>")
    }

    @Test func bosIsAddedOnlyWhenTheModelAsksForIt() throws {
        let bos = Int(id("<|im_start|>"))
        #expect(try Self.make(bos: bos).encode("hello") == [id("hello")])
        #expect(try Self.make(bos: bos, addBOS: true).encode("hello") == [id("<|im_start|>"), id("hello")])
    }

    @Test func chatFormatIsDetectedFromTemplateOrVocabulary() throws {
        #expect(try Self.make().chatFormat == .chatML)  // no template, but the vocabulary has ChatML markers
        #expect(try Self.make(template: "{{ bos_token }}[INST] {{ content }} [/INST]").chatFormat == .llama2)
        #expect(try Self.make(template: "{% for m in messages %}<start_of_turn>{{ m.content }}{% endfor %}").chatFormat == nil)
        let plain = try Self.make(template: "{{ content }}")
        #expect(throws: TokenizerError.noChatTemplate) {
            try plain.applyChatTemplate(messages: [(role: "user", content: "hi")], addGenerationPrompt: true)
        }
        let chat = try Self.make().applyChatTemplate(
            messages: [(role: "system", content: "Be brief."), (role: "user", content: "hi")], addGenerationPrompt: false)
        #expect(chat == "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nhi<|im_end|>\n")
    }

    @Test func aLiteralDefaultSystemPromptIsFoundInTheTemplate() throws {
        // Jinja string with an escaped newline; the first occurrence is computed, the second is literal.
        let template = #"{{- '<|im_start|>system\n' + messages[0]['content'] + '<|im_end|>\n' }}"#
            + #"{%- else %}{{- '<|im_start|>system\nYou are Qwen.<|im_end|>\n' }}"#
        #expect(try Self.make(template: template).templateDefaultSystemPrompt == "You are Qwen.")
        #expect(try Self.make(template: "{{ '<|im_start|>' + message['role'] + '\n' }}").templateDefaultSystemPrompt == nil)
        #expect(try Self.make().templateDefaultSystemPrompt == nil)
    }

    @Test func malformedVocabulariesAreRefusedWithTheirLocation() {
        #expect(throws: TokenizerError.tokenTypeCountMismatch(tokens: 266, types: 3)) {
            try Self.make(types: [1, 1, 1])
        }
        #expect(throws: TokenizerError.malformedMerge(index: 1, text: "hel", reason: "expected two tokens separated by a space")) {
            try Self.make(merges: ["h e", "hel"])
        }
        #expect(throws: TokenizerError.malformedMerge(index: 0, text: "x yz", reason: "a side is not in the vocabulary")) {
            try Self.make(merges: ["x yz"])
        }
        #expect(throws: TokenizerError.malformedMerge(index: 0, text: "x y", reason: "the merged token is not in the vocabulary")) {
            try Self.make(merges: ["x y"])
        }
        #expect(throws: TokenizerError.tokenIDOutOfRange(name: "bos", id: 9999, vocabularySize: 266)) {
            try Self.make(bos: 9999)
        }
        #expect(throws: TokenizerError.emptyVocabulary) {
            try Tokenizer(tokens: [], tokenTypes: [], merges: [], preTokenizer: .gpt2, bos: nil, eos: nil, chatTemplate: nil)
        }
    }

    @Test func errorMessagesNameTheMetadataKey() {
        let message = TokenizerError.malformedMerge(index: 3, text: "a", reason: "r").description
        #expect(message.contains("tokenizer.ggml.merges[3]"))
        #expect(TokenizerError.unsupportedPreTokenizer("tekken").description.contains("smollm"))
    }
}
