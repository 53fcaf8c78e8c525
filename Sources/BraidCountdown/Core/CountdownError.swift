/// Everything that can go wrong in the Countdown module, each with a message that names what and where.
public enum CountdownError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A generator or solver setting is out of range.
    case invalidConfig(String)
    /// A JSONL input line could not be read (`source`, 1-based `line`, what is wrong).
    case badInput(source: String, line: Int, message: String)
    /// A recorded APR trace breaks the spawn/join text protocol.
    case malformedTrace(String)

    /// A one-line, human-readable message.
    public var description: String {
        switch self {
        case .invalidConfig(let message): return message
        case .badInput(let source, let line, let message): return "\(source):\(line): \(message)"
        case .malformedTrace(let message): return "malformed APR trace: \(message)"
        }
    }
}
