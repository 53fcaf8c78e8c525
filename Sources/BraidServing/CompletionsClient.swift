import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// A client of an OpenAI-style `/v1/completions` endpoint (vLLM, SGLang, llama.cpp's llama-server).
///
/// Every wait is bounded (`ClientConfiguration`), so no call hangs on a silent server. Seeded requests are
/// retried after transient failures (`RetryPolicy`); every failure is a `ServingError` naming the request
/// and quoting the server. Call `shutdown()` when done (or use `CompletionsClient.with`).
public final class CompletionsClient: Sendable {
    /// The completions endpoint, e.g. `http://127.0.0.1:8080/v1/completions`.
    public let completionsURL: String
    /// The server's base address (scheme, host, port), for its native endpoints.
    public let baseURL: String
    /// Time limits, retries and limits on what is read.
    public let configuration: ClientConfiguration
    let http: HTTPClient

    /// Connects to a server at `baseURL` (`http://host:port`, optionally ending in `/v1`).
    public init(baseURL: String, configuration: ClientConfiguration = ClientConfiguration()) throws {
        guard let url = URL(string: baseURL), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme),
              let host = url.host, !host.isEmpty else {
            throw ServingError(request: "-", url: baseURL,
                               failure: .transport(detail: "not an http(s) address such as http://127.0.0.1:8080"))
        }
        var root = baseURL
        while root.hasSuffix("/") { root.removeLast() }
        if root.hasSuffix("/v1") { root.removeLast(3) }
        self.baseURL = root
        self.completionsURL = root + "/v1/completions"
        self.configuration = configuration
        var settings = HTTPClient.Configuration()
        settings.timeout = .init(connect: .seconds(configuration.connectTimeout),
                                 read: .seconds(configuration.idleTimeout))
        // A refused connection is reported at once (our own retry policy decides about sending again),
        // instead of the pool trying to connect again until the request's deadline.
        settings.connectionPool.retryConnectionEstablishment = false
        // Every request in flight holds a connection (a stream for its whole length): the pool's default of 8 per
        // host would queue the 9th concurrent branch and fail it after the connect timeout.
        settings.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = max(1, configuration.maxConnections)
        self.http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: settings)
    }

    /// Runs `body` with a client and shuts the client down afterwards, also when `body` throws.
    public static func with<T: Sendable>(baseURL: String, configuration: ClientConfiguration = ClientConfiguration(),
                                         _ body: (CompletionsClient) async throws -> T) async throws -> T {
        let client = try CompletionsClient(baseURL: baseURL, configuration: configuration)
        do {
            let result = try await body(client)
            try await client.shutdown()
            return result
        } catch {
            try? await client.shutdown()
            throw error
        }
    }

    /// Closes the connections; the client can't be used afterwards.
    public func shutdown() async throws {
        try await http.shutdown()
    }

    /// Sends a request and waits for the whole answer. `label` names the request in errors.
    public func complete(_ request: CompletionRequest, label: String) async throws -> Completion {
        var body = request
        body.stream = nil
        body.streamOptions = nil
        let json = try encode(body, label: label)
        return try await withRetries(idempotent: request.isIdempotent) { attempt in
            let data = try await self.send(path: "/v1/completions", json: json, label: label, attempts: attempt)
            do {
                return try JSONDecoder().decode(Completion.self, from: data)
            } catch {
                throw self.failure(label, .malformedJSON(detail: Self.describe(error), body: Self.excerpt(data)), attempt)
            }
        }
    }

    /// GETs another path of the server (`/health`, `/slots`, `/v1/models`) and returns the answer's bytes;
    /// a non-2xx status is an error. Sent again only when the server closed the connection before answering.
    public func get(path: String, label: String) async throws -> Data {
        try await withRetries(idempotent: false) { attempt in
            try await self.send(path: path, json: nil, label: label, attempts: attempt)
        }
    }

    /// POSTs JSON to another path of the server (llama-server's native `/completion`, `/tokenize`) and returns
    /// the answer's bytes; errors as for `complete`, sent again only when the server closed the connection before
    /// answering.
    public func post(path: String, json: Data, label: String) async throws -> Data {
        try await withRetries(idempotent: false) { attempt in
            try await self.send(path: path, json: json, label: label, attempts: attempt)
        }
    }

    /// The raw exchange: one GET (no body) or POST, its status checked, its body read within the limits.
    func send(path: String, json: Data?, label: String, attempts: Int) async throws -> Data {
        let url = baseURL + path
        var request = HTTPClientRequest(url: url)
        request.method = json == nil ? .GET : .POST
        if let json {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: json))
        }
        var headArrived = false
        do {
            let response = try await http.execute(request, timeout: .seconds(configuration.requestTimeout))
            headArrived = true
            let buffer = try await response.body.collect(upTo: configuration.maxResponseBytes)
            let data = Data(buffer.readableBytesView)
            guard (200..<300).contains(response.status.code) else {
                throw failure(label, .status(code: Int(response.status.code), reason: response.status.reasonPhrase,
                                             body: Self.excerpt(data)), attempts, url: url)
            }
            return data
        } catch let error as ServingError {
            throw error
        } catch {
            throw failure(label, classify(error, waiting: "the answer", headArrived: headArrived), attempts, url: url)
        }
    }

    /// Sends `operation` up to the retry policy's limit while it fails transiently and the request is
    /// idempotent, or, idempotent or not, while the server closes the connection before any byte of the answer
    /// (a stale pooled connection: the request never reached a model); the last error carries the number of attempts.
    func withRetries<T>(idempotent: Bool, _ operation: (Int) async throws -> T) async throws -> T {
        var attempt = 1
        while true {
            do {
                return try await operation(attempt)
            } catch var error as ServingError {
                error.attempts = attempt
                let resend = error.isSafeToResend || (idempotent && error.isTransient)
                guard attempt < configuration.retry.maxAttempts, resend, !Task.isCancelled else { throw error }
                try await Task.sleep(nanoseconds: UInt64(configuration.retry.backoff(after: attempt) * 1e9))
                attempt += 1
            }
        }
    }

    /// Maps what AsyncHTTPClient and NIO throw onto the failures the user is told about. A connection closed
    /// (or reset) by the server before the response head arrived is `closedBeforeAnswer`.
    func classify(_ error: Error, waiting what: String, headArrived: Bool) -> ServingError.Failure {
        if !headArrived, Self.isClosedByPeer(error) {
            return .closedBeforeAnswer(detail: String(describing: error))
        }
        if let client = error as? HTTPClientError {
            switch client {
            case .readTimeout: return .timeout(what: what, seconds: configuration.idleTimeout)
            case .deadlineExceeded: return .timeout(what: "the whole answer", seconds: configuration.requestTimeout)
            case .connectTimeout: return .timeout(what: "a connection", seconds: configuration.connectTimeout)
            case .remoteConnectionClosed: return .transport(detail: "the server closed the connection before the answer was complete")
            default: break
            }
        }
        let text = String(describing: error)
        if text.localizedCaseInsensitiveContains("refused") { return .connectionRefused(detail: text) }
        if error is CancellationError { return .transport(detail: "cancelled") }
        return .transport(detail: text)
    }

    /// Whether `error` says the peer closed or reset the connection.
    static func isClosedByPeer(_ error: Error) -> Bool {
        if let client = error as? HTTPClientError, client == .remoteConnectionClosed { return true }
        if let io = error as? IOError, io.errnoCode == ECONNRESET || io.errnoCode == EPIPE { return true }
        if let channel = error as? ChannelError, channel == .eof || channel == .ioOnClosedChannel { return true }
        return false
    }

    func failure(_ label: String, _ failure: ServingError.Failure, _ attempts: Int, url: String? = nil) -> ServingError {
        ServingError(request: label, url: url ?? completionsURL, failure: failure, attempts: attempts)
    }

    func encode(_ request: CompletionRequest, label: String) throws -> Data {
        do {
            return try JSONEncoder().encode(request)
        } catch {
            throw failure(label, .transport(detail: "can't encode the request: \(error)"), 0)
        }
    }

    /// The start of a body, for error messages.
    static func excerpt(_ data: Data, limit: Int = 300) -> String {
        let text = String(decoding: data.prefix(limit), as: UTF8.self)
        return data.count > limit ? text + "…" : (text.isEmpty ? "(empty body)" : text)
    }

    /// A decoding error in one line.
    static func describe(_ error: Error) -> String {
        guard let decoding = error as? DecodingError else { return String(describing: error) }
        switch decoding {
        case .dataCorrupted(let context): return "invalid or truncated JSON: \(context.debugDescription)"
        case .keyNotFound(let key, _): return "missing field '\(key.stringValue)'"
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            return "wrong type at \(context.codingPath.map(\.stringValue).joined(separator: ".")): \(context.debugDescription)"
        @unknown default: return String(describing: decoding)
        }
    }
}

