import BraidGraph

/// A fork: N branch threads that start from the same point of their parent.
public struct ForkPlan: Codable, Equatable, Sendable {
    /// The fork's id: the graph step id scoped by its parent thread (`paths`, `think[0]/deeper`).
    public var id: String
    /// The graph step id (unscoped; what the trace names).
    public var step: String
    /// The thread that forks.
    public var parent: ThreadID
    /// The parent's last segment before the fork (`nil` if the parent has none).
    public var at: SegmentName?
    /// The branch threads, in branch order.
    public var branches: [ThreadID]
    /// The branch segments, in branch order (one per branch).
    public var segments: [SegmentName]
    /// When the fork as a whole is done: the graph's own type, whose `isMet` is the one definition (the executor
    /// asks it after every finished branch). Branches still running then are stopped where they stand and kept
    /// for a merge; their later segments are never written.
    public var finish: FinishPolicy
    /// What a branch sees of its parent.
    public var context: BranchContext

    /// Creates a fork.
    public init(id: String, step: String? = nil, parent: ThreadID, at: SegmentName?, branches: [ThreadID],
                segments: [SegmentName], finish: FinishPolicy, context: BranchContext) {
        self.id = id
        self.step = step ?? id
        self.parent = parent
        self.at = at
        self.branches = branches
        self.segments = segments
        self.finish = finish
        self.context = context
    }
}

/// What a branch or child sees of its parent.
public enum BranchContext: String, Codable, Sendable, CaseIterable {
    /// The parent's view up to the fork point.
    case parent
    /// Nothing of the parent: it starts from its own prompt at position 0.
    case isolated
}

/// A merge: a segment of the parent that reads a fork's branches.
public struct MergePlan: Codable, Equatable, Sendable {
    /// The merge's id: its own segment's name (the graph step id scoped by its thread).
    public var id: String
    /// The graph step id (unscoped; what the trace names).
    public var step: String
    /// How the branches are read (`attend`: the summary reads their KV in place; `reprefill`/`text`: their text is
    /// prefilled again). The graph's own type, so graph and plan cannot drift apart.
    public var mode: MergeMode
    /// The fork whose branches are read.
    public var fork: String
    /// The branch segments read, in order.
    public var sources: [SegmentName]
    /// The segments the merge writes: for `attend` the summary; otherwise the spliced text, then the summary.
    public var segments: [SegmentName]

    /// Creates a merge.
    public init(id: String, step: String? = nil, mode: MergeMode, fork: String, sources: [SegmentName],
                segments: [SegmentName]) {
        self.id = id
        self.step = step ?? id
        self.mode = mode
        self.fork = fork
        self.sources = sources
        self.segments = segments
    }
}

extension ForkPlan {
    /// For `agree`: the pattern extracting a branch's answer.
    public var agreeExtract: Pattern? {
        if case .agree(_, let extract) = finish { return extract }
        return nil
    }
}
