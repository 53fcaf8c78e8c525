/// Where a segment's first token sits, as a rule plus the segments it is measured from.
///
/// Every rule is executed the same way, which keeps the runtime simple: the segment starts at the
/// largest end position of the segments in `after`, or at 0 when `after` is empty. The rule's name
/// says *why* those anchors were chosen, for people and for checks.
public struct Placement: Codable, Equatable, Sendable {
    /// The position rule.
    public var rule: PositionRule
    /// The segments whose end positions the start is the maximum of (empty = position 0).
    public var after: [SegmentID]

    /// Creates a placement.
    public init(_ rule: PositionRule, after: [SegmentID] = []) {
        self.rule = rule
        self.after = after
    }

    /// Starts at position 0 (a root prompt, an isolated child).
    public static let start = Placement(.start)

    /// Continues the thread right after `previous`.
    public static func continues(_ previous: SegmentID) -> Placement { Placement(.continue, after: [previous]) }

    /// Starts where `parent` ends, like each of its siblings (ParaThinker's paths).
    public static func shared(_ parent: SegmentID) -> Placement { Placement(.shared, after: [parent]) }

    /// Starts after the longest of `sources` (ParaThinker's summary).
    public static func afterLongest(_ sources: [SegmentID]) -> Placement { Placement(.afterLongest, after: sources) }

    /// Laid end to end: starts where `previous` (the previous sibling, or the fork point) ends.
    public static func flat(_ previous: SegmentID) -> Placement { Placement(.flat, after: [previous]) }

    /// The start position, given the end positions of the segments already placed.
    /// Returns `nil` when an anchor has no known end yet.
    public func start(ends: [SegmentID: Int]) -> Int? {
        var start = 0
        for anchor in after {
            guard let end = ends[anchor] else { return nil }
            start = max(start, end)
        }
        return start
    }
}

/// Why a segment starts where it does.
public enum PositionRule: String, Codable, Sendable, CaseIterable {
    /// At position 0.
    case start
    /// Right after the previous segment of the same thread.
    case `continue`
    /// At the parent's end, shared with every sibling branch.
    case shared
    /// After the longest of the merge's sources.
    case afterLongest = "after-longest"
    /// Laid end to end after the previous sibling (naive flattening).
    case flat
}
