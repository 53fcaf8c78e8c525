/// How text is cut into pieces before byte-level BPE runs on each piece (GGUF `tokenizer.ggml.pre`).
///
/// Each kind is a regular expression in llama.cpp and HF tokenizers. They are implemented here as a
/// hand-written scanner that tries the alternatives in the pattern's order at each position, which is
/// exactly what a backtracking regex engine does, without needing one.
public enum PreTokenizerKind: String, Sendable, CaseIterable {
    /// GPT-2: `'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+`.
    case gpt2
    /// SmolLM / StarCoder: every `\p{N}` is first isolated on its own, then the GPT-2 pattern applies to
    /// the text between them (llama.cpp, and SmolLM2's own `tokenizer.json`: `Digits` then `ByteLevel`).
    /// transformers' GGUF loader skips the digit step; its ids differ only where a run of two or more
    /// whitespace characters precedes a digit (`"a  1"`: here `"  "`, `"1"`; there `" "`, `" 1"`).
    case smollm
    /// Qwen2: `(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+`.
    case qwen2
    /// Llama 3: as `qwen2`, but numbers are taken in groups of up to three digits (`\p{N}{1,3}`).
    case llamaBPE = "llama-bpe"

    /// The kind a GGUF `tokenizer.ggml.pre` value names, including the aliases llama.cpp maps onto the same
    /// pattern (`gpt-2`, llama.cpp's spelling, → `gpt2`; `starcoder`, `refact` → `smollm`; `llama3`,
    /// `llama-v3` → `llama-bpe`; `deepseek-r1-qwen` → `qwen2`), or `nil` when the pattern is not one Braid
    /// implements.
    public init?(ggufName: String) {
        switch ggufName {
        case "gpt2", "gpt-2": self = .gpt2
        case "smollm", "starcoder", "refact": self = .smollm
        case "qwen2", "deepseek-r1-qwen": self = .qwen2
        case "llama-bpe", "llama3", "llama-v3": self = .llamaBPE
        default: return nil
        }
    }

    /// The `tokenizer.ggml.pre` value Braid writes: the name llama.cpp knows for the pattern, so that its
    /// tools load a file Braid (or `Training/`) exported. llama.cpp spells GPT-2's pattern `gpt-2` and
    /// refuses `gpt2`; the other kinds' raw values are already its names.
    public var ggufName: String {
        self == .gpt2 ? "gpt-2" : rawValue
    }

    /// The pieces of `scalars` (with their classes, same length), as consecutive ranges covering all of it.
    func split(_ scalars: [Unicode.Scalar], classes: [CharacterClass]) -> [Range<Int>] {
        var pieces: [Range<Int>] = []
        pieces.reserveCapacity(scalars.count / 3 + 1)
        let scanner = PatternScanner(scalars: scalars, classes: classes)
        switch self {
        case .gpt2:
            scanner.splitGPT2(0..<scalars.count, into: &pieces)
        case .smollm:
            // `\p{N}` first: each number scalar becomes its own piece; the GPT-2 pattern splits the rest.
            var start = 0
            for index in 0..<scalars.count where classes[index].contains(.number) {
                scanner.splitGPT2(start..<index, into: &pieces)
                pieces.append(index..<(index + 1))
                start = index + 1
            }
            scanner.splitGPT2(start..<scalars.count, into: &pieces)
        case .qwen2:
            scanner.splitLlama3(0..<scalars.count, maxDigits: 1, into: &pieces)
        case .llamaBPE:
            scanner.splitLlama3(0..<scalars.count, maxDigits: 3, into: &pieces)
        }
        return pieces
    }
}

/// The alternatives of the two pattern families, each answering "how long a match starts here" (0: none).
/// Matches never extend past the end of the range being split, as a regex applied to that piece would not.
private struct PatternScanner {
    let scalars: [Unicode.Scalar]
    let classes: [CharacterClass]

    func splitGPT2(_ range: Range<Int>, into pieces: inout [Range<Int>]) {
        var index = range.lowerBound
        let end = range.upperBound
        while index < end {
            var length = contraction(at: index, end: end, caseInsensitive: false)
            if length == 0 { length = optionalSpaceThen(.letter, at: index, end: end) }
            if length == 0 { length = optionalSpaceThen(.number, at: index, end: end) }
            if length == 0 { length = optionalSpaceThenOther(at: index, end: end) }
            if length == 0 { length = whitespaceNotBeforeNonSpace(at: index, end: end) }
            // `\s+` here can only be a single whitespace (see `whitespaceNotBeforeNonSpace`); every scalar
            // is a letter, number, whitespace or "other", so one of the alternatives always matches; the
            // single-scalar fallback only guards against an empty match.
            if length == 0 { length = 1 }
            pieces.append(index..<(index + length))
            index += length
        }
    }

