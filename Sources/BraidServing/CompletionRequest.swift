/// The body of a `POST /v1/completions` request, in the fields vLLM, SGLang and llama-server all read
/// (see Docs/backends.md). Optional fields left `nil` are not sent, so the server's own defaults apply.
public struct CompletionRequest: Encodable, Equatable, Sendable {
    /// The served model's name (`--backend-model`); servers that serve one model accept any or none.
    public var model: String?
    /// The prompt: raw text (the server tokenizes it) or token ids (sent as they are).
    public var prompt: CompletionPrompt
    /// Most tokens to generate.
    public var maxTokens: Int
    /// Strings that end the completion (servers cut them from the returned text by default).
    public var stop: [String]
    /// Softmax temperature.
    public var temperature: Double?
    /// Nucleus mass.
    public var topP: Double?
    /// Sampling seed; a seeded request gives the same answer again, so it may be retried.
    public var seed: UInt64?
    /// Completions of the same prompt (siblings); vLLM gives child i the seed `seed + i`.
    public var n: Int?
    /// How many top log-probabilities to return per token.
    public var logprobs: Int?
    /// Stream the answer as server-sent events; set by `CompletionsClient.stream`, not by callers.
    public var stream: Bool?
    /// Ask for a last streamed chunk with the token counts (vLLM and SGLang; servers that don't know the
    /// field ignore it).
    public var streamOptions: StreamOptions?

    /// Creates a request.
    public init(model: String? = nil, prompt: CompletionPrompt, maxTokens: Int, stop: [String] = [],
                temperature: Double? = nil, topP: Double? = nil, seed: UInt64? = nil, n: Int? = nil, logprobs: Int? = nil) {
        self.model = model
        self.prompt = prompt
        self.maxTokens = maxTokens
        self.stop = stop
        self.temperature = temperature
        self.topP = topP
        self.seed = seed
        self.n = n
        self.logprobs = logprobs
    }

    /// A request may be sent again after a failure only when a seed makes its answer reproducible.
    public var isIdempotent: Bool { seed != nil }

    enum CodingKeys: String, CodingKey {
        case model, prompt, stop, temperature, seed, n, logprobs, stream
        case maxTokens = "max_tokens"
        case topP = "top_p"
        case streamOptions = "stream_options"
    }

    /// Encodes only what is set (an empty `stop` is left out: some servers reject `[]`).
    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encodeIfPresent(model, forKey: .model)
        try container.encode(prompt, forKey: .prompt)
        try container.encode(maxTokens, forKey: .maxTokens)
        if !stop.isEmpty { try container.encode(stop, forKey: .stop) }
        try container.encodeIfPresent(temperature, forKey: .temperature)
        try container.encodeIfPresent(topP, forKey: .topP)
        try container.encodeIfPresent(seed, forKey: .seed)
        try container.encodeIfPresent(n, forKey: .n)
        try container.encodeIfPresent(logprobs, forKey: .logprobs)
        try container.encodeIfPresent(stream, forKey: .stream)
        try container.encodeIfPresent(streamOptions, forKey: .streamOptions)
    }
}

/// A prompt as text or as token ids.
public enum CompletionPrompt: Encodable, Equatable, Sendable {
    /// Text; the server tokenizes it (and may add BOS: vLLM's `add_special_tokens` defaults to true).
    case text(String)
    /// Token ids, sent as they are (vLLM, SGLang and llama-server accept them).
    case tokens([Int])

    /// A JSON string or array of integers.
    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .text(let text): try container.encode(text)
        case .tokens(let ids): try container.encode(ids)
        }
    }
}

/// `stream_options` of a streamed request.
public struct StreamOptions: Encodable, Equatable, Sendable {
    /// Send the token counts in a last chunk.
    public var includeUsage: Bool

    /// Creates stream options.
    public init(includeUsage: Bool) { self.includeUsage = includeUsage }

    enum CodingKeys: String, CodingKey { case includeUsage = "include_usage" }
}
