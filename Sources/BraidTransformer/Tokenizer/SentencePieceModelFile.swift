import Foundation

/// The parts of a SentencePiece `tokenizer.model` (a `ModelProto` protocol buffer) that a BPE tokenizer needs,
/// read by a small wire-format reader that skips every other field.
///
/// Fields read (numbers from sentencepiece_model.proto): `pieces` (1: `piece` 1, `score` 2, `type` 3),
/// `trainer_spec` (2: `model_type` 3, `byte_fallback` 35, `unk_id` 40, `bos_id` 41, `eos_id` 42),
/// `normalizer_spec` (3: `name` 1, `add_dummy_prefix` 3, `remove_extra_whitespaces` 4).
struct SentencePieceModelFile {
    var pieces: [String] = []
    var scores: [Float] = []
    var types: [TokenType] = []
    /// 1 unigram, 2 BPE, 3 word, 4 char (proto default: unigram).
    var modelType = 1
    var byteFallback = false
    var unknownID = 0
    var bosID = 1
    var eosID = 2
    var normalizerName = ""
    var addDummyPrefix = true
    var removeExtraWhitespaces = true

    /// Why a `tokenizer.model` could not be read: where in the file, and what was wrong.
    struct Malformed: Error {
        let offset: Int
        let reason: String
    }

    /// Parses `data`. Lengths are checked against the bytes that remain before anything is read or allocated.
    init(data: Data) throws {
        let bytes = [UInt8](data)
        var reader = WireReader(bytes: bytes[...], base: 0)
        while let (field, value) = try reader.next() {
            switch (field, value) {
            case (1, .bytes(let range)):
                try readPiece(WireReader(bytes: bytes[range], base: range.lowerBound))
            case (2, .bytes(let range)):
                var trainer = WireReader(bytes: bytes[range], base: range.lowerBound)
                while let (f, v) = try trainer.next() {
                    switch (f, v) {
                    case (3, .varint(let n)): modelType = Int(truncatingIfNeeded: n)
                    case (35, .varint(let n)): byteFallback = n != 0
                    case (40, .varint(let n)): unknownID = Int(Int32(truncatingIfNeeded: n))
                    case (41, .varint(let n)): bosID = Int(Int32(truncatingIfNeeded: n))
                    case (42, .varint(let n)): eosID = Int(Int32(truncatingIfNeeded: n))
                    default: break
                    }
                }
            case (3, .bytes(let range)):
                var normalizer = WireReader(bytes: bytes[range], base: range.lowerBound)
                while let (f, v) = try normalizer.next() {
                    switch (f, v) {
                    case (1, .bytes(let r)): normalizerName = String(decoding: bytes[r], as: UTF8.self)
                    case (3, .varint(let n)): addDummyPrefix = n != 0
                    case (4, .varint(let n)): removeExtraWhitespaces = n != 0
                    default: break
                    }
                }
            default:
                break
            }
        }
    }

    private mutating func readPiece(_ message: WireReader) throws {
        var reader = message
        var text = "", score: Float = 0, type = TokenType.normal
        while let (field, value) = try reader.next() {
            switch (field, value) {
            case (1, .bytes(let range)): text = String(decoding: reader.bytes[range], as: UTF8.self)
            case (2, .fixed32(let bits)): score = Float(bitPattern: bits)
            case (3, .varint(let n)): type = TokenType(rawValue: Int(truncatingIfNeeded: n)) ?? .normal
            default: break
            }
        }
        pieces.append(text)
        scores.append(score)
        types.append(type)
    }
}

/// A protocol-buffer wire-format reader over a byte slice (indices are absolute offsets into the file).
private struct WireReader {
    enum Value {
        case varint(UInt64)
        case fixed32(UInt32)
        case fixed64
        case bytes(Range<Int>)
    }

    let bytes: ArraySlice<UInt8>
    let base: Int
    private var position: Int

    init(bytes: ArraySlice<UInt8>, base: Int) {
        self.bytes = bytes
        self.base = base
        self.position = bytes.startIndex
    }

    /// The next field, or `nil` at the end of the message.
    mutating func next() throws -> (Int, Value)? {
        guard position < bytes.endIndex else { return nil }
        let key = try varint()
        let field = Int(key >> 3)
        switch key & 7 {
        case 0: return (field, .varint(try varint()))
        case 1:
            try skip(8)
            return (field, .fixed64)
        case 2:
            let length = try varint()
            guard length <= UInt64(bytes.endIndex - position) else {
                throw SentencePieceModelFile.Malformed(offset: position, reason: "field \(field) claims \(length) bytes, \(bytes.endIndex - position) remain")
            }
            let start = position
            position += Int(length)
            return (field, .bytes(start..<position))
        case 5:
            guard bytes.endIndex - position >= 4 else {
                throw SentencePieceModelFile.Malformed(offset: position, reason: "truncated 32-bit field \(field)")
            }
            var bits: UInt32 = 0
            for i in 0..<4 { bits |= UInt32(bytes[position + i]) << (8 * i) }
            position += 4
            return (field, .fixed32(bits))
        default:
            throw SentencePieceModelFile.Malformed(offset: position, reason: "unsupported wire type \(key & 7) for field \(field)")
        }
    }

    private mutating func skip(_ count: Int) throws {
        guard bytes.endIndex - position >= count else {
            throw SentencePieceModelFile.Malformed(offset: position, reason: "truncated field")
        }
        position += count
    }

    private mutating func varint() throws -> UInt64 {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while position < bytes.endIndex, shift < 64 {
            let byte = bytes[position]
            position += 1
            value |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 { return value }
            shift += 7
        }
        throw SentencePieceModelFile.Malformed(offset: position, reason: "truncated or overlong varint")
    }
}

extension Tokenizer {
    /// A SentencePiece `tokenizer.model` (BPE models only, as Llama 2 ships).
    /// - Throws: `TokenizerError.invalidFile` naming the file and the problem (not a BPE model, a truncated
    ///   or malformed protocol buffer, a normalization Braid does not apply).
    public init(sentencePieceModel data: Data, fileName: String = "tokenizer.model", chatTemplate: String? = nil,
                addBOS: Bool = true) throws {
        let model: SentencePieceModelFile
        do {
            model = try SentencePieceModelFile(data: data)
        } catch let error as SentencePieceModelFile.Malformed {
            throw TokenizerError.invalidFile(file: fileName, reason: "byte \(error.offset): \(error.reason)")
        }
        guard model.modelType == 2 else {
            let names = [1: "unigram", 3: "word", 4: "char"]
            throw TokenizerError.invalidFile(file: fileName, reason: "SentencePiece model type is \(names[model.modelType] ?? String(model.modelType)); Braid supports BPE only")
        }
        guard !model.removeExtraWhitespaces else {
            throw TokenizerError.invalidFile(file: fileName, reason: "remove_extra_whitespaces is on; Braid does not collapse whitespace")
        }
        do {
            func id(_ value: Int) -> Int? { value >= 0 && value < model.pieces.count ? value : nil }
            try self.init(sentencePieceTokens: model.pieces, types: model.types, scores: model.scores, merges: nil,
                          spacePrefix: model.addDummyPrefix ? .first : .never, metaspace: false,
                          byteFallback: model.byteFallback, fuseUnknown: true,
                          ids: SpecialIDs(bos: id(model.bosID), eos: id(model.eosID), unknown: id(model.unknownID)),
                          addBOS: addBOS, chatTemplate: chatTemplate)
        } catch let error as TokenizerError {
            throw TokenizerError.invalidFile(file: fileName, reason: error.description)
        }
    }
}
