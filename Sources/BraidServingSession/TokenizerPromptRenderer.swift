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
        tokenizer.decode(Array(encoded(text).prefix(max(0, tokens))))
    }

    /// `text`'s ids as the local run prefills them (`TransformerModel.encode`).
    public func tokenIDs(of text: String) -> [Int] {
        encoded(text).map(Int.init)
    }

    /// The begin-of-sequence token, when the model's tokenizer adds one (`TransformerModel.beginOfSequence`).
    public var beginOfSequence: Int? {
        tokenizer.addsBOS ? tokenizer.bosID.map(Int.init) : nil
    }

    /// `text` tokenized without the begin-of-sequence token the tokenizer may add.
    private func encoded(_ text: String) -> [Int32] {
        var ids = tokenizer.encode(text)
        if tokenizer.addsBOS, let bos = tokenizer.bosID, ids.first == bos { ids.removeFirst() }
        return ids
    }
}
