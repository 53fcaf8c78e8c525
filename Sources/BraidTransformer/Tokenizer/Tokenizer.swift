/// A BPE tokenizer: byte-level BPE (the GPT-2 family: SmolLM2, Qwen2, DeepSeek-R1-Distill, Llama 3) or
/// SentencePiece-style BPE (Llama 2: `▁` for spaces, `<0xNN>` byte fallback), read from GGUF metadata, a
/// Hugging Face `tokenizer.json` or a SentencePiece `tokenizer.model`.
///
/// Encoding: control and user-defined tokens are found whole in the text; the text between them is normalized
/// (NFC where the model asks), cut by the pre-tokenizer (byte-level) or spelled with `▁` (SentencePiece), and
/// merged by BPE. Decoding maps tokens back to bytes (byte-level spelling or `▁` undone for normal tokens,
/// byte tokens as their byte, control tokens as written) and reads them as UTF-8.
///
/// A value type, cheap to copy and safe to share across threads.
public struct Tokenizer: Sendable {
    /// Each token's text as stored in the model (byte-level spelled for normal tokens).
    let tokens: [String]
    /// Each token's kind.
    let types: [TokenType]
    /// Each token's raw bytes, what decoding emits.
    let tokenBytes: [[UInt8]]
    let encoder: BytePairEncoder
    let specialTokens: SpecialTokenMatcher
    let cache = PieceCache()
    /// The SentencePiece front end, `nil` for byte-level BPE.
    let sentencePiece: SentencePieceEncoder?
    /// Unicode normalization applied to text between special tokens (`tokenizer.json` `normalizer`).
    let normalization: TextNormalization
    /// Whole pre-token pieces that are emitted without merging when they are in the vocabulary
    /// (`tokenizer.json` BPE `ignore_merges`, set by Llama 3); `nil` when merges always run.
    let wholePieceIDs: [[UInt8]: Int32]?

    /// The pre-tokenizer that cuts text into BPE pieces (byte-level BPE; unused by SentencePiece models).
    public let preTokenizer: PreTokenizerKind
    /// The beginning-of-sequence token, if the model has one.
    public let bosID: Int32?
    /// The end-of-sequence token, if the model has one.
    public let eosID: Int32?
    /// The unknown token named by the metadata, if any (byte-level BPE never produces it; see `bytesWithoutToken`).
    public let unknownID: Int32?
    /// Byte values the vocabulary has no token for. `encode` drops them (as HF tokenizers and llama.cpp do),
    /// so text whose UTF-8 contains one of them does not round-trip.
    public internal(set) var bytesWithoutToken: [UInt8]
    /// Whether `encode` starts every text with `bosID` (GGUF `tokenizer.ggml.add_bos_token`).
    public let addsBOS: Bool
    /// Tokens after which generation stops: `eosID`, the end-of-turn id if given, and control tokens whose text
    /// is a known end marker (`<|im_end|>`, `<|endoftext|>`, `<|eot_id|>`, ...).
    public let endOfGenerationIDs: Set<Int32>
    /// The model's chat template source (GGUF `tokenizer.chat_template`), if any.
    public let chatTemplateSource: String?
    /// The chat format Braid applies, detected from the template and vocabulary; `nil` if there is none.
    public let chatFormat: ChatFormat?

    /// Texts that mark the end of a turn or of a document in widely used vocabularies (llama.cpp uses the same
    /// list to find end-of-generation tokens that the metadata does not name).
    static let endMarkers: Set<String> = [
        "<|im_end|>", "<|endoftext|>", "<|eot_id|>", "<|eom_id|>", "<|end|>", "<end_of_turn>",
        "<|end_of_text|>", "<｜end▁of▁sentence｜>", "<EOT>",
    ]

