import Foundation

/// Remembers the tokens of recently seen pre-token pieces: natural text repeats the same words, and BPE on
/// a piece is the costly step. Shared by all copies of a `Tokenizer` and safe to use from several threads.
final class PieceCache: @unchecked Sendable {
    /// Pieces longer than this are not cached (they are rare and would crowd out useful entries).
    static let maxPieceLength = 64
    /// The cache is emptied when it reaches this many entries, bounding its memory.
    static let capacity = 1 << 16

    private let lock = NSLock()
    private var entries: [ArraySlice<UInt8>: [Int32]] = [:]

    /// The cached tokens of `piece`, if any.
    func tokens(for piece: ArraySlice<UInt8>) -> [Int32]? {
        lock.lock()
        defer { lock.unlock() }
        return entries[piece]
    }

    /// Stores the tokens of `piece`.
    func store(_ tokens: [Int32], for piece: ArraySlice<UInt8>) {
        lock.lock()
        defer { lock.unlock() }
        if entries.count >= Self.capacity { entries.removeAll(keepingCapacity: true) }
        // A copy, so the cache never keeps the caller's whole input buffer alive.
        entries[ArraySlice(Array(piece))] = tokens
    }
}
