extension Tokenizer {
    /// The GGUF metadata keys the tokenizer reads (llama.cpp's names).
    enum MetadataKey {
        static let model = "tokenizer.ggml.model"
        static let pre = "tokenizer.ggml.pre"
        static let tokens = "tokenizer.ggml.tokens"
        static let tokenTypes = "tokenizer.ggml.token_type"
        static let merges = "tokenizer.ggml.merges"
        static let bos = "tokenizer.ggml.bos_token_id"
        static let eos = "tokenizer.ggml.eos_token_id"
        static let unknown = "tokenizer.ggml.unknown_token_id"
        static let endOfTurn = "tokenizer.ggml.eot_token_id"
        static let addBOS = "tokenizer.ggml.add_bos_token"
        static let chatTemplate = "tokenizer.chat_template"
        static let scores = "tokenizer.ggml.scores"
        static let addSpacePrefix = "tokenizer.ggml.add_space_prefix"
    }

    /// The tokenizer a GGUF file describes.
    /// - Throws: `TokenizerError` when the tokenizer is not byte-level BPE, its pre-tokenizer is unknown, or
    ///   its vocabulary is inconsistent.
    public init(gguf: GGUFFile) throws {
        try self.init(metadata: gguf.metadata)
    }

    /// The tokenizer described by GGUF metadata (`tokenizer.ggml.*`, `tokenizer.chat_template`).
    ///
    /// A missing `tokenizer.ggml.pre` means the original GPT-2 pattern, as in llama.cpp; a missing
    /// `token_type` makes every token normal.
    public init(metadata: GGUFMetadata) throws {
        guard let model = metadata.string(MetadataKey.model) else {
            throw TokenizerError.missingMetadata(key: MetadataKey.model)
        }
        if model == "llama" {
            try self.init(sentencePieceMetadata: metadata)
            return
        }
        guard model == "gpt2" else { throw TokenizerError.unsupportedModel(model) }
        let preName = metadata.string(MetadataKey.pre) ?? "gpt2"
        guard let preTokenizer = PreTokenizerKind(ggufName: preName) else {
            throw TokenizerError.unsupportedPreTokenizer(preName)
        }
        guard let tokens = metadata.strings(MetadataKey.tokens) else {
            throw TokenizerError.missingMetadata(key: MetadataKey.tokens)
        }
        guard let merges = metadata.strings(MetadataKey.merges) else {
            throw TokenizerError.missingMetadata(key: MetadataKey.merges)
        }
        let types: [Int]
        if metadata[MetadataKey.tokenTypes] == nil {
            types = Array(repeating: TokenType.normal.rawValue, count: tokens.count)
        } else if let stated = metadata.ints(MetadataKey.tokenTypes) {
            types = stated
        } else {
            throw TokenizerError.missingMetadata(key: MetadataKey.tokenTypes)
        }
        try self.init(tokens: tokens, tokenTypes: types, merges: merges, preTokenizer: preTokenizer,
                      bos: metadata.int(MetadataKey.bos), eos: metadata.int(MetadataKey.eos),
                      unknown: metadata.int(MetadataKey.unknown), endOfTurn: metadata.int(MetadataKey.endOfTurn),
                      addBOS: metadata.bool(MetadataKey.addBOS) ?? false,
                      chatTemplate: metadata.string(MetadataKey.chatTemplate))
    }


    /// A GGUF `llama` tokenizer (SentencePiece BPE, as llama.cpp writes Llama 2's): pieces, scores and
    /// types; merges follow the scores; byte fallback when every `<0xNN>` piece is present; `▁` prefix unless
    /// `tokenizer.ggml.add_space_prefix` is false; BOS added unless `add_bos_token` is false.
    private init(sentencePieceMetadata metadata: GGUFMetadata) throws {
        guard let tokens = metadata.strings(MetadataKey.tokens) else {
            throw TokenizerError.missingMetadata(key: MetadataKey.tokens)
        }
        guard let scores = metadata.floats(MetadataKey.scores) else {
            throw TokenizerError.missingMetadata(key: MetadataKey.scores)
        }
        let types = metadata[MetadataKey.tokenTypes] == nil
            ? Array(repeating: TokenType.normal.rawValue, count: tokens.count) : metadata.ints(MetadataKey.tokenTypes)
        guard let types else { throw TokenizerError.missingMetadata(key: MetadataKey.tokenTypes) }
        guard scores.count == tokens.count else {
            throw TokenizerError.tokenTypeCountMismatch(tokens: tokens.count, types: scores.count)
        }
        try self.init(sentencePieceTokens: tokens, types: types.map { TokenType(rawValue: $0) ?? .normal },
                      scores: scores, merges: nil,
                      spacePrefix: (metadata.bool(MetadataKey.addSpacePrefix) ?? true) ? .first : .never,
                      metaspace: false, byteFallback: SentencePieceEncoder.byteTokenIDs(tokens: tokens) != nil,
                      fuseUnknown: true,
                      ids: SpecialIDs(bos: metadata.int(MetadataKey.bos), eos: metadata.int(MetadataKey.eos),
                                      unknown: metadata.int(MetadataKey.unknown),
                                      endOfTurn: metadata.int(MetadataKey.endOfTurn)),
                      addBOS: metadata.bool(MetadataKey.addBOS) ?? true,
                      chatTemplate: metadata.string(MetadataKey.chatTemplate))
    }
}
