/// What a compile may refuse early, before it materialises a fork: the KV memory a run may hold.
///
/// A fork's branches are written side by side in one stage and all hold their KV then, so a decoding fork of `n`
/// branches with budget `b` needs at least `n × b` tokens of KV at once (forced prefixes and the parent's context
/// only add to it). When that alone is over the limit, the plan can't fit whatever else it does, and the compiler
/// says so before building the branches: a graph asking for 100,000 paths is refused at once instead of after
/// compiling them. Everything else is checked on the whole plan by `Bounds`.
public struct CompileLimits: Sendable, Equatable {
    /// The model's KV bytes per token.
    public var kvBytesPerToken: Int
    /// The most KV bytes a run may hold.
    public var memoryLimit: Int

    /// Limits for `model` under `memoryLimit` bytes of KV.
    public init(model: ModelShape, memoryLimit: Int) {
        kvBytesPerToken = model.kvBytesPerToken
        self.memoryLimit = memoryLimit
    }

    /// Refuses a decoding fork whose branches' budgets alone are over the memory limit. `id` is the fork's
    /// scoped id (its first branch is `id[0]`), `step` the graph step.
    func checkFork(id: String, step: String, branches: Int, maxTokens: Int) throws {
        let (tokens, tokensOverflow) = branches.multipliedReportingOverflow(by: max(0, maxTokens))
        let (bytes, bytesOverflow) = tokens.multipliedReportingOverflow(by: kvBytesPerToken)
        guard tokensOverflow || bytesOverflow || bytes > memoryLimit else { return }
        throw PlanError.memoryOverLimit(segment: "\(id)[0]", bytes: tokensOverflow || bytesOverflow ? Int.max : bytes,
                                        limit: memoryLimit, stage: step)
    }
}
