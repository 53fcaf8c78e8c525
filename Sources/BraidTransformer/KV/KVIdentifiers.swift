/// Names a segment of a `KVStore`: an ordered run of tokens' keys and values that one writer
/// appends to and any number of readers attend to.
public struct SegmentID: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The store-unique number of the segment (never reused within one store).
    public let raw: Int
    /// Wraps a raw number; only a `KVStore` hands out valid ones.
    public init(raw: Int) { self.raw = raw }
    public static func < (a: SegmentID, b: SegmentID) -> Bool { a.raw < b.raw }
    public var description: String { "segment \(raw)" }
}

/// Names a registered view: the ordered list of segments a query token attends to, its own
/// segment last (attended causally).
public struct ViewID: Hashable, Sendable, CustomStringConvertible {
    /// The store-unique number of the view (never reused within one store).
    public let raw: Int
    /// Wraps a raw number; only a `KVStore` hands out valid ones.
    public init(raw: Int) { self.raw = raw }
    public var description: String { "view \(raw)" }
}

/// Why a KV-store operation was refused.
public enum KVError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The segment was never made or has been freed.
    case unknownSegment(SegmentID)
    /// The view was never made or has been released.
    case unknownView(ViewID)
    /// A view must list at least one segment, each once.
    case invalidView(reason: String)
    /// A thought index is negative.
    case invalidThought(Int)
    /// `truncate` asked for a length longer than the segment.
    case invalidLength(SegmentID, requested: Int, length: Int)
    /// Storing more tokens would pass the store's byte limit.
    case outOfMemory(requestedBytes: Int, inUseBytes: Int, limitBytes: Int)
    /// The system refused memory for more KV blocks (no byte limit was passed).
    case allocationFailed(requestedBytes: Int, inUseBytes: Int)

    public var description: String {
        switch self {
        case let .unknownSegment(id): return "KV \(id) does not exist (never made, or already freed)"
        case let .unknownView(id): return "KV \(id) does not exist (never made, or already released)"
        case let .invalidView(reason): return "invalid KV view: \(reason)"
        case let .invalidThought(j): return "thought index \(j) is negative"
        case let .invalidLength(id, requested, length):
            return "cannot truncate \(id) to \(requested) tokens: it holds \(length)"
        case let .outOfMemory(requested, inUse, limit):
            return "KV cache limit reached: \(requested) more bytes needed, \(inUse) in use, limit \(limit) bytes"
        case let .allocationFailed(requested, inUse):
            return "out of memory for the KV cache: \(requested) more bytes refused by the system, \(inUse) in use"
        }
    }
}
