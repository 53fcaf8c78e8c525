/// How a segment is decoded (`generate:`). In a loaded graph every field is concrete: step-level values
/// override the graph's top-level `generate:` defaults, which override the built-in ones.
public struct Generation: Sendable, Hashable {
    /// The most tokens this segment may decode (built-in default 256).
    public var maxTokens: Int
    /// Stop strings: decoding ends when the generated text ends with one of them (it is kept in the
    /// text). Templates, so a branch can stop at its own tag (`</think{i}>`).
    public var stop: [Template]
    /// Sampling settings.
    public var sampling: Sampling

    /// The built-in default number of tokens.
    public static let defaultMaxTokens = 256

    /// Creates generation settings.
    public init(maxTokens: Int = Generation.defaultMaxTokens, stop: [Template] = [], sampling: Sampling = Sampling()) {
        self.maxTokens = maxTokens
        self.stop = stop
        self.sampling = sampling
    }
}

/// Sampling settings. Temperature 0 is greedy decoding.
public struct Sampling: Sendable, Hashable {
    /// Softmax temperature; 0 means greedy (built-in default 0).
    public var temperature: Double
    /// Nucleus sampling mass in (0, 1] (built-in default 1, i.e. off).
    public var topP: Double
    /// Keep only the k most likely tokens; 0 means off (built-in default 0).
    public var topK: Int
    /// A fixed seed for this segment; nil derives one from the run's seed and the branch.
    public var seed: UInt64?

    /// Creates sampling settings.
    public init(temperature: Double = 0, topP: Double = 1, topK: Int = 0, seed: UInt64? = nil) {
        self.temperature = temperature
        self.topP = topP
        self.topK = topK
        self.seed = seed
    }
}
