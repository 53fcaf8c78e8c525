/// How a plan runs on a serving engine.
public struct ServingOptions: Sendable {
    /// Values of the graph's run-time inputs (`question`); the plan's defaults fill the rest (`Plan.inputValues`).
    public var inputs: [String: String]
    /// The run's seed: a segment without a seed of its own sends `seed` mixed with its thread's name (so a
    /// request is idempotent and may be retried, and sibling branches draw differently).
    public var seed: UInt64
    /// Overrides every segment's temperature (as `braid run --temperature`).
    public var temperature: Double?
    /// The `model` field of each request (`--backend-model`); nil leaves it out (llama-server serves one model).
    public var model: String?
    /// Most requests in flight at once (`--concurrency`); the rest wait for a free place. The client must allow as
    /// many connections (`ClientConfiguration.maxConnections`, 64 by default).
    public var concurrency: Int
    /// Ask the server for this many top log-probabilities per generated token (`logprobs`) and record each
    /// token's log-probability in the request trace; nil asks for none.
    public var logprobs: Int?
    /// Send a fork of identical siblings (`Plan.identicalSiblings`) as one request with `n` completions (the
    /// server shares the prompt's prefill among them); false sends one request per branch. A server that refuses
    /// `n` gets one request per branch either way (the run's notes say so).
    public var siblingsAsN: Bool
    /// How prompts are sent (`--prompt-form`): as the token ids the local run prefills (needs the run's
    /// `PromptRendering`; without one, text is sent), or as text the server tokenizes itself.
    public var promptForm: PromptForm

    /// Creates options.
    public init(inputs: [String: String] = [:], seed: UInt64 = 0, temperature: Double? = nil, model: String? = nil,
                concurrency: Int = 16, logprobs: Int? = nil, siblingsAsN: Bool = true, promptForm: PromptForm = .ids) {
        self.promptForm = promptForm
        self.inputs = inputs
        self.seed = seed
        self.temperature = temperature
        self.model = model
        self.concurrency = concurrency
        self.logprobs = logprobs
        self.siblingsAsN = siblingsAsN
    }
}

/// How a served run sends its prompts.
public enum PromptForm: String, Sendable, CaseIterable {
    /// The token ids the local run prefills (each segment tokenized on its own, the begin-of-sequence token where
    /// the local run writes one): the served run sees exactly the local run's prompt tokens. vLLM, SGLang and
    /// llama-server accept ids; a server that refuses them (a 4xx answer) gets text from then on.
    case ids
    /// The prompt's text; the server tokenizes it (and adds its begin-of-sequence token as it sees fit).
    case text
}

/// Renders the parts of a prompt that need the served model's tokenizer: chat messages in its chat format, text
/// cut to a number of its tokens, and prompts as token ids. Braid renders prompts itself, so these must be the
/// served model's (the CLI takes them from the GGUF of `--model`, by default the cached SmolLM2).
public protocol PromptRendering: Sendable {
    /// The token ids of `text` as the local run prefills a segment of it (without a begin-of-sequence token).
    func tokenIDs(of text: String) -> [Int]
    /// The begin-of-sequence token the local run writes before a segment that opens a sequence (nil: none).
    var beginOfSequence: Int? { get }
    /// Chat messages (role, content) as the model's chat format writes them; `continueLast` leaves the last
    /// (assistant) message open for the model to continue, otherwise the generation prompt follows.
    func chatPrompt(_ messages: [(role: String, content: String)], continueLast: Bool) throws -> String
    /// The text of the first `tokens` tokens of `text`.
    func prefix(of text: String, tokens: Int) -> String
}
