/// When a segment's KV blocks may be released.
///
/// The runtime holds a reference to a segment's blocks for every view that still has to be read;
/// `Lifetime` is the compile-time statement of when the last reference goes, so bounds can be computed
/// and the runtime can check itself against the plan.
public struct Lifetime: Codable, Equatable, Sendable {
    /// The segment after whose last token this segment's blocks are released (possibly itself).
    public var lastReader: SegmentName
    /// Why the blocks are released then.
    public var reason: ReleaseReason
    /// `true` when a branch stopped by its fork's finish policy is released at once instead.
    public var freedWhenKilled: Bool

    /// Creates a lifetime.
    public init(lastReader: SegmentName, reason: ReleaseReason, freedWhenKilled: Bool = false) {
        self.lastReader = lastReader
        self.reason = reason
        self.freedWhenKilled = freedWhenKilled
    }
}

/// Why a segment's blocks are released when they are.
public enum ReleaseReason: String, Codable, Sendable, CaseIterable {
    /// After the last segment whose view includes it has been written.
    case lastReader = "last-reader"
    /// As soon as its text has been taken by a `reprefill`/`text` merge or a join (no view reads its KV).
    case textTaken = "text-taken"
    /// Nothing reads it after it is written; released when it ends.
    case ownEnd = "own-end"
    /// It is part of the final context and lives until the run ends.
    case runEnd = "run-end"
}
