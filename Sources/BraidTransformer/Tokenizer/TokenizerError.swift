/// Why a tokenizer could not be built from a model's metadata, or a request could not be served.
public enum TokenizerError: Error, Equatable, CustomStringConvertible {
    /// `tokenizer.ggml.model` names a tokenizer other than byte-level BPE (`gpt2`).
    case unsupportedModel(String)
    /// `tokenizer.ggml.pre` names a pre-tokenizer Braid does not implement.
    case unsupportedPreTokenizer(String)
    /// A required metadata key is absent or has the wrong type.
    case missingMetadata(key: String)
    /// The vocabulary has no tokens.
    case emptyVocabulary
    /// `tokenizer.ggml.token_type` does not have one entry per token.
    case tokenTypeCountMismatch(tokens: Int, types: Int)
    /// A merge is not two tokens separated by a space, or names a token (or a result) missing from the vocabulary.
    case malformedMerge(index: Int, text: String, reason: String)
    /// A special token id (`bos`, `eos`, ...) lies outside the vocabulary.
    case tokenIDOutOfRange(name: String, id: Int, vocabularySize: Int)
    /// The model has no chat template Braid can apply (ChatML, DeepSeek-R1, Llama 2 `[INST]`, Llama 3 headers).
    case noChatTemplate
    /// A tokenizer file (`tokenizer.json`, `tokenizer_config.json`, `tokenizer.model`) is unreadable or uses a
    /// feature Braid does not implement.
    case invalidFile(file: String, reason: String)
    /// Byte fallback is on but the vocabulary lacks some of the 256 `<0xNN>` tokens.
    case missingByteTokens

    /// A message that names the offending value and where it came from.
    public var description: String {
        switch self {
        case .unsupportedModel(let name):
            return "tokenizer.ggml.model is '\(name)'; Braid supports byte-level BPE ('gpt2') and SentencePiece BPE ('llama')"
        case .unsupportedPreTokenizer(let name):
            let known = PreTokenizerKind.allCases.map(\.rawValue).joined(separator: ", ")
            return "tokenizer.ggml.pre is '\(name)'; supported pre-tokenizers: \(known)"
        case .missingMetadata(let key):
            return "tokenizer metadata '\(key)' is missing or has the wrong type"
        case .emptyVocabulary:
            return "tokenizer.ggml.tokens is empty"
        case .tokenTypeCountMismatch(let tokens, let types):
            return "tokenizer.ggml.token_type has \(types) entries but tokenizer.ggml.tokens has \(tokens)"
        case .malformedMerge(let index, let text, let reason):
            return "tokenizer.ggml.merges[\(index)] '\(text)': \(reason)"
        case .tokenIDOutOfRange(let name, let id, let size):
            return "\(name) token id \(id) is outside the vocabulary of \(size) tokens"
        case .noChatTemplate:
            return "the model has no chat template Braid recognises (ChatML, DeepSeek-R1, Llama 2 [INST], Llama 3 headers); format the prompt yourself"
        case .invalidFile(let file, let reason):
            return "\(file): \(reason)"
        case .missingByteTokens:
            return "byte fallback is on but the vocabulary lacks some <0xNN> byte tokens"
        }
    }
}
