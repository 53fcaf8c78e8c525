/// Why a request to a serving engine failed, naming the request and what the server answered.
public struct ServingError: Error, CustomStringConvertible, Sendable {
    /// Which request failed (the caller's label: a thread or segment such as `think[2]`).
    public var request: String
    /// The endpoint the request went to.
    public var url: String
    /// What went wrong.
    public var failure: Failure
    /// How many times the request was sent (more than 1 after retries).
    public var attempts: Int

    /// Creates an error.
    public init(request: String, url: String, failure: Failure, attempts: Int = 1) {
        self.request = request
        self.url = url
        self.failure = failure
        self.attempts = attempts
    }

    /// The kinds of failure.
    public enum Failure: Sendable, Equatable {
        /// Nothing listens at the address.
        case connectionRefused(detail: String)
        /// The server answered with an HTTP error status; `body` is the start of its answer.
        case status(code: Int, reason: String, body: String)
        /// No answer (or no next byte of a stream) within the limit.
        case timeout(what: String, seconds: Double)
        /// The answer was not the JSON expected; `body` is the start of it.
        case malformedJSON(detail: String, body: String)
        /// The stream ended before `data: [DONE]`; `received` chunks had arrived.
        case streamCut(received: Int, text: String)
        /// The server reported an error inside a stream (`data: {"error": …}`).
        case serverReported(message: String)
        /// The server closed the connection before sending any byte of its answer (typically a pooled keep-alive
        /// connection it had already given up on): the request never reached a model, so it is safe to send again
        /// even without a seed.
        case closedBeforeAnswer(detail: String)
        /// The connection failed some other way.
        case transport(detail: String)
    }

    /// Whether sending the same (seeded) request again may succeed.
    public var isTransient: Bool {
        switch failure {
        case .connectionRefused, .timeout, .streamCut, .transport, .closedBeforeAnswer: return true
        case .status(let code, _, _): return code == 429 || code >= 500
        case .malformedJSON, .serverReported: return false
        }
    }

    /// Whether sending it again is safe even when the request has no seed: nothing of an answer was received, so
    /// no answer is replaced by another one.
    public var isSafeToResend: Bool {
        if case .closedBeforeAnswer = failure { return true }
        return false
    }

    /// One line: the request, the endpoint, what happened, what the server said.
    public var description: String {
        let tries = attempts > 1 ? " (after \(attempts) attempts)" : ""
        let head = "request '\(request)' to \(url)\(tries)"
        switch failure {
        case .connectionRefused(let detail):
            return "\(head): connection refused: is the server running? (\(detail))"
        case .status(let code, let reason, let body):
            return "\(head): server answered \(code) \(reason): \(body)"
        case .timeout(let what, let seconds):
            return "\(head): timed out after \(format(seconds)) s waiting for \(what)"
        case .malformedJSON(let detail, let body):
            return "\(head): server's answer is not the expected JSON (\(detail)): \(body)"
        case .streamCut(let received, let text):
            return "\(head): stream cut after \(received) chunk(s), before data: [DONE]; text so far: \(quote(text))"
        case .serverReported(let message):
            return "\(head): server reported an error in the stream: \(message)"
        case .closedBeforeAnswer(let detail):
            return "\(head): the server closed the connection before answering (\(detail))"
        case .transport(let detail):
            return "\(head): \(detail)"
        }
    }

    private func format(_ seconds: Double) -> String {
        seconds == seconds.rounded() ? String(Int(seconds)) : String(seconds)
    }

    private func quote(_ text: String) -> String {
        let short = text.count > 80 ? String(text.prefix(80)) + "…" : text
        return "\"" + short.replacingOccurrences(of: "\n", with: "\\n") + "\""
    }
}
