import Foundation
import Testing
@testable import BraidTransformer

/// SmolLM2's tokenizer, read from the model file, agrees with HF transformers on every string of the fixture.
@Suite struct TokenizerReferenceTests {
    @Test func encodesEveryReferenceStringToTheReferenceIDs() throws {
        let tokenizer = try TokenizerFixtures.tokenizer()
        let cases = try TokenizerFixtures.entries("tokenize")
        #expect(cases.count >= 8)
        for entry in cases {
            let text = try TokenizerFixtures.string(entry["text"])
            let expected = try TokenizerFixtures.ids(entry["ids"])
            #expect(tokenizer.encode(text) == expected, "encoding \(text.debugDescription)")
        }
    }

    @Test func decodingReferenceIDsGivesBackTheText() throws {
        let tokenizer = try TokenizerFixtures.tokenizer()
        for entry in try TokenizerFixtures.entries("tokenize") {
            let text = try TokenizerFixtures.string(entry["text"])
            #expect(tokenizer.decode(try TokenizerFixtures.ids(entry["ids"])) == text)
            #expect(tokenizer.decode(tokenizer.encode(text)) == text)
        }
    }

    @Test func encodesTheGreedyPromptsAndDecodesTheirContinuations() throws {
        let tokenizer = try TokenizerFixtures.tokenizer()
        let cases = try TokenizerFixtures.entries("greedy")
        #expect(!cases.isEmpty)
        for entry in cases {
            let prompt = try TokenizerFixtures.string(entry["prompt"])
            #expect(tokenizer.encode(prompt) == (try TokenizerFixtures.ids(entry["prompt_ids"])), "prompt \(prompt.debugDescription)")
            let continuation = try TokenizerFixtures.ids(entry["greedy_ids"])
            #expect(tokenizer.decode(continuation) == (try TokenizerFixtures.string(entry["greedy_text"])))
        }
    }

    @Test func rebuildsTheMaskedLayoutTokensFromItsSegments() throws {
        let tokenizer = try TokenizerFixtures.tokenizer()
        let layouts = try TokenizerFixtures.entries("masked_layouts")
        #expect(!layouts.isEmpty)
        for layout in layouts {
            guard let paths = layout["paths"] as? [String] else {
                throw TokenizerFixtures.Missing(description: "masked layout without 'paths'")
            }
            // The reference encodes prompt, each path and the summary separately and concatenates them.
            var tokens = tokenizer.encode(try TokenizerFixtures.string(layout["prompt"]))
            for path in paths { tokens += tokenizer.encode(path) }
            tokens += tokenizer.encode(try TokenizerFixtures.string(layout["summary"]))
            #expect(tokens == (try TokenizerFixtures.ids(layout["tokens"])))
        }
    }

    @Test func chatTemplateFormatsExactlyTheReferencePrompts() throws {
        let tokenizer = try TokenizerFixtures.tokenizer()
        #expect(tokenizer.chatFormat == .chatML)
        // The fixture's chat prompts are one user turn and the opening of the assistant's, no system message.
        let prompt = try tokenizer.applyChatTemplate(messages: [(role: "user", content: "What is 12*13?")],
                                                     addGenerationPrompt: true)
        let greedy = try TokenizerFixtures.entries("greedy")
        #expect(greedy.contains { ($0["prompt"] as? String) == prompt })
    }

    @Test func smolLM2sDefaultSystemPromptIsAvailableButNotInserted() throws {
        let tokenizer = try TokenizerFixtures.tokenizer()
        let system = try #require(tokenizer.templateDefaultSystemPrompt)
        let template = try #require(tokenizer.chatTemplateSource)
        // Passing it as a message reproduces the turn the template writes when no system message is given.
        let withSystem = try tokenizer.applyChatTemplate(messages: [(role: "system", content: system)],
                                                         addGenerationPrompt: false)
        #expect(template.contains(withSystem))
        let userOnly = try tokenizer.applyChatTemplate(messages: [(role: "user", content: "Hi")], addGenerationPrompt: false)
        #expect(!userOnly.contains(system))
    }
}