    func splitLlama3(_ range: Range<Int>, maxDigits: Int, into pieces: inout [Range<Int>]) {
        var index = range.lowerBound
        let end = range.upperBound
        while index < end {
            var length = contraction(at: index, end: end, caseInsensitive: true)
            if length == 0 { length = optionalPrefixThenLetters(at: index, end: end) }
            if length == 0 { length = digits(at: index, end: end, max: maxDigits) }
            if length == 0 { length = optionalSpaceThenOtherThenLineBreaks(at: index, end: end) }
            if length == 0 { length = whitespaceThroughLastLineBreak(at: index, end: end) }
            if length == 0 { length = whitespaceNotBeforeNonSpace(at: index, end: end) }
            if length == 0 { length = 1 }  // `\s+` (a single whitespace here) or the same guard as above
            pieces.append(index..<(index + length))
            index += length
        }
    }

    /// `'s|'t|'re|'ve|'m|'ll|'d`, optionally ignoring case.
    private func contraction(at index: Int, end: Int, caseInsensitive: Bool) -> Int {
        guard index + 1 < end, scalars[index] == "'" else { return 0 }
        func letter(_ offset: Int) -> Unicode.Scalar? {
            guard index + offset < end else { return nil }
            let scalar = scalars[index + offset]
            guard caseInsensitive, ("A"..."Z").contains(scalar) else { return scalar }
            return Unicode.Scalar(scalar.value + 32)
        }
        switch letter(1) {
        case "s", "t", "m", "d": return 2
        case "r", "v": return letter(2) == "e" ? 3 : 0
        case "l": return letter(2) == "l" ? 3 : 0
        default: return 0
        }
    }

    /// ` ?X+` for X a letter or a number.
    private func optionalSpaceThen(_ kind: CharacterClass, at index: Int, end: Int) -> Int {
        var cursor = index
        if scalars[cursor] == " " { cursor += 1 }
        guard cursor < end, classes[cursor].contains(kind) else { return 0 }
        while cursor < end, classes[cursor].contains(kind) { cursor += 1 }
        return cursor - index
    }

    /// ` ?[^\s\p{L}\p{N}]+`.
    private func optionalSpaceThenOther(at index: Int, end: Int) -> Int {
        var cursor = index
        if scalars[cursor] == " " { cursor += 1 }
        guard cursor < end, classes[cursor].isOther else { return 0 }
        while cursor < end, classes[cursor].isOther { cursor += 1 }
        return cursor - index
    }

    /// ` ?[^\s\p{L}\p{N}]+[\r\n]*`.
    private func optionalSpaceThenOtherThenLineBreaks(at index: Int, end: Int) -> Int {
        let length = optionalSpaceThenOther(at: index, end: end)
        guard length > 0 else { return 0 }
        var cursor = index + length
        while cursor < end, classes[cursor].contains(.lineBreak) { cursor += 1 }
        return cursor - index
    }

    /// `[^\r\n\p{L}\p{N}]?\p{L}+`: one optional scalar that is no line break, letter or number, then letters.
    private func optionalPrefixThenLetters(at index: Int, end: Int) -> Int {
        var cursor = index
        if classes[cursor].isDisjoint(with: [.lineBreak, .letter, .number]) { cursor += 1 }
        guard cursor < end, classes[cursor].contains(.letter) else { return 0 }
        while cursor < end, classes[cursor].contains(.letter) { cursor += 1 }
        return cursor - index
    }

    /// `\p{N}{1,max}`.
    private func digits(at index: Int, end: Int, max: Int) -> Int {
        var cursor = index
        while cursor < end, cursor - index < max, classes[cursor].contains(.number) { cursor += 1 }
        return cursor - index
    }

    /// `\s*[\r\n]+`: the greedy `\s*` backs off to the last line break of the whitespace run, and `[\r\n]+`
    /// then takes that line break (nothing after it in the run is one).
    private func whitespaceThroughLastLineBreak(at index: Int, end: Int) -> Int {
        var cursor = index
        var lastLineBreak = -1
        while cursor < end, classes[cursor].contains(.whitespace) {
            if classes[cursor].contains(.lineBreak) { lastLineBreak = cursor }
            cursor += 1
        }
        return lastLineBreak < 0 ? 0 : lastLineBreak + 1 - index
    }

    /// `\s+(?!\S)`: a whitespace run that ends the text, or, when a non-space follows it, the run without its
    /// last scalar (which then starts the next piece, e.g. as the space of ` ?\p{L}+`). A single whitespace
    /// before a non-space does not match, so the later `\s+` alternative only ever takes one scalar.
    private func whitespaceNotBeforeNonSpace(at index: Int, end: Int) -> Int {
        var cursor = index
        while cursor < end, classes[cursor].contains(.whitespace) { cursor += 1 }
        let run = cursor - index
        if cursor == end { return run }
        return run >= 2 ? run - 1 : 0
    }
}
