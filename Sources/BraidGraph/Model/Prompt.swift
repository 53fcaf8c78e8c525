/// The graph's initial context (`prompt:`).
public enum Prompt: Sendable, Hashable {
    /// Raw text, tokenized as is (no chat template).
    case text(Template)
    /// Chat messages, formatted with the model's chat template. When the last message is from the
    /// assistant, its turn is left open and the model continues it; otherwise an assistant turn is opened.
    case chat([ChatMessage])
}

/// One chat message of a prompt.
public struct ChatMessage: Sendable, Hashable {
    /// Who speaks.
    public var role: ChatRole
    /// What is said.
    public var content: Template

    /// Creates a message.
    public init(role: ChatRole, content: Template) {
        self.role = role
        self.content = content
    }
}
