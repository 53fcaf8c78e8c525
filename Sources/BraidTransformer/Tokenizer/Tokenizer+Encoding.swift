extension Tokenizer {
    /// The token ids of `text`.
    ///
    /// Control tokens (`<|im_start|>`, `<|im_end|>`, ...) and user-defined tokens written in the text become
    /// their single id; everything else is pre-tokenized and BPE-encoded. `bosID` is prepended only when the
    /// model asks for it (`addsBOS`, from `tokenizer.ggml.add_bos_token`); SmolLM2 does not.
    ///
    /// - Parameter parseSpecial: when `false`, control-token text is encoded as ordinary text (user-defined
    ///   tokens are still matched whole, as in llama.cpp). Use it for untrusted text that must not be able to
    ///   inject turn markers.
    public func encode(_ text: String, parseSpecial: Bool = true) -> [Int32] {
        var output: [Int32] = []
        if addsBOS, let bosID { output.append(bosID) }
        let bytes = Array(text.utf8)
        output.reserveCapacity(bytes.count / 3 + 1)
        specialTokens.partition(bytes, includeControl: parseSpecial, text: { range in
            encodeSegment(bytes, range: range, into: &output)
        }, special: { id in
            output.append(id)
        })
        return output
    }

    /// Normalizes and encodes one stretch of text between special tokens. `range` lies on UTF-8 boundaries,
    /// because special tokens are whole UTF-8 strings matched inside valid UTF-8.
    private func encodeSegment(_ bytes: [UInt8], range: Range<Int>, into output: inout [Int32]) {
        if let sentencePiece {
            let text = normalization.apply(String(decoding: bytes[range], as: UTF8.self))
            sentencePiece.encode(text, isFirst: range.lowerBound == 0, merger: encoder, into: &output)
        } else if normalization != .none {
            let normalized = Array(normalization.apply(String(decoding: bytes[range], as: UTF8.self)).utf8)
            encodePlain(normalized, range: 0..<normalized.count, into: &output)
        } else {
            encodePlain(bytes, range: range, into: &output)
        }
    }

    /// Pre-tokenizes and byte-level BPE-encodes text that holds no special tokens.
    private func encodePlain(_ bytes: [UInt8], range: Range<Int>, into output: inout [Int32]) {
        var scalars: [Unicode.Scalar] = []
        var classes: [CharacterClass] = []
        // offsets[i] is the byte offset of scalar i; one extra entry marks the end.
        var offsets: [Int] = []
        scalars.reserveCapacity(range.count)
        classes.reserveCapacity(range.count)
        offsets.reserveCapacity(range.count + 1)
        var offset = range.lowerBound
        var decoder = UTF8()
        var iterator = bytes[range].makeIterator()
        loop: while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let scalar):
                scalars.append(scalar)
                classes.append(CharacterClass.of(scalar))
                offsets.append(offset)
                offset += UTF8.width(scalar)
            case .emptyInput:
                break loop
            case .error:
                // Unreachable: `bytes` came from a Swift String, which is always valid UTF-8.
                scalars.append("\u{FFFD}")
                classes.append(CharacterClass.of("\u{FFFD}"))
                offsets.append(offset)
                offset += 1
            }
        }
        offsets.append(range.upperBound)

        for piece in preTokenizer.split(scalars, classes: classes) {
            let slice = bytes[offsets[piece.lowerBound]..<offsets[piece.upperBound]]
            encodePiece(slice, into: &output)
        }
    }

    /// BPE on one piece, through the shared cache for short pieces.
    private func encodePiece(_ piece: ArraySlice<UInt8>, into output: inout [Int32]) {
        if let wholePieceIDs, let id = wholePieceIDs[Array(piece)] {
            output.append(id)
            return
        }
        guard piece.count <= PieceCache.maxPieceLength else {
            encoder.encode(piece, into: &output)
            return
        }
        if let cached = cache.tokens(for: piece) {
            output.append(contentsOf: cached)
            return
        }
        var tokens: [Int32] = []
        encoder.encode(piece, into: &tokens)
        cache.store(tokens, for: piece)
        output.append(contentsOf: tokens)
    }
}
