import BraidServing
import Foundation

/// One request of a served run, as the request trace records it (one JSON object per line, see Docs/backends.md).
public struct RequestRecord: Codable, Equatable, Sendable {
    /// The request's number in the run (1, 2, …, in the order requests were sent).
    public var number: Int
    /// The thread that sent it.
    public var thread: String
    /// The plan segment it decodes.
    public var segment: String
    /// The prompt's text, exactly as Braid rendered it (also when its token ids were sent).
    public var prompt: String
    /// How the prompt was sent: `ids` (`promptIDs`) or `text` (`PromptForm`).
    public var promptForm: String?
    /// The token ids sent as the prompt, when it was sent as ids.
    public var promptIDs: [Int]?
    /// The prompt's length in UTF-8 bytes.
    public var promptBytes: Int
    /// The decoded text (the forced prefix is part of the prompt, not of this).
    public var text: String
    /// Why decoding ended: `eos`, `budget` (max_tokens), `stop-string` (Braid found one of the segment's stop
    /// strings and closed the stream), `finish-policy` (the fork's finish rule stopped the branch; the stream was
    /// cancelled), or the server's own `finish_reason` when it is none of these.
    public var ending: String
    /// The stop string found, for `stop-string`.
    public var stop: String?
    /// Chunks received.
    public var chunks: Int
    /// The server's counts (`usage`): prompt tokens, completion tokens, prompt tokens served from its prefix cache
    /// (`prompt_tokens_details.cached_tokens`, where the server reports it). Absent for a cancelled stream.
    public var promptTokens: Int?
    /// See `promptTokens`.
    public var completionTokens: Int?
    /// See `promptTokens`.
    public var cachedTokens: Int?
    /// Seconds from the run's start to sending the request (after waiting for a place under `--concurrency`).
    public var sent: Double
    /// Seconds from the run's start to the first chunk (nil: none came).
    public var firstChunk: Double?
    /// Seconds from the run's start to the request's end.
    public var ended: Double
    /// The request's sampling as sent.
    public var maxTokens: Int
    /// See `maxTokens`.
    public var temperature: Double
    /// See `maxTokens`.
    public var topP: Double
    /// See `maxTokens`. For a choice of a request with `n`, the choice's own draw: the request's seed + `choice`.
    public var seed: UInt64
    /// For identical siblings sent as one request: its `n` (every choice's record has the same `number`); nil for a
    /// request with one completion.
    public var n: Int?
    /// For identical siblings sent as one request: which choice this record is (0 ..< n).
    public var choice: Int?
    /// Each generated token with its log-probability, when the run asked for them (`ServingOptions.logprobs`).
    public var logprobs: [TokenLogprob]?

    /// Creates a record.
    public init(number: Int, thread: String, segment: String, prompt: String, text: String, ending: String,
                stop: String? = nil, chunks: Int, promptTokens: Int? = nil, completionTokens: Int? = nil,
                cachedTokens: Int? = nil, sent: Double, firstChunk: Double? = nil, ended: Double, maxTokens: Int,
                temperature: Double, topP: Double, seed: UInt64) {
        self.number = number
        self.thread = thread
        self.segment = segment
        self.prompt = prompt
        self.promptBytes = prompt.utf8.count
        self.text = text
        self.ending = ending
        self.stop = stop
        self.chunks = chunks
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
        self.cachedTokens = cachedTokens
        self.sent = sent
        self.firstChunk = firstChunk
        self.ended = ended
        self.maxTokens = maxTokens
        self.temperature = temperature
        self.topP = topP
        self.seed = seed
    }

    /// One JSON line (keys sorted), without the newline.
    public var jsonLine: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(self)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }
}

/// A generated token and its log-probability, as the server reported them.
public struct TokenLogprob: Codable, Equatable, Sendable {
    /// The token's text.
    public var token: String
    /// Its natural-log probability (nil where the server sent none).
    public var logprob: Double?

    /// Creates an entry.
    public init(token: String, logprob: Double?) {
        self.token = token
        self.logprob = logprob
    }
}

extension CompletionLogprobs {
    /// The tokens and their log-probabilities, paired.
    var entries: [TokenLogprob] {
        let tokens = self.tokens ?? []
        let values = tokenLogprobs ?? []
        return tokens.enumerated().map { i, token in TokenLogprob(token: token, logprob: i < values.count ? values[i] : nil) }
    }
}

/// Writes a request trace: one `RequestRecord` per line, each flushed as its request ends, so a failed run's
/// completed requests are on disk.
public final class RequestTraceWriter: @unchecked Sendable {
    private let handle: FileHandle
    private let lock = NSLock()

    /// Creates (or truncates) the file at `path`.
    public init(path: String) throws {
        guard FileManager.default.createFile(atPath: path, contents: nil) else {
            throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: path])
        }
        handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
    }

    /// Appends one record.
    public func write(_ record: RequestRecord) {
        lock.lock()
        defer { lock.unlock() }
        handle.write(Data((record.jsonLine + "\n").utf8))
    }

    /// Closes the file.
    public func close() {
        lock.lock()
        defer { lock.unlock() }
        try? handle.close()
    }
}
