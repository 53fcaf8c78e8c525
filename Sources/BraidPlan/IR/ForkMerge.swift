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
    /// When the fork as a whole is done.
    public var finish: FinishRule
    /// For `agree`: the regular expression extracting a branch's answer.
    public var agreeExtract: String?
    /// What a branch sees of its parent.
    public var context: BranchContext

    /// Creates a fork.
    public init(id: String, step: String? = nil, parent: ThreadID, at: SegmentName?, branches: [ThreadID],
                segments: [SegmentName], finish: FinishRule, agreeExtract: String? = nil, context: BranchContext) {
        self.id = id
        self.step = step ?? id
        self.parent = parent
        self.at = at
        self.branches = branches
        self.segments = segments
        self.finish = finish
        self.agreeExtract = agreeExtract
        self.context = context
    }
}

/// When a fork is done (its meaning is `FinishPolicy.isMet` in BraidGraph; see `ForkPlan.finishPolicy`). Branches still running then
/// are stopped where they stand and kept for a merge; their later segments are never written.
public enum FinishRule: Codable, Equatable, Sendable {
    /// As soon as one branch finishes (ParaThinker's First-Finish).
    case first
    /// As soon as half the branches (rounded up) finish.
    case half
    /// When every branch finishes.
    case all
    /// As soon as `k` branches finish.
    case count(Int)
    /// As soon as `k` finished branches' extracted answers agree.
    case agree(Int)

    /// Short text form (`first`, `count 3`, `agree 2`).
    public var label: String {
        switch self {
        case .first: return "first"
        case .half: return "half"
        case .all: return "all"
        case .count(let k): return "count \(k)"
        case .agree(let k): return "agree \(k)"
        }
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
    /// The fork's finish rule as the graph language's `FinishPolicy`, whose `isMet` is the one definition of when
    /// a fork is done (the executor asks it after every finished branch).
    public var finishPolicy: FinishPolicy {
        switch finish {
        case .first: return .first
        case .half: return .half
        case .all: return .all
        case .count(let k): return .count(k)
        case .agree(let k): return .agree(k, extract: Pattern(agreeExtract ?? ""))
        }
    }
}
