extension Tokenizer {
    /// The tokenizer as GGUF metadata (llama.cpp's keys), so a converted file carries it.
    ///
    /// Byte-level BPE becomes `tokenizer.ggml.model = gpt2` with its merges (`"left right"` in rank order) and
    /// `tokenizer.ggml.pre`; SentencePiece becomes `llama` with scores: a merged piece scores minus its merge
    /// rank (better merges score higher), other pieces 0. Added and special tokens keep their types.
    public var ggufMetadata: [(key: String, value: GGUFValue)] {
        var entries: [(key: String, value: GGUFValue)] = []
        let merges = encoder.rankedMerges
        if let sentencePiece {
            entries.append(("tokenizer.ggml.model", .string("llama")))
            entries.append(("tokenizer.ggml.tokens", .strings(tokens)))
            var scores = [Float](repeating: 0, count: tokens.count)
            var scored = Set<Int32>()
            for merge in merges where merge.merged >= 0 && Int(merge.merged) < scores.count && scored.insert(merge.merged).inserted {
                scores[Int(merge.merged)] = -Float(merge.rank) - 1
            }
            entries.append(("tokenizer.ggml.scores", .float32s(scores)))
            entries.append(("tokenizer.ggml.add_space_prefix", .bool(sentencePiece.spacePrefix != .never)))
        } else {
            entries.append(("tokenizer.ggml.model", .string("gpt2")))
            entries.append(("tokenizer.ggml.pre", .string(preTokenizer.ggufName)))
            // Normal tokens are stored byte-level spelled, as GGUF `gpt2` vocabularies are.
            entries.append(("tokenizer.ggml.tokens", .strings(tokens)))
            entries.append(("tokenizer.ggml.merges", .strings(merges.compactMap { merge in
                guard let left = tokenString(merge.left), let right = tokenString(merge.right) else { return nil }
                return left + " " + right
            })))
        }
        entries.append(("tokenizer.ggml.token_type", .int32s(types.map { Int32($0.rawValue) })))
        if let bosID { entries.append(("tokenizer.ggml.bos_token_id", .uint32(UInt32(bosID)))) }
        if let eosID { entries.append(("tokenizer.ggml.eos_token_id", .uint32(UInt32(eosID)))) }
        if let unknownID { entries.append(("tokenizer.ggml.unknown_token_id", .uint32(UInt32(unknownID)))) }
        entries.append(("tokenizer.ggml.add_bos_token", .bool(addsBOS)))
        if let chatTemplateSource { entries.append(("tokenizer.chat_template", .string(chatTemplateSource))) }
        return entries
    }
}
