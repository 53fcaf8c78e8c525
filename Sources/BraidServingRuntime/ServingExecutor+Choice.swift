import BraidPlan
import BraidServing

extension ServingExecutor {
    /// One stream of a segment as it is read: a request's only choice, or one choice of a request with `n` (a
    /// sibling branch).
    struct Choice {
        var segment: SegmentName
        var thread: ThreadID
        var generated = ""
        var chunks = 0
        var firstChunk: Double?
        var ended: Double?
        var usage: TokenUsage?
        var finishReason: String?
        var stop: String?
        var logprobs: [TokenLogprob] = []
        /// The choice is over: the server finished it, or Braid found a stop string in it.
        var done = false

        /// Counts a chunk that arrived at `now`.
        mutating func arrived(at now: Double) {
            chunks += 1
            if firstChunk == nil { firstChunk = now }
        }

        /// Takes one streamed piece of this choice: its text and log-probabilities, and its finish reason. The text
        /// is cut just after the first of `stops` (a stop string may straddle pieces, so the search starts the longest
        /// stop's length before the new text), and the choice is then over; so it is when the server finished it.
        mutating func take(_ part: CompletionChoice, at now: Double, stops: [String], longestStop: Int) {
            arrived(at: now)
            logprobs += part.logprobs?.entries ?? []
            let searchFrom = max(0, generated.utf8.count - max(0, longestStop - 1))
            generated += part.text
            if let found = ServingExecutor.firstStop(stops, in: generated, from: searchFrom) {
                stop = found.stop
                generated = found.cut
            }
            if let reason = part.finishReason { finishReason = reason }
            if !done, stop != nil || finishReason != nil {
                done = true
                ended = now
            }
        }

        /// Why decoding ended, as the request trace says it: Braid's stop string; a stream closed before the choice
        /// was over (`stoppedEarly`: the fork's finish rule, or the run failing); or the server's own reason.
        func ending(stoppedEarly: Bool, runFailed: Bool) -> String {
            if stop != nil { return "stop-string" }
            if stoppedEarly { return runFailed ? "run-failed" : "finish-policy" }
            switch finishReason {
            case "length": return "budget"
            case "stop": return "eos"
            case let other?: return other
            case nil: return "done"
            }
        }

        /// The request trace's record of this choice: sent with `request` at `sent`, ended at `ended`, for `ending`
        /// (`ending(stoppedEarly:runFailed:)`); `usage` are counts the server sent for the whole request, used when
        /// the choice has none of its own; `seed` is the choice's own draw (default: the request's).
        func record(number: Int, prompt: Prompt, request: CompletionRequest, sent: Double, ended: Double, ending: String,
                    usage: TokenUsage? = nil, seed: UInt64? = nil) -> RequestRecord {
            let counts = self.usage ?? usage
            var record = RequestRecord(number: number, thread: thread, segment: segment, prompt: prompt.text,
                                       text: generated, ending: ending, stop: stop, chunks: chunks,
                                       promptTokens: counts?.promptTokens, completionTokens: counts?.completionTokens,
                                       cachedTokens: counts?.cachedTokens, sent: sent, firstChunk: firstChunk,
                                       ended: ended, maxTokens: request.maxTokens,
                                       temperature: request.temperature ?? 0, topP: request.topP ?? 1,
                                       seed: seed ?? request.seed ?? 0)
            record.promptForm = prompt.ids == nil ? PromptForm.text.rawValue : PromptForm.ids.rawValue
            record.promptIDs = prompt.ids
            record.logprobs = request.logprobs == nil ? nil : logprobs
            return record
        }
    }
}
