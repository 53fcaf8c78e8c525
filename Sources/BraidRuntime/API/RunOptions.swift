/// How a run is scheduled and seeded.
public struct RunOptions: Sendable {
    /// How threads share forward passes.
    public enum Scheduling: String, Sendable, CaseIterable {
        /// One forward pass per scheduler step for every live thread together (the default).
        case batched
        /// One forward pass per thread per step: the same computation one thread at a time (for checks).
        case sequential
    }

    /// Values of the graph's inputs (`--input name=value`, `--question`).
    public var inputs: [String: String]
    /// The run's seed; each thread draws from its own stream of it.
    public var seed: UInt64
    /// Overrides every segment's temperature (`--temperature`); nil keeps the graph's.
    public var temperature: Double?
    /// Batched or one thread at a time.
    public var scheduling: Scheduling
    /// For `attend` merges: prefill the sources' tokens again, with their original mask and positions, instead
    /// of reading their KV in place. Only for checking that in-place reuse changes nothing.
    public var recomputeMergedKV: Bool
    /// Decoding ends only at a segment's `max_tokens` (or the context window): end-of-sequence tokens and
    /// stop strings are written like any other token. For benchmarks that need the same work per thread
    /// whatever the model writes (`braid bench graph`); spawn triggers never fire in this mode.
    public var fixedBudgets: Bool

    /// Creates options.
    public init(inputs: [String: String] = [:], seed: UInt64 = 0, temperature: Double? = nil,
                scheduling: Scheduling = .batched, recomputeMergedKV: Bool = false, fixedBudgets: Bool = false) {
        self.inputs = inputs
        self.seed = seed
        self.temperature = temperature
        self.scheduling = scheduling
        self.recomputeMergedKV = recomputeMergedKV
        self.fixedBudgets = fixedBudgets
    }
}