    /// Builds a tokenizer from the vocabulary and merges, as read from a GGUF file.
    ///
    /// - Parameters:
    ///   - tokens: `tokenizer.ggml.tokens`, the text of each token.
    ///   - tokenTypes: `tokenizer.ggml.token_type`, one per token (GGUF numbering, see `TokenType`); unknown
    ///     numbers are treated as normal tokens.
    ///   - merges: `tokenizer.ggml.merges`, best first, each `"left right"` in byte-level spelling.
    ///   - preTokenizer: how text is cut before BPE.
    ///   - bos, eos, unknown, endOfTurn: special token ids from the metadata.
    ///   - addBOS: whether `encode` prepends `bos`.
    ///   - chatTemplate: `tokenizer.chat_template`.
    /// - Throws: `TokenizerError` naming the first inconsistency (count mismatch, malformed merge, id out of range).
    public init(tokens: [String], tokenTypes: [Int], merges: [String], preTokenizer: PreTokenizerKind,
                bos: Int?, eos: Int?, unknown: Int? = nil, endOfTurn: Int? = nil, addBOS: Bool = false,
                chatTemplate: String?) throws {
        try self.init(tokens: tokens, tokenTypes: tokenTypes, merges: merges.map { .joined($0) },
                      preTokenizer: preTokenizer, normalization: .none, ignoreMerges: false,
                      ids: SpecialIDs(bos: bos, eos: eos, unknown: unknown, endOfTurn: endOfTurn),
                      addBOS: addBOS, chatTemplate: chatTemplate)
    }

    /// A merge as a file states it: `"left right"` (GGUF, legacy `tokenizer.json`) or a pair (`tokenizer.json`).
    enum MergeText {
        case joined(String)
        case pair(String, String)
    }

    /// Special token ids as the model's files name them.
    struct SpecialIDs {
        var bos: Int?
        var eos: Int?
        var unknown: Int? = nil
        var endOfTurn: Int? = nil
    }

    /// Byte-level BPE with every option the GGUF and `tokenizer.json` readers need.
    init(tokens: [String], tokenTypes: [Int], merges: [MergeText], preTokenizer: PreTokenizerKind,
         normalization: TextNormalization, ignoreMerges: Bool, ids: SpecialIDs, addBOS: Bool,
         chatTemplate: String?) throws {
        let types = tokenTypes.map { TokenType(rawValue: $0) ?? .normal }
        guard tokenTypes.count == tokens.count else {
            throw TokenizerError.tokenTypeCountMismatch(tokens: tokens.count, types: tokenTypes.count)
        }
        var tokenBytes: [[UInt8]] = []
        tokenBytes.reserveCapacity(tokens.count)
        // Raw bytes → id for the BPE alphabet; a normal token wins over another kind with the same bytes.
        var idForBytes: [[UInt8]: Int32] = [:]
        idForBytes.reserveCapacity(tokens.count)
        for (index, text) in tokens.enumerated() {
            let type = types[index]
            // A "normal" token outside the alphabet is taken as plain UTF-8, as HF's GGUF loader does.
            let bytes = type.isByteLevelSpelled ? (ByteLevel.decode(spelling: text) ?? Array(text.utf8))
                                                : Array(text.utf8)
            tokenBytes.append(bytes)
            if type.isByteLevelSpelled {
                if let existing = idForBytes[bytes], types[Int(existing)].isByteLevelSpelled { continue }
                idForBytes[bytes] = Int32(index)
            } else if idForBytes[bytes] == nil {
                idForBytes[bytes] = Int32(index)
            }
        }
        let byteTokens = (0..<256).map { byte in idForBytes[[UInt8(byte)]] ?? -1 }
        var mergeIDs: [(left: Int32, right: Int32, merged: Int32)] = []
        mergeIDs.reserveCapacity(merges.count)
        for (index, merge) in merges.enumerated() {
            mergeIDs.append(try Self.resolve(merge: merge, index: index, idForBytes: idForBytes))
        }
        try self.init(tokens: tokens, types: types, tokenBytes: tokenBytes,
                      encoder: BytePairEncoder(byteTokens: byteTokens, merges: mergeIDs),
                      sentencePiece: nil, preTokenizer: preTokenizer, normalization: normalization,
                      wholePieceIDs: ignoreMerges ? idForBytes : nil, ids: ids, addBOS: addBOS,
                      chatTemplate: chatTemplate)
        self.bytesWithoutToken = (0..<256).filter { byteTokens[$0] < 0 }.map(UInt8.init)
    }

