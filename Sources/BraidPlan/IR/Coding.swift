// Hand-written Codable forms for the IR's enums with payloads, so the JSON form (Docs/plan.md) reads as
// `{"type": "generate", ...}` and `"finish": "first"` / `{"count": 3}` rather than Swift's synthesized `_0` keys.

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
            self = .text(template: try container.decode(String.self, forKey: .template),
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

extension FinishRule {
    private enum Keys: String, CodingKey {
        case count, agree
    }

    /// Decodes `"first"`, `"half"`, `"all"`, `{"count": k}` or `{"agree": k}`.
    public init(from decoder: any Decoder) throws {
        if let single = try? decoder.singleValueContainer(), let name = try? single.decode(String.self) {
            switch name {
            case "first": self = .first
            case "half": self = .half
            case "all": self = .all
            default:
                throw DecodingError.dataCorruptedError(in: single, debugDescription: "unknown finish policy '\(name)'")
            }
            return
        }
        let container = try decoder.container(keyedBy: Keys.self)
        if let k = try container.decodeIfPresent(Int.self, forKey: .count) {
            self = .count(k)
        } else if let k = try container.decodeIfPresent(Int.self, forKey: .agree) {
            self = .agree(k)
        } else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath,
                                                    debugDescription: "finish policy must be first, half, all, {count: k} or {agree: k}"))
        }
    }

    /// Encodes as a string or a one-key object.
    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .first, .half, .all:
            var single = encoder.singleValueContainer()
            try single.encode(label)
        case .count(let k):
            var container = encoder.container(keyedBy: Keys.self)
            try container.encode(k, forKey: .count)
        case .agree(let k):
            var container = encoder.container(keyedBy: Keys.self)
            try container.encode(k, forKey: .agree)
        }
    }
}
