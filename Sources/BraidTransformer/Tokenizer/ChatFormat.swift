import Foundation

/// The chat formats Braid can apply to a list of messages. Braid recognises the family of a model's
/// Jinja template by its markers and writes that family's format itself (it has no Jinja interpreter);
/// templates of other families get `TokenizerError.noChatTemplate`.
public enum ChatFormat: Sendable, Equatable {
    /// ChatML: `<|im_start|>ROLE\nCONTENT<|im_end|>\n` per message, and `<|im_start|>assistant\n` to prompt a
    /// reply. Used by SmolLM2, Qwen2 and many others.
    case chatML
    /// DeepSeek-R1 (and its Distill-Qwen/Llama models, ParaThinker): BOS, the system text, then
    /// `<｜User｜>CONTENT` and `<｜Assistant｜>CONTENT<｜end▁of▁sentence｜>`; a reply is prompted with
    /// `<｜Assistant｜><think>\n`. Earlier assistant turns lose everything up to their last `</think>`.
    case deepSeekR1
    /// Llama 2: `<s>[INST] USER [/INST] ASSISTANT </s>`, a system message wrapped in `<<SYS>>` inside the
    /// first user turn; the `[/INST]` itself prompts the reply.
    case llama2
    /// Llama 3: `<|begin_of_text|>`, then `<|start_header_id|>ROLE<|end_header_id|>\n\nCONTENT<|eot_id|>`;
    /// a reply is prompted with the assistant header.
    case llama3

    /// The family a template belongs to (checked in this order: ChatML, DeepSeek-R1, Llama 3, Llama 2), or,
    /// for a model without a template, ChatML when the vocabulary has both `<|im_start|>` and `<|im_end|>`
    /// (llama.cpp's default for such files); otherwise `nil`.
    static func detect(template: String?, tokens: [String]) -> ChatFormat? {
        if let template {
            if template.contains("<|im_start|>") { return .chatML }
            if template.contains("<｜User｜>"), template.contains("<｜Assistant｜>") { return .deepSeekR1 }
            if template.contains("<|start_header_id|>") { return .llama3 }
            if template.contains("[INST]") { return .llama2 }
            return nil
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
    /// (use `templateDefaultSystemPrompt` to add it explicitly). A BOS token the template writes is left out
    /// when `encode` adds one itself (`addsBOS`), so the ids carry it once.
    ///
    /// - Parameter addGenerationPrompt: end with the opening of an assistant turn, so the model replies.
    /// - Throws: `TokenizerError.noChatTemplate` when the model's template is of no family Braid knows.
    public func applyChatTemplate(messages: [(role: String, content: String)],
                                  addGenerationPrompt: Bool) throws -> String {
        guard let chatFormat else { throw TokenizerError.noChatTemplate }
        let bos = addsBOS ? "" : bosID.flatMap(tokenString) ?? ""
        let eos = eosID.flatMap(tokenString) ?? ""
        var text = ""
        switch chatFormat {
        case .chatML:
            for message in messages {
                text += "<|im_start|>\(message.role)\n\(message.content)<|im_end|>\n"
            }
            if addGenerationPrompt { text += "<|im_start|>assistant\n" }
        case .deepSeekR1:
            text = bos + messages.filter { $0.role == "system" }.map(\.content).joined(separator: "\n\n")
            for message in messages where message.role != "system" {
                if message.role == "assistant" {
                    let reply = message.content.range(of: "</think>", options: .backwards)
                        .map { String(message.content[$0.upperBound...]) } ?? message.content
                    text += "<｜Assistant｜>" + reply + "<｜end▁of▁sentence｜>"
                } else {
                    text += "<｜User｜>" + message.content
                }
            }
            if addGenerationPrompt { text += "<｜Assistant｜><think>\n" }
        case .llama2:
            var system = messages.first { $0.role == "system" }?.content
            for message in messages where message.role != "system" {
                if message.role == "assistant" {
                    text += " " + message.content.trimmingCharacters(in: .whitespaces) + " " + eos
                } else {
                    let content = message.content.trimmingCharacters(in: .whitespaces)
                    text += bos + "[INST] " + (system.map { "<<SYS>>\n\($0)\n<</SYS>>\n\n" } ?? "") + content + " [/INST]"
                    system = nil
                }
            }
        case .llama3:
            text = addsBOS ? "" : "<|begin_of_text|>"
            for message in messages {
                text += "<|start_header_id|>\(message.role)<|end_header_id|>\n\n"
                    + message.content.trimmingCharacters(in: .whitespacesAndNewlines) + "<|eot_id|>"
            }
            if addGenerationPrompt { text += "<|start_header_id|>assistant<|end_header_id|>\n\n" }
        }
        return text
    }
}
