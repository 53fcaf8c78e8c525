/// Finds control and user-defined tokens (e.g. `<|im_start|>`) in text so they are kept whole instead of
/// being cut by the pre-tokenizer. Matching is leftmost-longest on UTF-8 bytes, as in HF tokenizers.
struct SpecialTokenMatcher: Sendable {
    /// A token to find: its bytes, id, and whether it is a control token (skipped when special parsing is off).
    struct Candidate: Sendable {
        let bytes: [UInt8]
        let id: Int32
        let isControl: Bool
    }

    /// Candidates by first byte, longest first.
    private let byFirstByte: [[Candidate]]

    init(_ candidates: [Candidate]) {
        var table = [[Candidate]](repeating: [], count: 256)
        for candidate in candidates {
            guard let first = candidate.bytes.first else { continue }
            table[Int(first)].append(candidate)
        }
        byFirstByte = table.map { $0.sorted { $0.bytes.count > $1.bytes.count } }
    }

    /// Cuts `bytes` into plain-text ranges and special tokens, in order.
    /// - Parameter includeControl: whether control tokens are recognised (user-defined ones always are).
    func partition(_ bytes: [UInt8], includeControl: Bool,
                   text: (Range<Int>) -> Void, special: (Int32) -> Void) {
        var plainStart = 0
        var index = 0
        while index < bytes.count {
            if let match = longestMatch(in: bytes, at: index, includeControl: includeControl) {
                if plainStart < index { text(plainStart..<index) }
                special(match.id)
                index += match.bytes.count
                plainStart = index
            } else {
                index += 1
            }
        }
        if plainStart < bytes.count { text(plainStart..<bytes.count) }
    }

    private func longestMatch(in bytes: [UInt8], at index: Int, includeControl: Bool) -> Candidate? {
        for candidate in byFirstByte[Int(bytes[index])] where includeControl || !candidate.isControl {
            let end = index + candidate.bytes.count
            guard end <= bytes.count else { continue }
            if bytes[index..<end].elementsEqual(candidate.bytes) { return candidate }
        }
        return nil
    }
}
