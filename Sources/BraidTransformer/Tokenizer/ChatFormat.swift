/// The chat formats Braid can apply to a list of messages.
public enum ChatFormat: Sendable, Equatable {
    /// ChatML: `<|im_start|>ROLE\nCONTENT<|im_end|>\n` per message, and `<|im_start|>assistant\n` to prompt a
    /// reply. Used by SmolLM2, Qwen2 and many others.
    case chatML

    /// ChatML when the template writes `<|im_start|>`, or, for a model without a template, when the vocabulary
    /// has both `<|im_start|>` and `<|im_end|>` (llama.cpp's default for such files); otherwise `nil`.
    static func detect(template: String?, tokens: [String]) -> ChatFormat? {
        if let template {
            return template.contains("<|im_start|>") ? .chatML : nil
        }
        let vocabulary = Set(tokens.prefix(4096) + tokens.suffix(4096))
        return vocabulary.contains("<|im_start|>") && vocabulary.contains("<|im_end|>") ? .chatML : nil
    }
}

extension Tokenizer {
    /// The system prompt the model's own template inserts when the conversation has none, if it has one
    /// written literally as `<|im_start|>system\n...<|im_end|>` (SmolLM2's: "You are a helpful AI assistant
    /// named SmolLM, trained by Hugging Face"). `applyChatTemplate` does not add it; pass it as a message to
    /// reproduce the template exactly.
    public var templateDefaultSystemPrompt: String? {
        guard let template = chatTemplateSource,
              let start = template.range(of: "<|im_start|>system\n"),
              let end = template.range(of: "<|im_end|>", range: start.upperBound..<template.endIndex)
        else { return nil }
        let text = template[start.upperBound..<end.lowerBound]
        // A Jinja expression (e.g. `{{ message['content'] }}`) is not a literal default prompt.
        return text.contains("{") || text.contains("'") && text.contains("+") ? nil : String(text)
    }

    /// The prompt text for a conversation, in the model's chat format.
    ///
    /// Formats exactly the messages given: no default system prompt is added, even though SmolLM2's template
    /// adds one when the first message is not a system message. Braid's graphs and the reference fixtures use
    /// prompts without a system message, and a research tool should not inject text the user did not write
    /// (use `templateDefaultSystemPrompt` to add it explicitly).
    ///
    /// - Parameter addGenerationPrompt: end with the opening of an assistant turn, so the model replies.
    /// - Throws: `TokenizerError.noChatTemplate` when the model's format is not ChatML.
    public func applyChatTemplate(messages: [(role: String, content: String)],
                                  addGenerationPrompt: Bool) throws -> String {
        guard chatFormat == .chatML else { throw TokenizerError.noChatTemplate }
        var text = ""
        for message in messages {
            text += "<|im_start|>\(message.role)\n\(message.content)<|im_end|>\n"
        }
        if addGenerationPrompt { text += "<|im_start|>assistant\n" }
        return text
    }
}
