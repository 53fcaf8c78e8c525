extension Tokenizer {
    /// A SentencePiece BPE tokenizer from its pieces (a `tokenizer.model`, or a GGUF `llama` tokenizer).
    ///
    /// - Parameters:
    ///   - tokens: each piece's text (`▁` for spaces, `<0xNN>` for byte pieces).
    ///   - types: SentencePiece piece types (same numbering as GGUF `token_type`).
    ///   - scores: one per piece; merges apply in descending score order of the merged piece.
    ///   - merges: explicit merges in rank order (a `tokenizer.json`); when given, `scores` are not used.
    ///   - spacePrefix: when `▁` is put in front of a text segment (`add_dummy_prefix`, `prepend_scheme`).
    ///   - metaspace: HF `Metaspace` semantics (no prefix when the segment already starts with a space).
    ///   - byteFallback: characters without a piece become `<0xNN>` tokens (else the unknown token).
    init(sentencePieceTokens tokens: [String], types: [TokenType], scores: [Float]?,
         merges: [(left: String, right: String)]?, spacePrefix: SpacePrefix, metaspace: Bool,
         byteFallback: Bool, fuseUnknown: Bool, ids: SpecialIDs, addBOS: Bool, chatTemplate: String?) throws {
        guard types.count == tokens.count else {
            throw TokenizerError.tokenTypeCountMismatch(tokens: tokens.count, types: types.count)
        }
        // `tokenizer.json` lists `<0xNN>` pieces as ordinary vocabulary; they decode to their byte all the same.
        let types = zip(tokens, types).map { text, type in
            type == .normal && SentencePieceEncoder.byteValue(text) != nil ? TokenType.byte : type
        }
        var characterIDs: [Unicode.Scalar: Int32] = [:]
        var idOf: [String: Int32] = [:]
        idOf.reserveCapacity(tokens.count)
        for (index, text) in tokens.enumerated() where types[index] != .control && types[index] != .unknown {
            if idOf[text] == nil { idOf[text] = Int32(index) }
            let scalars = text.unicodeScalars
            if types[index] != .byte, scalars.count == 1, let scalar = scalars.first, characterIDs[scalar] == nil {
                characterIDs[scalar] = Int32(index)
            }
        }
        let ranked: [(left: Int32, right: Int32, merged: Int32, rank: Int32)]
        if let merges {
            var resolved: [(left: Int32, right: Int32, merged: Int32, rank: Int32)] = []
            resolved.reserveCapacity(merges.count)
            for (index, merge) in merges.enumerated() {
                guard let left = idOf[merge.left], let right = idOf[merge.right] else {
                    throw TokenizerError.malformedMerge(index: index, text: merge.left + " " + merge.right,
                                                        reason: "a side is not in the vocabulary")
                }
                guard let merged = idOf[merge.left + merge.right] else {
                    throw TokenizerError.malformedMerge(index: index, text: merge.left + " " + merge.right,
                                                        reason: "the merged token is not in the vocabulary")
                }
                resolved.append((left, right, merged, Int32(clamping: index)))
            }
            ranked = resolved
        } else {
            guard let scores, scores.count == tokens.count else {
                throw TokenizerError.missingMetadata(key: "scores (one per piece)")
            }
            ranked = SentencePieceEncoder.mergesFromScores(tokens: tokens, types: types, scores: scores)
        }
        let byteIDs = byteFallback ? SentencePieceEncoder.byteTokenIDs(tokens: tokens) : nil
        if byteFallback, byteIDs == nil { throw TokenizerError.missingByteTokens }
        let front = SentencePieceEncoder(characterIDs: characterIDs, byteIDs: byteIDs,
                                         unknownID: ids.unknown.flatMap { $0 >= 0 && $0 < tokens.count ? Int32($0) : nil },
                                         fusesUnknown: fuseUnknown, spacePrefix: spacePrefix,
                                         prefixOnlyWithoutSpace: metaspace)
        try self.init(tokens: tokens, types: types,
                      tokenBytes: zip(tokens, types).map { SentencePieceEncoder.bytes(of: $0, type: $1) },
                      encoder: BytePairEncoder(byteTokens: [Int32](repeating: -1, count: 256), rankedMerges: ranked),
                      sentencePiece: front, preTokenizer: .gpt2, normalization: .none, wholePieceIDs: nil,
                      ids: ids, addBOS: addBOS, chatTemplate: chatTemplate)
    }

    /// Whether this is a SentencePiece-style tokenizer (`▁` spaces, byte fallback) rather than byte-level BPE.
    public var isSentencePiece: Bool { sentencePiece != nil }
}
