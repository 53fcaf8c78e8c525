/// The kind of a vocabulary entry, GGUF `tokenizer.ggml.token_type` (llama.cpp's numbering).
public enum TokenType: Int, Sendable {
    /// Not stated; treated as normal.
    case undefined = 0
    /// An ordinary BPE token, spelled in the byte-level alphabet.
    case normal = 1
    /// The unknown-token placeholder.
    case unknown = 2
    /// A control token such as `<|im_start|>`: matched whole in text, never produced by merges.
    case control = 3
    /// A token added by the model's authors (e.g. `<think>`): matched whole in text, decoded as written.
    case userDefined = 4
    /// A reserved slot.
    case unused = 5
    /// A raw byte token (`<0x0A>`), used by SentencePiece vocabularies.
    case byte = 6

    /// Whether the token's text is byte-level spelled and must be mapped back to bytes when decoding.
    var isByteLevelSpelled: Bool { self == .normal || self == .undefined }
    /// Whether the token is matched whole in input text (control tokens only when special parsing is on).
    var isMatchedWhole: Bool { self == .control || self == .userDefined }
}
