/// Why a Hugging Face model folder could not be read: the file and what is wrong with it.
public struct HFError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The file (name inside the folder, or a path) the problem is in.
    public let file: String
    /// What is wrong, in words.
    public let reason: String

    /// An error about `file`.
    public init(_ file: String, _ reason: String) {
        self.file = file
        self.reason = reason
    }

    /// `FILE: REASON`.
    public var description: String { "\(file): \(reason)" }
}