/// The limits of a `CompletionsClient`, in seconds and bytes.
public struct ClientConfiguration: Sendable, Equatable {
    /// Longest wait for a TCP connection.
    public var connectTimeout: Double
    /// Longest wait for the next bytes of an answer (a response head, a body part, a stream's next chunk).
    public var idleTimeout: Double
    /// Longest time one request may take in all, stream included.
    public var requestTimeout: Double
    /// Retries of seeded requests.
    public var retry: RetryPolicy
    /// Most bytes of a non-streamed answer that are read.
    public var maxResponseBytes: Int
    /// Most connections open to the server at once, i.e. requests in flight together (each stream holds one).
    public var maxConnections: Int

    /// Creates limits (defaults: 5 s to connect, 120 s idle, 1 h per request, 3 attempts, 64 MiB, 64 connections).
    public init(connectTimeout: Double = 5, idleTimeout: Double = 120, requestTimeout: Double = 3600,
                retry: RetryPolicy = RetryPolicy(), maxResponseBytes: Int = 64 << 20, maxConnections: Int = 64) {
        self.connectTimeout = connectTimeout
        self.idleTimeout = idleTimeout
        self.requestTimeout = requestTimeout
        self.retry = retry
        self.maxResponseBytes = maxResponseBytes
        self.maxConnections = maxConnections
    }
}

extension TimeAmount {
    /// A duration in (fractional) seconds, at least 1 ms.
    static func seconds(_ seconds: Double) -> TimeAmount {
        .milliseconds(max(1, Int64((seconds * 1000).rounded())))
    }
}
