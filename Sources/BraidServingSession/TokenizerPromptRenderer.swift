import BraidRuntime
import BraidServingRuntime
import BraidTransformer

/// Chat prompts and token cuts with a local tokenizer, exactly as Braid's own runtime renders them
/// (`TransformerModel.chatPrompt`): what a served run sends must be the text the local run would prefill.
public struct TokenizerPromptRenderer: PromptRendering {
    /// The served model's tokenizer (from its GGUF or Hugging Face folder).
    public let tokenizer: Tokenizer

    /// Creates a renderer.
    public init(tokenizer: Tokenizer) {
        self.tokenizer = tokenizer
    }

    /// The messages in the model's chat format.
    public func chatPrompt(_ messages: [(role: String, content: String)], continueLast: Bool) throws -> String {
        try TransformerModel.chatPrompt(messages, continueLast: continueLast, tokenizer: tokenizer)
    }

    /// The text of `text`'s first `tokens` tokens (a begin-of-sequence token the tokenizer adds is not counted).
    public func prefix(of text: String, tokens: Int) -> String {
        var ids = tokenizer.encode(text)
        if tokenizer.addsBOS, let bos = tokenizer.bosID, ids.first == bos { ids.removeFirst() }
        return tokenizer.decode(Array(ids.prefix(max(0, tokens))))
    }
}
