/// Opens parallel branches that all continue the current context (`fork:`).
///
/// Each branch writes its prefix, decodes with `generation` (when present), then runs `steps` (which may
/// fork again). The fork finishes according to `finish`; a later `merge` or `vote` reads its branches.
public struct Fork: Sendable, Hashable {
    /// How many branches.
    public var count: Int
    /// Each branch's forced opening text.
    public var prefix: BranchPrefix
    /// Where branch positions start.
    public var positions: ForkPositions
    /// What each branch attends to.
    public var sees: BranchView
    /// The per-branch thought embedding (ParaThinker's learned segment vector), if any.
    public var thought: ThoughtEmbedding
    /// When the fork as a whole is finished.
    public var finish: FinishPolicy
    /// Each branch's decoding after its prefix; nil when the branch only runs `steps`.
    public var generation: Generation?
    /// Steps each branch runs after its prefix and generation (variables `{i}`, `{i0}` stay available).
    public var steps: [Step]

    /// Creates a fork.
    public init(count: Int, prefix: BranchPrefix = .template(Template(pieces: [])), positions: ForkPositions = .shared,
                sees: BranchView = .parent, thought: ThoughtEmbedding = .none, finish: FinishPolicy = .all,
                generation: Generation? = Generation(), steps: [Step] = []) {
        self.count = count
        self.prefix = prefix
        self.positions = positions
        self.sees = sees
        self.thought = thought
        self.finish = finish
        self.generation = generation
        self.steps = steps
    }

    /// The prefix template of branch `index` (0-based); `{i}` in it is still to be rendered.
    public func prefix(forBranch index: Int) -> Template {
        switch prefix {
        case .template(let template): return template
        case .list(let list): return index >= 0 && index < list.count ? list[index] : Template(pieces: [])
        }
    }
}

/// A fork's per-branch prefix.
public enum BranchPrefix: Sendable, Hashable {
    /// One template for every branch (usually with `{i}`, e.g. `<think{i}>`).
    case template(Template)
    /// One prefix per branch, given explicitly (`branches: [..]`); its length is the count.
    case list([Template])
}

/// Where a fork's branches are placed in position (RoPE) space.
public enum ForkPositions: String, Sendable, Hashable, CaseIterable {
    /// Every branch starts where the parent ends (ParaThinker).
    case shared
    /// Branches are laid end to end, as if concatenated (the naive-flattening ablation).
    case flat
}

/// What a branch attends to besides itself.
public enum BranchView: String, Sendable, Hashable, CaseIterable {
    /// The parent context (prompt and earlier steps) but no sibling.
    case parent
    /// Only itself: the branch's own prompt is its prefix (for `isolated` the parent's KV is not read).
    case isolated
}

/// Which thought embedding a branch's tokens carry.
public enum ThoughtEmbedding: Sendable, Hashable {
    /// None.
    case none
    /// Branch i (1-based) carries embedding i; the parent carries 0 (ParaThinker).
    case branch
    /// Every branch carries this fixed index.
    case fixed(Int)
}
