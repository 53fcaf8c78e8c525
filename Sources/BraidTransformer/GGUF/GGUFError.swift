/// Why a GGUF file was refused, or why a tensor in it cannot be used.
///
/// Every case names the problem and, where there is one, the key or tensor it concerns, so that a
/// hostile or corrupted file produces a message a user can act on instead of a crash.
public enum GGUFError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The file could not be opened or mapped.
    case unreadable(path: String, reason: String)
    /// The first four bytes are not `GGUF`.
    case badMagic(found: [UInt8])
    /// The version field is not one this reader understands (2 and 3).
    case unsupportedVersion(UInt32)
    /// The file ends before a field that must be there.
    case truncated(what: String, offset: Int, needed: Int, available: Int)
    /// A declared count or length cannot fit in the bytes that remain in the file.
    case countTooLarge(what: String, count: UInt64, limit: Int)
    /// A metadata value has a type id outside 0...12.
    case unknownValueType(raw: UInt32, key: String)
    /// A string in the file is not valid UTF-8.
    case invalidUTF8(what: String)
    /// The same metadata key appears twice.
    case duplicateKey(String)
    /// `general.alignment` is missing a usable value.
    case badAlignment(String)
    /// A metadata value exists but has a type the caller cannot use.
    case wrongValueType(key: String, expected: String, found: String)
    /// A required metadata key is absent.
    case missingKey(String)
    /// A tensor's info is inconsistent with the file (shape, type, offset, size, overlap).
    case invalidTensor(name: String, reason: String)
    /// A tensor uses a ggml type this reader cannot decode.
    case unsupportedTensorType(name: String, raw: UInt32)
    /// A tensor the model needs is not in the file.
    case missingTensor(String)
    /// A tensor has another shape than the model expects.
    case shapeMismatch(name: String, expected: [Int], found: [Int])

    public var description: String {
        switch self {
        case let .unreadable(path, reason):
            return "cannot read GGUF file '\(path)': \(reason)"
        case let .badMagic(found):
            let shown = found.map { byte in (0x20...0x7e).contains(byte) ? String(UnicodeScalar(byte)) : "\\x" + String(byte, radix: 16) }.joined()
            return "not a GGUF file: magic is '\(shown)', expected 'GGUF'"
        case let .unsupportedVersion(version):
            if version.byteSwapped == 2 || version.byteSwapped == 3 {
                return "big-endian GGUF files are not supported (version field reads \(version))"
            }
            return "unsupported GGUF version \(version) (supported: 2, 3)"
        case let .truncated(what, offset, needed, available):
            return "GGUF file is truncated: \(what) at byte \(offset) needs \(needed) bytes, only \(available) remain"
        case let .countTooLarge(what, count, limit):
            return "GGUF file declares \(what) = \(count), more than the rest of the file can hold (at most \(limit)): the file is truncated or corrupt"
        case let .unknownValueType(raw, key):
            return "unknown GGUF metadata value type \(raw) for key '\(key)'"
        case let .invalidUTF8(what):
            return "GGUF string is not valid UTF-8: \(what)"
        case let .duplicateKey(key):
            return "GGUF metadata key '\(key)' appears more than once"
        case let .badAlignment(reason):
            return "bad general.alignment: \(reason)"
        case let .wrongValueType(key, expected, found):
            return "GGUF metadata '\(key)' is \(found), expected \(expected)"
        case let .missingKey(key):
            return "GGUF metadata key '\(key)' is missing"
        case let .invalidTensor(name, reason):
            return "tensor '\(name)': \(reason)"
        case let .unsupportedTensorType(name, raw):
            return "tensor '\(name)': unsupported tensor type \(GGMLType.displayName(raw: raw))"
        case let .missingTensor(name):
            return "tensor '\(name)' is missing from the GGUF file"
        case let .shapeMismatch(name, expected, found):
            return "tensor '\(name)' has shape \(found), expected \(expected)"
        }
    }
}
