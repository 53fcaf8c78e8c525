// JSON forms of the shared vocabulary, as the plan's JSON (Docs/plan.md) writes them: a template or a pattern is
// its text in the graph language's syntax (parsed back on reading), a finish policy `"first"` / `{"count": 3}` /
// `{"agree": 2, "extract": "…"}`.

extension Template: Codable {
    /// Decodes a template from its text (`TemplateSyntax.parse`; never fails on a string).
    public init(from decoder: any Decoder) throws {
        self = TemplateSyntax.parse(try decoder.singleValueContainer().decode(String.self))
    }

    /// Encodes the template as its text (`TemplateSyntax.write`).
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

extension Pattern: Codable {
    /// Decodes a pattern from its text (a regular expression whose `{name}` variables are substituted when used).
    public init(from decoder: any Decoder) throws {
        self.init(try decoder.singleValueContainer().decode(String.self))
    }

    /// Encodes the pattern as its text.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

extension FinishPolicy: Codable {
    private enum Keys: String, CodingKey {
        case count, agree, extract
    }

    /// Decodes `"first"`, `"half"`, `"all"`, `{"count": k}` or `{"agree": k, "extract": regex}`.
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
            self = .agree(k, extract: try container.decode(Pattern.self, forKey: .extract))
        } else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath,
                                                    debugDescription: "finish policy must be first, half, all, {count: k} or {agree: k, extract: regex}"))
        }
    }

    /// Encodes as a string or an object.
    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .first, .half, .all:
            var single = encoder.singleValueContainer()
            try single.encode(label)
        case .count(let k):
            var container = encoder.container(keyedBy: Keys.self)
            try container.encode(k, forKey: .count)
        case .agree(let k, let extract):
            var container = encoder.container(keyedBy: Keys.self)
            try container.encode(k, forKey: .agree)
            try container.encode(extract, forKey: .extract)
        }
    }
}

extension FinishPolicy {
    /// Short text form (`first`, `count 3`, `agree 2`).
    public var label: String {
        switch self {
        case .first: return "first"
        case .half: return "half"
        case .all: return "all"
        case .count(let k): return "count \(k)"
        case .agree(let k, _): return "agree \(k)"
        }
    }
}

extension Template: ExpressibleByStringInterpolation {
    /// A template written in the language's syntax (`"<think{i}>"`), parsed (`TemplateSyntax.parse`).
    public init(stringLiteral value: String) {
        self = TemplateSyntax.parse(value)
    }

    /// A template written in the language's syntax with interpolated parts, parsed once put together.
    public init(stringInterpolation: DefaultStringInterpolation) {
        self = TemplateSyntax.parse(String(stringInterpolation: stringInterpolation))
    }
}

extension Pattern: ExpressibleByStringInterpolation {
    /// A pattern written in the language's syntax (a regular expression with `{name}` variables).
    public init(stringLiteral value: String) {
        self.init(value)
    }

    /// A pattern written in the language's syntax with interpolated parts.
    public init(stringInterpolation: DefaultStringInterpolation) {
        self.init(String(stringInterpolation: stringInterpolation))
    }
}
