/// Why a model could not be loaded or a forward pass could not run.
public enum ModelError: Error, Equatable, Sendable, CustomStringConvertible {
    /// `general.architecture` names a family Braid has no table for.
    case unsupportedArchitecture(String)
    /// A required metadata key is absent or has the wrong type.
    case missingMetadata(String)
    /// A metadata value is outside what the model can use.
    case invalidMetadata(key: String, reason: String)
    /// A tensor the model needs is absent.
    case missingTensor(String)
    /// A tensor has another shape than the configuration implies.
    case shapeMismatch(name: String, expected: [Int], found: [Int])
    /// A query token is not usable (bad token id, position, segment or view).
    case invalidQuery(index: Int, reason: String)
    /// A requested logit row is not a batch index.
    case invalidLogitRow(Int)

    public var description: String {
        switch self {
        case let .unsupportedArchitecture(name):
            let known = Architecture.all.map(\.name).joined(separator: ", ")
            return "unsupported model architecture '\(name)' (supported: \(known))"
        case let .missingMetadata(key):
            return "model metadata key '\(key)' is missing or has the wrong type"
        case let .invalidMetadata(key, reason):
            return "model metadata '\(key)' is invalid: \(reason)"
        case let .missingTensor(name):
            return "model tensor '\(name)' is missing"
        case let .shapeMismatch(name, expected, found):
            return "model tensor '\(name)' has shape \(found), expected \(expected)"
        case let .invalidQuery(index, reason):
            return "query token \(index): \(reason)"
        case let .invalidLogitRow(row):
            return "logit row \(row) is not an index into the batch"
        }
    }
}
