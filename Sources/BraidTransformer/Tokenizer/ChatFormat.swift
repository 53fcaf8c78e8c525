import Foundation

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
        return tokens.contains("<|im_start|>") && tokens.contains("<|im_end|>") ? .chatML : nil
    }
}

extension Tokenizer {
    /// The system prompt the model's own template inserts when the conversation has none, if the template
    /// writes one literally as `<|im_start|>system` + newline + text + `<|im_end|>` (SmolLM2's: "You are a
    /// helpful AI assistant named SmolLM, trained by Hugging Face"). `applyChatTemplate` does not add it;
    /// pass it as a system message to reproduce the template exactly.
    public var templateDefaultSystemPrompt: String? {
        guard let template = chatTemplateSource else { return nil }
        var searchStart = template.startIndex
        while let opening = template.range(of: "<|im_start|>system", range: searchStart..<template.endIndex) {
            searchStart = opening.upperBound
            // The newline is a real one, or the two characters `\n` inside a Jinja string literal.
            let rest = template[opening.upperBound...]
            let newline = rest.hasPrefix("\n") ? 1 : rest.hasPrefix("\\n") ? 2 : 0
            guard newline > 0 else { continue }
            let textStart = template.index(opening.upperBound, offsetBy: newline)
            guard let closing = template.range(of: "<|im_end|>", range: textStart..<template.endIndex) else { break }
            let text = template[textStart..<closing.lowerBound]
            // Jinja syntax or string concatenation means the content is computed, not a literal default.
            if !text.isEmpty, !text.contains(where: { "{}[]'\"+\\".contains($0) }) { return String(text) }
        }
        return nil
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
