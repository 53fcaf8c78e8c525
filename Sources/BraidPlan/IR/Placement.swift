/// Where a segment's first token sits, as a rule plus the segments it is measured from.
///
/// Every rule is executed the same way: the segment starts at the largest end position of the segments in
/// `after` (0 when empty), plus the lengths of the segments in `plus`, plus `slot` × the fork's slot length
/// (naive flattening: branch i takes the i-th slot of l_max positions, l_max being a branch's forced prefix plus
/// budget at run time). The rule's name says *why* those anchors were chosen, for people and for checks.
public struct Placement: Codable, Equatable, Sendable {
    /// The position rule.
    public var rule: PositionRule
    /// The segments whose end positions the start is the maximum of (empty = position 0).
    public var after: [SegmentName]
    /// Segments whose lengths are added (a flat merge after shared branches starts after all of them).
    public var plus: [SegmentName]
    /// For a flat branch: its slot index; the start moves by this many slot lengths.
    public var slot: Int?

    /// Creates a placement.
    public init(_ rule: PositionRule, after: [SegmentName] = [], plus: [SegmentName] = [], slot: Int? = nil) {
        self.rule = rule
        self.after = after
        self.plus = plus
        self.slot = slot
    }

    /// Starts at position 0 (a root prompt, an isolated child).
    public static let start = Placement(.start)

    /// Continues the thread right after `previous`.
    public static func continues(_ previous: SegmentName) -> Placement { Placement(.continue, after: [previous]) }

    /// Starts where `parent` ends, like each of its siblings (ParaThinker's paths).
    public static func shared(_ parent: SegmentName) -> Placement { Placement(.shared, after: [parent]) }

    /// Starts after the longest of `sources` (ParaThinker's summary).
    public static func afterLongest(_ sources: [SegmentName]) -> Placement { Placement(.afterLongest, after: sources) }

    /// The start position, given the end positions and lengths of the segments already placed and the slot
    /// length of a flat fork. Returns `nil` when an anchor has no known end yet.
    public func start(ends: [SegmentName: Int], lengths: [SegmentName: Int] = [:], slotLength: Int = 0) -> Int? {
        var start = 0
        for anchor in after {
            guard let end = ends[anchor] else { return nil }
            start = max(start, end)
        }
        for segment in plus {
            guard let length = lengths[segment] else { return nil }
            start += length
        }
        return start + (slot ?? 0) * slotLength
    }

    /// Keys of the anchors this placement reads, for checks.
    public var anchors: [SegmentName] { after + plus }
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