    /// The parts every tokenizer shares, from a vocabulary whose token bytes are already known.
    init(tokens: [String], types: [TokenType], tokenBytes: [[UInt8]], encoder: BytePairEncoder,
         sentencePiece: SentencePieceEncoder?, preTokenizer: PreTokenizerKind, normalization: TextNormalization,
         wholePieceIDs: [[UInt8]: Int32]?, ids: SpecialIDs, addBOS: Bool, chatTemplate: String?) throws {
        guard !tokens.isEmpty else { throw TokenizerError.emptyVocabulary }
        func checkedID(_ id: Int?, _ name: String) throws -> Int32? {
            guard let id else { return nil }
            guard id >= 0, id < tokens.count else {
                throw TokenizerError.tokenIDOutOfRange(name: name, id: id, vocabularySize: tokens.count)
            }
            return Int32(id)
        }
        self.tokens = tokens
        self.types = types
        self.tokenBytes = tokenBytes
        self.encoder = encoder
        self.sentencePiece = sentencePiece
        self.preTokenizer = preTokenizer
        self.normalization = normalization
        self.wholePieceIDs = wholePieceIDs
        self.bosID = try checkedID(ids.bos, "bos")
        self.eosID = try checkedID(ids.eos, "eos")
        self.unknownID = try checkedID(ids.unknown, "unknown")
        let endOfTurnID = try checkedID(ids.endOfTurn, "end-of-turn")
        self.addsBOS = addBOS && bosID != nil
        self.chatTemplateSource = chatTemplate
        self.bytesWithoutToken = []

        var candidates: [SpecialTokenMatcher.Candidate] = []
        var endOfGeneration = Set([eosID, endOfTurnID].compactMap { $0 })
        for (index, text) in tokens.enumerated() {
            let type = types[index]
            let bytes = Array(text.utf8)
            if type.isMatchedWhole, !bytes.isEmpty {
                candidates.append(.init(bytes: bytes, id: Int32(index), isControl: type == .control))
            }
            if type == .control, Self.endMarkers.contains(text) { endOfGeneration.insert(Int32(index)) }
        }
        self.specialTokens = SpecialTokenMatcher(candidates)
        self.endOfGenerationIDs = endOfGeneration
        self.chatFormat = ChatFormat.detect(template: chatTemplate, tokens: tokens)
    }

    /// The ids of a merge's two sides, and of their concatenation.
    private static func resolve(merge: MergeText, index: Int, idForBytes: [[UInt8]: Int32]) throws
        -> (left: Int32, right: Int32, merged: Int32) {
        func bytes(_ text: String) -> [UInt8] { ByteLevel.decode(spelling: text) ?? Array(text.utf8) }
        let left: [UInt8], right: [UInt8], shown: String
        switch merge {
        case .pair(let a, let b):
            (left, right, shown) = (bytes(a), bytes(b), a + " " + b)
        case .joined(let text):
            // The separator is the first space after the first character (a token never holds a raw space in
            // byte-level spelling, but llama.cpp also tolerates one at the start).
            let scalars = Array(text.unicodeScalars)
            guard scalars.count >= 3, let space = scalars.dropFirst().firstIndex(of: " ") else {
                throw TokenizerError.malformedMerge(index: index, text: text, reason: "expected two tokens separated by a space")
            }
            func part(_ slice: ArraySlice<Unicode.Scalar>) -> String {
                var view = String.UnicodeScalarView()
                view.append(contentsOf: slice)
                return String(view)
            }
            (left, right, shown) = (bytes(part(scalars[..<space])), bytes(part(scalars[(space + 1)...])), text)
        }
        guard let leftID = idForBytes[left], let rightID = idForBytes[right] else {
            throw TokenizerError.malformedMerge(index: index, text: shown, reason: "a side is not in the vocabulary")
        }
        guard let mergedID = idForBytes[left + right] else {
            throw TokenizerError.malformedMerge(index: index, text: shown, reason: "the merged token is not in the vocabulary")
        }
        return (leftID, rightID, mergedID)
    }

    /// The number of tokens in the vocabulary (ids are `0..<vocabularySize`).
    public var vocabularySize: Int { tokens.count }

    /// The token's text as the model stores it (byte-level spelled for normal tokens, e.g. `Ġthe`), or `nil`
    /// for an id outside the vocabulary.
    public func tokenString(_ id: Int32) -> String? {
        guard id >= 0, Int(id) < tokens.count else { return nil }
        return tokens[Int(id)]
    }

    /// The token's kind, or `nil` for an id outside the vocabulary.
    public func tokenType(_ id: Int32) -> TokenType? {
        guard id >= 0, Int(id) < types.count else { return nil }
        return types[Int(id)]
    }

    /// Whether generation should stop after this token (see `endOfGenerationIDs`).
    public func isEndOfGeneration(_ id: Int32) -> Bool {
        endOfGenerationIDs.contains(id)
    }
}
