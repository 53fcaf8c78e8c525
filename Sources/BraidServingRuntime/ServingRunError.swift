import BraidServing

/// Why a plan could not run on a serving engine. Each case names the thread and the request where there is one.
public enum ServingRunError: Error, CustomStringConvertible, Sendable {
    /// A run-time input is unknown or missing.
    case badInput(String)
    /// A plan pattern does not compile.
    case badPattern(what: String, pattern: String)
    /// The plan can't be executed as it stands (a segment without content to send, a missing spawn template).
    case badPlan(segment: String, reason: String)
    /// A prompt could not be rendered as text (a chat prompt without a chat format, a token cut without a tokenizer).
    case rendering(segment: String, reason: String)
    /// A request failed: the thread, the segment it decodes, the request's number in the run, and the server's answer.
    case request(thread: String, segment: String, number: Int, error: ServingError)

    /// One line naming what is wrong and where.
    public var description: String {
        switch self {
        case .badInput(let reason): return reason
        case .badPattern(let what, let pattern): return "\(what): the regular expression '\(pattern)' does not compile"
        case .badPlan(let segment, let reason): return "segment '\(segment)': \(reason)"
        case .rendering(let segment, let reason): return "segment '\(segment)': \(reason)"
        case .request(let thread, let segment, let number, let error):
            return "thread '\(thread)', request #\(number) (segment '\(segment)'): \(error)"
        }
    }
}

/// A failed run with the work it completed: every request that finished before the failure.
public struct ServingRunFailure: Error, CustomStringConvertible, Sendable {
    /// What went wrong.
    public var error: ServingRunError
    /// The requests that completed (or were stopped by a finish rule) before the failure, in the order they ended.
    public var requests: [RequestRecord]

    /// The error's description and how many requests completed.
    public var description: String {
        "\(error) (\(requests.count) request(s) had completed before the failure)"
    }
}
