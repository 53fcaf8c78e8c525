/// Token counts for a mask expansion, as given on the command line: `prompt=12,think=6,summary=4`.
///
/// A segment's length is looked up by its id (`think[1]`), then by `step.kind` (`search.message`), then by its
/// step id (`think` for every branch; not for spliced text). A spliced segment without a length of its own is as
/// long as its sources together.
/// Two keys steer run-time spawns: `children` (per round; default 2, at most the template's limit) and
/// `rounds` (default 1).
public struct MaskLengths: Equatable, Sendable {
    /// Lengths by segment id, `step.kind`, or step id.
    public var values: [String: Int]

    /// Creates lengths from a dictionary.
    public init(_ values: [String: Int] = [:]) {
        self.values = values
    }

    /// Parses `name=count` pairs separated by commas. Throws `PlanError.badLengths` on malformed input.
    public static func parse(_ text: String) throws -> MaskLengths {
        var values: [String: Int] = [:]
        for item in text.split(separator: ",") {
            let pair = item.split(separator: "=", maxSplits: 1).map { String($0).trimmingCharactersInSetWhitespace() }
            guard pair.count == 2, !pair[0].isEmpty else {
                throw PlanError.badLengths(segment: String(item), reason: "expected name=count, e.g. prompt=12")
            }
            guard let count = Int(pair[1]), count >= 0 else {
                throw PlanError.badLengths(segment: pair[0], reason: "'\(pair[1])' is not a token count (a whole number ≥ 0)")
            }
            values[pair[0]] = count
        }
        return MaskLengths(values)
    }

    /// Children per spawn round.
    public var children: Int? { values["children"] }

    /// Spawn rounds to draw.
    public var rounds: Int { values["rounds"] ?? 1 }

    /// The length of `segment`, or `nil` when none is given (spliced segments fall back to their sources).
    public func length(of segment: Segment, known: [SegmentName: Int]) -> Int? {
        let byStep = segment.kind == .spliced ? nil : values[segment.step]
        if let value = values[segment.id] ?? values["\(segment.step).\(segment.kind.rawValue)"] ?? byStep {
            return value
        }
        if case .splice(let splice) = segment.content {
            var total = 0
            for source in splice.sources {
                guard let length = known[source] else { return nil }
                total += length
            }
            return total
        }
        return nil
    }
}
