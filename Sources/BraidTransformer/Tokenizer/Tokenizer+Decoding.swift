extension Tokenizer {
    /// The raw bytes of one token (empty for an id outside the vocabulary). Normal tokens have their
    /// byte-level spelling undone; control and user-defined tokens give their text as written.
    public func bytes(of id: Int32) -> [UInt8] {
        guard id >= 0, Int(id) < tokenBytes.count else { return [] }
        return tokenBytes[Int(id)]
    }

    /// Whether `decode` removes one leading space: SentencePiece models that prefix text with `▁`.
    var stripsLeadingSpace: Bool {
        guard let sentencePiece else { return false }
        return sentencePiece.spacePrefix != .never
    }

    /// Whether a token is a control token (e.g. `<|im_start|>`).
    public func isControl(_ id: Int32) -> Bool {
        tokenType(id) == .control
    }

    /// The text of `ids`.
    ///
    /// Bytes that do not form valid UTF-8 (a character cut off at either end) become U+FFFD. Ids outside
    /// the vocabulary contribute nothing.
    /// - Parameter skipControlTokens: leave out control tokens such as `<|im_end|>` (default: keep them, as
    ///   HF's `decode` does, so `decode(encode(s)) == s`).
    public func decode(_ ids: [Int32], skipControlTokens: Bool = false) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(ids.count * 4)
        for id in ids where !(skipControlTokens && isControl(id)) {
            bytes.append(contentsOf: self.bytes(of: id))
        }
        // SentencePiece's decoders drop the one space the encoder put in front of the text (HF: Strip start 1).
        if stripsLeadingSpace, bytes.first == 0x20 { bytes.removeFirst() }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// Turns a stream of token ids into text as it is generated, never cutting a UTF-8 character in two.
///
/// A byte-level token can end in the middle of a character (an emoji is often two or three tokens). The
/// decoder holds such an unfinished character back until the token that completes it arrives; `finish()`
/// flushes whatever is left. Concatenating every `feed` result and `finish()` gives `decode(ids)`.
public struct StreamingDecoder: Sendable {
    private let tokenizer: Tokenizer
    private let skipControlTokens: Bool
    /// Bytes not yet returned: at most the start of one unfinished character.
    private var pending: [UInt8] = []
    /// No byte has been emitted yet (SentencePiece's leading space is dropped, as `decode` does).
    private var atStart = true

    /// A decoder for `tokenizer`'s ids.
    /// - Parameter skipControlTokens: leave out control tokens such as `<|im_end|>`.
    public init(tokenizer: Tokenizer, skipControlTokens: Bool = false) {
        self.tokenizer = tokenizer
        self.skipControlTokens = skipControlTokens
    }

    /// Adds one token and returns the text it completes (possibly empty).
    public mutating func feed(_ id: Int32) -> String {
        if skipControlTokens, tokenizer.isControl(id) { return "" }
        pending.append(contentsOf: tokenizer.bytes(of: id))
        if atStart, !pending.isEmpty {
            atStart = false
            if tokenizer.stripsLeadingSpace, pending.first == 0x20 { pending.removeFirst() }
        }
        let cut = Self.completePrefixLength(pending)
        guard cut > 0 else { return "" }
        let text = String(decoding: pending[..<cut], as: UTF8.self)
        pending.removeFirst(cut)
        return text
    }

    /// Returns what is still held back (an unfinished character becomes U+FFFD) and empties the decoder.
    public mutating func finish() -> String {
        defer { pending.removeAll() }
        return String(decoding: pending, as: UTF8.self)
    }

    /// How many leading bytes can be decoded now: all of them, unless they end with a lead byte followed by
    /// fewer continuation bytes than it announces. Cutting just before a lead byte never changes how the
    /// rest decodes, because every byte of a well-formed character after the first is a continuation byte.
    static func completePrefixLength(_ bytes: [UInt8]) -> Int {
        var index = bytes.count - 1
        let lowest = max(0, bytes.count - 4)
        while index >= lowest {
            let byte = bytes[index]
            if byte & 0xC0 != 0x80 {
                let expected: Int
                switch byte {
                case 0xC0...0xDF: expected = 2
                case 0xE0...0xEF: expected = 3
                case 0xF0...0xF7: expected = 4
                default: expected = 1
                }
                return bytes.count - index < expected ? index : bytes.count
            }
            index -= 1
        }
        return bytes.count
    }
}
