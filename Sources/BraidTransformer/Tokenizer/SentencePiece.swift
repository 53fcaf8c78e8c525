import Foundation

/// Unicode normalization applied to the text between special tokens before it is tokenized.
enum TextNormalization: Sendable, Equatable {
    /// Text is used as written.
    case none
    /// Canonical composition (`tokenizer.json` normalizer `NFC`, Qwen2): `e` + U+0301 becomes `é`.
    case nfc

    /// `text` normalized.
    func apply(_ text: String) -> String {
        switch self {
        case .none: return text
        case .nfc: return text.precomposedStringWithCanonicalMapping
        }
    }
}

/// When SentencePiece puts `▁` in front of a text segment (a segment is the text between special tokens).
enum SpacePrefix: Sendable, Equatable {
    /// Every segment (HF `Metaspace` `prepend_scheme: always`, legacy `Prepend` normalizer).
    case always
    /// Only the segment that starts the text (`prepend_scheme: first`).
    case first
    /// Never (`prepend_scheme: never`, SentencePiece `add_dummy_prefix: false`).
    case never
}

/// SentencePiece-style BPE (Llama 2): spaces are spelled `▁`, the initial symbols are Unicode characters, a
/// character missing from the vocabulary becomes its UTF-8 bytes as `<0xNN>` tokens (byte fallback), and pairs
/// are merged by rank (the `tokenizer.json` merge order, or for a `tokenizer.model` the score of the merged
/// piece, equal scores merging leftmost first, as SentencePiece does).
struct SentencePieceEncoder: Sendable {
    /// Token ids of single characters, the initial symbols.
    let characterIDs: [Unicode.Scalar: Int32]
    /// The `<0xNN>` token of each byte, or `nil` without byte fallback.
    let byteIDs: [Int32]?
    /// The token for a character with neither a piece nor byte fallback; `nil` drops such characters.
    let unknownID: Int32?
    /// Whether consecutive unknown characters become one unknown token (`fuse_unk`).
    let fusesUnknown: Bool
    /// When a `▁` is prepended.
    let spacePrefix: SpacePrefix
    /// HF `Metaspace` (`true`) prepends only when the segment does not already start with `▁`; the legacy
    /// `Prepend` normalizer and SentencePiece itself (`false`) always do.
    let prefixOnlyWithoutSpace: Bool

    /// The word separator SentencePiece writes instead of a space.
    static let space: Unicode.Scalar = "\u{2581}"

    /// Appends the tokens of one segment of plain text. `isFirst`: the segment starts the whole text.
    func encode(_ text: String, isFirst: Bool, merger: BytePairEncoder, into output: inout [Int32]) {
        var scalars = String.UnicodeScalarView()
        let prefix: Bool
        switch spacePrefix {
        case .always: prefix = true
        case .first: prefix = isFirst
        case .never: prefix = false
        }
        let startsWithSpace = text.unicodeScalars.first == " " || text.unicodeScalars.first == Self.space
        if prefix, !(prefixOnlyWithoutSpace && startsWithSpace) { scalars.append(Self.space) }
        for scalar in text.unicodeScalars { scalars.append(scalar == " " ? Self.space : scalar) }

        var ids: [Int32] = []
        ids.reserveCapacity(scalars.count)
        var previousWasUnknown = false
        for scalar in scalars {
            if let id = characterIDs[scalar] {
                ids.append(id)
                previousWasUnknown = false
            } else if let byteIDs {
                for byte in String(scalar).utf8 { ids.append(byteIDs[Int(byte)]) }
                previousWasUnknown = false
            } else if let unknownID {
                if !(fusesUnknown && previousWasUnknown) { ids.append(unknownID) }
                previousWasUnknown = true
            }
        }
        merger.merge(&ids)
        output.append(contentsOf: ids)
    }

    /// The `<0xNN>` ids of a vocabulary when every byte has one (SentencePiece writes them uppercase).
    static func byteTokenIDs(tokens: [String]) -> [Int32]? {
        var found = [Int32](repeating: -1, count: 256)
        for (index, text) in tokens.enumerated() {
            guard let byte = byteValue(text) else { continue }
            if found[Int(byte)] < 0 { found[Int(byte)] = Int32(index) }
        }
        return found.contains(-1) ? nil : found
    }

    /// The byte a `<0xNN>` token stands for.
    static func byteValue(_ text: String) -> UInt8? {
        let utf8 = Array(text.utf8)
        guard utf8.count == 6, text.hasPrefix("<0x"), text.hasSuffix(">") else { return nil }
        return UInt8(String(decoding: utf8[3..<5], as: UTF8.self), radix: 16)
    }

    /// The bytes a SentencePiece token decodes to: `▁` as a space, `<0xNN>` byte tokens as their byte.
    static func bytes(of text: String, type: TokenType) -> [UInt8] {
        if type == .byte, let byte = byteValue(text) { return [byte] }
        guard type == .normal || type == .undefined || type == .userDefined else { return Array(text.utf8) }
        return Array(text.replacingOccurrences(of: String(space), with: " ").utf8)
    }

    /// Merges derived from piece scores, as SentencePiece's BPE applies them: any two adjacent symbols whose
    /// concatenation is a normal piece may merge, better-scored results first. Ranks are dense over the
    /// distinct scores, so equally scored merges share a rank and the leftmost wins.
    static func mergesFromScores(tokens: [String], types: [TokenType], scores: [Float])
        -> [(left: Int32, right: Int32, merged: Int32, rank: Int32)] {
        var idOf: [String: Int32] = [:]
        idOf.reserveCapacity(tokens.count)
        for (index, text) in tokens.enumerated() where types[index] == .normal || types[index] == .userDefined {
            if idOf[text] == nil { idOf[text] = Int32(index) }
        }
        let distinct = Array(Set(scores)).sorted(by: >)
        var rankOfScore: [Float: Int32] = [:]
        for (rank, score) in distinct.enumerated() { rankOfScore[score] = Int32(clamping: rank) }
        var merges: [(left: Int32, right: Int32, merged: Int32, rank: Int32)] = []
        for (index, text) in tokens.enumerated() where types[index] == .normal {
            let scalars = Array(text.unicodeScalars)
            guard scalars.count >= 2 else { continue }
            let rank = rankOfScore[scores[index]] ?? Int32.max
            for cut in 1..<scalars.count {
                var left = String.UnicodeScalarView(), right = String.UnicodeScalarView()
                left.append(contentsOf: scalars[..<cut])
                right.append(contentsOf: scalars[cut...])
                if let l = idOf[String(left)], let r = idOf[String(right)] {
                    merges.append((l, r, Int32(index), rank))
                }
            }
        }
        return merges
    }
}
