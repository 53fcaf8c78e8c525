import BraidRules

// Hand-written Codable forms for the IR's enums with payloads, so the JSON form (Docs/plan.md) reads as
// `{"type": "generate", ...}` rather than Swift's synthesized `_0` keys (the finish policy's is in BraidRules).

extension SegmentContent {
    private enum Keys: String, CodingKey {
        case type, template, maxTokens, messages, generation, splice
    }

    /// Decodes `{"type": "text" | "chat" | "generate" | "splice", …}`.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Keys.self)
        let type = try container.decode(String.self, forKey: .type)
        switch type {
        case "text":
            self = .text(template: try container.decode(Template.self, forKey: .template),
                         maxTokens: try container.decodeIfPresent(Int.self, forKey: .maxTokens))
        case "chat": self = .chat(messages: try container.decode([PromptMessage].self, forKey: .messages))
        case "generate": self = .generate(try container.decode(Decoding.self, forKey: .generation))
        case "splice": self = .splice(try container.decode(Splice.self, forKey: .splice))
        default:
            throw DecodingError.dataCorruptedError(forKey: .type, in: container,
                                                   debugDescription: "unknown segment content type '\(type)'")
        }
    }

    /// Encodes as `{"type": …}` plus the case's fields.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Keys.self)
        switch self {
        case .text(let template, let maxTokens):
            try container.encode("text", forKey: .type)
            try container.encode(template, forKey: .template)
            try container.encodeIfPresent(maxTokens, forKey: .maxTokens)
        case .chat(let messages):
            try container.encode("chat", forKey: .type)
            try container.encode(messages, forKey: .messages)
        case .generate(let generation):
            try container.encode("generate", forKey: .type)
            try container.encode(generation, forKey: .generation)
        case .splice(let splice):
            try container.encode("splice", forKey: .type)
            try container.encode(splice, forKey: .splice)
        }
    }
}
