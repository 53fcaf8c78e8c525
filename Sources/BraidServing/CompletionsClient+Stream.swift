import AsyncHTTPClient
import Foundation
import NIOCore

extension CompletionsClient {
    /// Sends a request with `stream: true` and yields its chunks as they arrive (each a `Completion` whose
    /// choices carry text deltas; a last usage-only chunk where the server sends one).
    ///
    /// The stream finishes at `data: [DONE]`. Stopping the iteration early (a `break`, or cancelling the
    /// consuming task) cancels the request and closes its connection, which is how a finish-first fork stops
    /// the branches it no longer needs. A seeded request is retried while no chunk has been yielded yet; a
    /// stream cut after that is an error (`streamCut`) carrying the text received so far.
    public func stream(_ request: CompletionRequest, label: String) -> AsyncThrowingStream<Completion, Error> {
        var body = request
        body.stream = true
        body.streamOptions = StreamOptions(includeUsage: true)
        let (stream, continuation) = AsyncThrowingStream.makeStream(of: Completion.self)
        let task = Task {
            do {
                let json = try self.encode(body, label: label)
                var yielded = 0
                // Nothing handed on is retried: seeded requests after transient failures, any request whose
                // connection the server closed before answering (`withRetries`); once a chunk is out, nothing is.
                try await self.withRetries(idempotent: request.isIdempotent) { attempt in
                    do {
                        try await self.streamOnce(json: json, label: label, attempt: attempt) { chunk in
                            yielded += 1
                            continuation.yield(chunk)
                        }
                    } catch var error as ServingError where yielded > 0 {
                        error.attempts = attempt
                        throw RetryBarrier(error: error)
                    }
                }
                continuation.finish()
            } catch let barrier as RetryBarrier {
                continuation.finish(throwing: barrier.error)
            } catch {
                continuation.finish(throwing: error)
            }
        }
        continuation.onTermination = { _ in task.cancel() }
        return stream
    }

    /// Reads a whole stream into one `StreamedCompletion`.
    public func collect(_ request: CompletionRequest, label: String) async throws -> StreamedCompletion {
        var result = StreamedCompletion()
        for try await chunk in stream(request, label: label) { result.add(chunk) }
        return result
    }

    /// One streamed exchange: status checked, SSE parsed, every `data:` payload decoded and handed on.
    func streamOnce(json: Data, label: String, attempt: Int, yield: (Completion) -> Void) async throws {
        var request = HTTPClientRequest(url: completionsURL)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "Accept", value: "text/event-stream")
        request.body = .bytes(ByteBuffer(bytes: json))
        var received = StreamedCompletion()
        var headArrived = false
        do {
            let response = try await http.execute(request, timeout: .seconds(configuration.requestTimeout))
            guard (200..<300).contains(response.status.code) else {
                let buffer = try await response.body.collect(upTo: 1 << 20)
                throw failure(label, .status(code: Int(response.status.code), reason: response.status.reasonPhrase,
                                             body: Self.excerpt(Data(buffer.readableBytesView))), attempt)
            }
            headArrived = true
            var events = ServerSentEvents()
            for try await buffer in response.body {
                for payload in events.feed(buffer.readableBytesView) {
                    if payload.trimmingCharacters(in: .whitespaces) == "[DONE]" { return }
                    let chunk = try decodeChunk(payload, label: label, attempt: attempt)
                    received.add(chunk)
                    yield(chunk)
                }
            }
            throw failure(label, .streamCut(received: received.chunks, text: received.texts[0] ?? ""), attempt)
        } catch let error as ServingError {
            throw error
        } catch let error as HTTPClientError where error == .readTimeout {
            throw failure(label, .timeout(what: received.chunks == 0 ? "the stream's first chunk" : "the stream's next chunk",
                                          seconds: configuration.idleTimeout), attempt)
        } catch {
            if Task.isCancelled { throw CancellationError() }
            let failure = classify(error, waiting: "the stream", headArrived: headArrived)
            if headArrived, case .transport = failure {
                throw self.failure(label, .streamCut(received: received.chunks, text: received.texts[0] ?? ""), attempt)
            }
            throw self.failure(label, failure, attempt)
        }
    }

    /// Decodes one `data:` payload: a chunk, or the error object a server sends mid-stream.
    func decodeChunk(_ payload: String, label: String, attempt: Int) throws -> Completion {
        let data = Data(payload.utf8)
        if let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] {
            if let error = object["error"] {
                let message = (error as? [String: Any])?["message"] as? String ?? String(describing: error)
                throw failure(label, .serverReported(message: message), attempt)
            }
            if object["object"] as? String == "error" {
                throw failure(label, .serverReported(message: object["message"] as? String ?? payload), attempt)
            }
        }
        do {
            return try JSONDecoder().decode(Completion.self, from: data)
        } catch {
            throw failure(label, .malformedJSON(detail: Self.describe(error), body: Self.excerpt(data)), attempt)
        }
    }
}

/// Carries a stream's failure past the retry loop once chunks have been handed on (they can't be taken back).
struct RetryBarrier: Error {
    var error: ServingError
}
