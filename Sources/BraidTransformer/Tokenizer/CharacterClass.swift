/// The character classes the pre-tokenizer patterns are written in: `\p{L}`, `\p{N}`, `\s` and `[\r\n]`.
///
/// Stored as bit flags, one byte per scalar, so a pattern test is a mask test. `\s` is Unicode's
/// `White_Space` property, which is what the regex engines of HF tokenizers and llama.cpp use.
struct CharacterClass: OptionSet, Sendable {
    let rawValue: UInt8

    /// `\p{L}`: general categories Lu, Ll, Lt, Lm, Lo.
    static let letter = CharacterClass(rawValue: 1)
    /// `\p{N}`: general categories Nd, Nl, No.
    static let number = CharacterClass(rawValue: 2)
    /// `\s`: the Unicode `White_Space` property.
    static let whitespace = CharacterClass(rawValue: 4)
    /// `[\r\n]`.
    static let lineBreak = CharacterClass(rawValue: 8)

    /// The class of every ASCII scalar, computed once: ASCII is most of the text and the general-category
    /// lookup is comparatively slow.
    private static let asciiTable: [CharacterClass] = (0..<128).map { value in
        // 0..<128 are all valid scalars.
        classify(Unicode.Scalar(UInt8(value)))
    }

    /// The class of one scalar.
    static func of(_ scalar: Unicode.Scalar) -> CharacterClass {
        if scalar.value < 128 { return asciiTable[Int(scalar.value)] }
        return classify(scalar)
    }

    private static func classify(_ scalar: Unicode.Scalar) -> CharacterClass {
        var result: CharacterClass = []
        switch scalar.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter:
            result.insert(.letter)
        case .decimalNumber, .letterNumber, .otherNumber:
            result.insert(.number)
        default:
            break
        }
        if scalar.properties.isWhitespace { result.insert(.whitespace) }
        if scalar == "\r" || scalar == "\n" { result.insert(.lineBreak) }
        return result
    }

    /// `[^\s\p{L}\p{N}]`: anything that is neither whitespace, letter nor number.
    var isOther: Bool { isDisjoint(with: [.letter, .number, .whitespace]) }
}
