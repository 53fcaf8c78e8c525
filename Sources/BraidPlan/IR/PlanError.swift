/// Why a graph can't be compiled, a plan can't run, or a mask can't be expanded.
/// Every case names the segment or step at fault, so the message can point the user at it.
public enum PlanError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The graph uses something the compiler can't place (a dangling reference, an unsupported step).
    case invalidGraph(step: String, reason: String)
    /// A plan's own structure is inconsistent (a view naming a later segment, a duplicate id).
    case inconsistent(segment: SegmentName, reason: String)
    /// A segment can outgrow the model's context window.
    case contextOverflow(segment: SegmentName, tokens: Int, context: Int, reason: String)
    /// The plan's peak KV memory is over the limit.
    case memoryOverLimit(segment: SegmentName, bytes: Int, limit: Int, stage: String)
    /// A merge reads a fork whose readable branches can all be killed.
    case nothingToRead(merge: String, fork: String, reason: String)
    /// A mask expansion was asked for with missing or bad lengths.
    case badLengths(segment: SegmentName, reason: String)

    /// A one-line message naming what is wrong and where.
    public var description: String {
        switch self {
        case .invalidGraph(let step, let reason):
            return "step '\(step)': \(reason)"
        case .inconsistent(let segment, let reason):
            return "segment '\(segment)': \(reason)"
        case .contextOverflow(let segment, let tokens, let context, let reason):
            return "segment '\(segment)' can reach \(tokens) tokens, over the model's context window of \(context): \(reason)"
        case .memoryOverLimit(let segment, let bytes, let limit, let stage):
            return "stage '\(stage)' needs \(ByteCount.format(bytes)) of KV cache while writing segment '\(segment)', "
                + "over the memory limit of \(ByteCount.format(limit))"
        case .nothingToRead(let merge, let fork, let reason):
            return "merge '\(merge)' reads fork '\(fork)', but \(reason)"
        case .badLengths(let segment, let reason):
            return "segment '\(segment)': \(reason)"
        }
    }
}

/// Formatting and parsing of byte counts (`2GB`, `512 MiB`, `46,080 B`).
public enum ByteCount {
    /// Formats bytes with a binary-ish unit people read easily (`1.5 GB` = 1.5 × 1024³).
    public static func format(_ bytes: Int) -> String {
        let units = ["B", "KB", "MB", "GB", "TB"]
        var value = Double(bytes)
        var unit = 0
        while value >= 1024, unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        if unit == 0 { return "\(bytes) B" }
        let rounded = (value * 10).rounded() / 10
        let text = rounded == rounded.rounded() ? String(Int(rounded)) : String(rounded)
        return "\(text) \(units[unit])"
    }

    /// Parses `2GB`, `512MiB`, `1.5 GB`, `100000` (bytes); units are powers of 1024. `nil` if malformed.
    public static func parse(_ text: String) -> Int? {
        let trimmed = text.trimmingCharactersInSetWhitespace().uppercased()
        let kib = 1024.0
        let multipliers: [(String, Double)] = [
            ("TIB", kib * kib * kib * kib), ("GIB", kib * kib * kib), ("MIB", kib * kib), ("KIB", kib),
            ("TB", kib * kib * kib * kib), ("GB", kib * kib * kib), ("MB", kib * kib), ("KB", kib),
            ("T", kib * kib * kib * kib), ("G", kib * kib * kib), ("M", kib * kib), ("K", kib), ("B", 1),
        ]
        var number = trimmed
        var multiplier = 1.0
        for (suffix, value) in multipliers where trimmed.hasSuffix(suffix) {
            number = String(trimmed.dropLast(suffix.count)).trimmingCharactersInSetWhitespace()
            multiplier = value
            break
        }
        guard let amount = Double(number), amount >= 0, amount.isFinite else { return nil }
        let bytes = amount * multiplier
        guard bytes < Double(Int.max) else { return nil }
        return Int(bytes)
    }
}

extension String {
    /// The string without leading and trailing spaces and tabs (Foundation-free).
    func trimmingCharactersInSetWhitespace() -> String {
        var slice = Substring(self)
        while let first = slice.first, first == " " || first == "\t" { slice = slice.dropFirst() }
        while let last = slice.last, last == " " || last == "\t" { slice = slice.dropLast() }
        return String(slice)
    }
}
