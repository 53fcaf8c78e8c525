/// A `/v1/completions` answer (or one streamed chunk: the same shape with partial text).
public struct Completion: Decodable, Equatable, Sendable {
    /// The server's id for the completion, if it sent one.
    public var id: String?
    /// The model the server says answered.
    public var model: String?
    /// One choice per completion (`n` of them); empty in a streamed usage-only chunk.
    public var choices: [CompletionChoice]
    /// The server's own token counts, when it sent them.
    public var usage: TokenUsage?

    /// Creates a completion.
    public init(id: String? = nil, model: String? = nil, choices: [CompletionChoice], usage: TokenUsage? = nil) {
        self.id = id
        self.model = model
        self.choices = choices
        self.usage = usage
    }
}

/// One completion of a prompt.
public struct CompletionChoice: Decodable, Equatable, Sendable {
    /// Which completion this is (0 ..< n).
    public var index: Int
    /// The generated text (a delta when streamed).
    public var text: String
    /// Why generation stopped (`stop`, `length`, `abort`), when it has.
    public var finishReason: String?
    /// Per-token log-probabilities, when asked for.
    public var logprobs: CompletionLogprobs?

    /// Creates a choice.
    public init(index: Int, text: String, finishReason: String? = nil, logprobs: CompletionLogprobs? = nil) {
        self.index = index
        self.text = text
        self.finishReason = finishReason
        self.logprobs = logprobs
    }

    enum CodingKeys: String, CodingKey {
        case index, text, logprobs
        case finishReason = "finish_reason"
    }

    /// Decodes a choice; a missing index is 0 (llama-server's single choice).
    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        index = try container.decodeIfPresent(Int.self, forKey: .index) ?? 0
        text = try container.decode(String.self, forKey: .text)
        finishReason = try container.decodeIfPresent(String.self, forKey: .finishReason)
        logprobs = try container.decodeIfPresent(CompletionLogprobs.self, forKey: .logprobs)
    }
}

/// The log-probability block of a choice: the OpenAI completions form (`tokens`, `token_logprobs`; vLLM, SGLang)
/// or llama-server's (`content`: one object per token with `token` and `logprob`), read into the same fields.
public struct CompletionLogprobs: Decodable, Equatable, Sendable {
    /// The generated tokens as text.
    public var tokens: [String]?
    /// Each generated token's log-probability.
    public var tokenLogprobs: [Double?]?

    /// Creates a block.
    public init(tokens: [String]?, tokenLogprobs: [Double?]?) {
        self.tokens = tokens
        self.tokenLogprobs = tokenLogprobs
    }

    enum CodingKeys: String, CodingKey {
        case tokens, content
        case tokenLogprobs = "token_logprobs"
    }

    /// One token of llama-server's form.
    struct ContentToken: Decodable {
        var token: String
        var logprob: Double?
    }

    /// Decodes either form.
    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        if let content = try container.decodeIfPresent([ContentToken].self, forKey: .content) {
            tokens = content.map(\.token)
            tokenLogprobs = content.map(\.logprob)
        } else {
            tokens = try container.decodeIfPresent([String].self, forKey: .tokens)
            tokenLogprobs = try container.decodeIfPresent([Double?].self, forKey: .tokenLogprobs)
        }
    }
}

/// The server's token counts for one request.
public struct TokenUsage: Decodable, Equatable, Sendable {
    /// Prompt tokens as the server counted them.
    public var promptTokens: Int
    /// Generated tokens.
    public var completionTokens: Int
    /// Prompt tokens served from the prefix cache, when the server reports them.
    public var cachedTokens: Int?

    /// Creates token counts.
    public init(promptTokens: Int, completionTokens: Int, cachedTokens: Int? = nil) {
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
        self.cachedTokens = cachedTokens
    }

    enum CodingKeys: String, CodingKey {
        case promptTokens = "prompt_tokens"
        case completionTokens = "completion_tokens"
        case details = "prompt_tokens_details"
    }

    enum DetailKeys: String, CodingKey {
        case cachedTokens = "cached_tokens"
    }

    /// Decodes the counts; `prompt_tokens_details.cached_tokens` is read where present.
    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        promptTokens = try container.decode(Int.self, forKey: .promptTokens)
        completionTokens = try container.decode(Int.self, forKey: .completionTokens)
        if container.contains(.details), try !container.decodeNil(forKey: .details) {
            let details = try container.nestedContainer(keyedBy: DetailKeys.self, forKey: .details)
            cachedTokens = try details.decodeIfPresent(Int.self, forKey: .cachedTokens)
        }
    }
}

/// The whole text of a streamed completion, put together from its chunks.
public struct StreamedCompletion: Equatable, Sendable {
    /// Text per choice index.
    public var texts: [Int: String] = [:]
    /// Finish reason per choice index.
    public var finishReasons: [Int: String] = [:]
    /// The token counts, if a chunk carried them.
    public var usage: TokenUsage?
    /// How many chunks were read.
    public var chunks = 0

    /// An empty collection.
    public init() {}

    /// Adds one chunk.
    public mutating func add(_ chunk: Completion) {
        chunks += 1
        for choice in chunk.choices {
            texts[choice.index, default: ""] += choice.text
            if let reason = choice.finishReason { finishReasons[choice.index] = reason }
        }
        if let usage = chunk.usage { self.usage = usage }
    }
}
