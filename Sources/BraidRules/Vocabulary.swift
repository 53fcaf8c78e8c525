// The vocabulary graph and plan share (one type per concept, so the two cannot drift apart): how a merge reads
// its branches, how a vote breaks ties, when a fork is done, and chat roles.

/// How a merge reads its fork's branches.
public enum MergeMode: String, Codable, Sendable, Hashable, CaseIterable {
    /// Attend to every branch's KV in place, without prefilling again (ParaThinker's summary).
    case attend
    /// Prefill the branches' text again as one sequence after the parent (the paper's baseline).
    case reprefill
    /// Splice the branches' text into the parent's context as plain text, then continue.
    case text
}

/// How a vote breaks a tie between equally common answers. Branches with no answer do not vote.
public enum TieRule: String, Codable, Sendable, Hashable, CaseIterable {
    /// The answer given by the lowest-numbered branch among the tied answers.
    case firstBranch = "first-branch"
    /// The lexicographically smallest answer.
    case smallest
}

/// When a fork is finished; unfinished branches are then stopped and kept as they stand.
public enum FinishPolicy: Sendable, Hashable {
    /// As soon as one branch finishes (ParaThinker's First-Finish).
    case first
    /// As soon as half the branches (rounded up) finish.
    case half
    /// When every branch finishes (`last` is accepted as a synonym).
    case all
    /// As soon as this many branches finish.
    case count(Int)
    /// As soon as this many finished branches' extracted answers agree (early-stopping vote).
    case agree(Int, extract: Pattern)
}

/// A chat role.
public enum ChatRole: String, Sendable, Hashable, CaseIterable {
    /// The system message.
    case system
    /// The user.
    case user
    /// The assistant (the model).
    case assistant
}
