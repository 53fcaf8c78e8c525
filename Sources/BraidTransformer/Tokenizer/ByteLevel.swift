/// GPT-2's byte-level alphabet: every byte 0...255 is written as one printable Unicode character, so a
/// vocabulary of byte sequences can be stored as ordinary strings.
///
/// Printable bytes (`!`...`~`, `¡`...`¬`, `®`...`ÿ`) stand for themselves; the other 68 bytes are given the
/// characters U+0100, U+0101, ... in byte order. That is why a space is spelled `Ġ` (U+0120) and a newline
/// `Ċ` (U+010A) in GGUF vocabularies whose `tokenizer.ggml.model` is `gpt2`.
enum ByteLevel {
    /// The character that spells each byte, indexed by byte value.
    static let characterForByte: [Unicode.Scalar] = {
        var table = [Unicode.Scalar](repeating: " ", count: 256)
        var next: UInt32 = 256
        for byte in 0..<256 {
            if isPrintable(UInt8(byte)) {
                table[byte] = Unicode.Scalar(UInt8(byte))
            } else {
                // 256 + at most 68 is always a valid scalar; the fallback is unreachable.
                table[byte] = Unicode.Scalar(next) ?? " "
                next += 1
            }
        }
        return table
    }()

    /// The byte each alphabet character stands for, indexed by scalar value (0..<324); -1 where none.
    static let byteForCharacter: [Int16] = {
        var table = [Int16](repeating: -1, count: 324)
        for (byte, scalar) in characterForByte.enumerated() {
            table[Int(scalar.value)] = Int16(byte)
        }
        return table
    }()

    /// Whether GPT-2's alphabet writes this byte as itself.
    private static func isPrintable(_ byte: UInt8) -> Bool {
        (0x21...0x7E).contains(byte) || (0xA1...0xAC).contains(byte) || (0xAE...0xFF).contains(byte)
    }

    /// The raw bytes a byte-level spelled token stands for, or `nil` when the text uses a character outside
    /// the alphabet (then it is not byte-level spelled, e.g. a control token written as plain text).
    static func decode(spelling text: String) -> [UInt8]? {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.unicodeScalars.count)
        for scalar in text.unicodeScalars {
            let value = Int(scalar.value)
            guard value < byteForCharacter.count else { return nil }
            let byte = byteForCharacter[value]
            guard byte >= 0 else { return nil }
            bytes.append(UInt8(byte))
        }
        return bytes
    }

    /// The byte-level spelling of raw bytes (the inverse of `decode(spelling:)`).
    static func spelling(of bytes: some Sequence<UInt8>) -> String {
        var text = String.UnicodeScalarView()
        for byte in bytes { text.append(characterForByte[Int(byte)]) }
        return String(text)
    }
}
