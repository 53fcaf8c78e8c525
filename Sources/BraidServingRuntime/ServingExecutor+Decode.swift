import BraidPlan
import BraidRandom
import BraidServing

extension ServingExecutor {
    /// Decodes a segment with one streamed request: the prompt is its view's text plus its forced prefix; stop
    /// strings are found here (the stream is closed at the first, which the segment keeps). `trigger` (a spawn's
    /// rendered trigger text) is one more stop string; returns whether the segment ended with it. Cancellation (a
    /// finish rule stopping the branch) closes the stream, keeps the text so far and throws `CancellationError`.
    func decode(_ segment: Segment, _ decoding: Decoding, thread: ThreadID, trigger: String?) async throws -> Bool {
        let variables = await state.variables(of: thread)
        let prefix = decoding.prefix.map { PlanLanguage.render($0, variables) } ?? ""
        var stops = decoding.stop.map { PlanLanguage.render($0, variables) }.filter { !$0.isEmpty }
        if let trigger, !trigger.isEmpty, !stops.contains(trigger) { stops.append(trigger) }
        let prompt = await state.text(of: segment.view.dropLast()) + prefix
        await state.setText(segment.id, prefix, thread: thread)
        let forkSeed = await state.seed(of: thread)
        let request = CompletionRequest(model: options.model, prompt: .text(prompt), maxTokens: decoding.maxTokens,
                                        temperature: options.temperature ?? decoding.sampling.temperature ?? 0,
                                        topP: decoding.sampling.topP ?? 1,
                                        seed: decoding.sampling.seed ?? forkSeed ?? Self.seed(options.seed, thread: thread),
                                        logprobs: options.logprobs)
        try await limiter.acquire()
        let outcome: StreamOutcome
        do {
            outcome = try await stream(request, segment: segment.id, thread: thread, prefix: prefix, stops: stops)
        } catch {
            await limiter.release()
            throw error
        }
        await limiter.release()
        if outcome.cancelled { throw CancellationError() }
        return trigger.map { !$0.isEmpty && outcome.record.ending == "stop-string" && outcome.record.stop == $0 } ?? false
    }

    /// What one stream gave: its record (also in the run's trace) and whether it ended by cancellation.
    struct StreamOutcome {
        var record: RequestRecord
        var cancelled: Bool
    }

    /// Sends one request and reads its stream into the segment's text, recording the request when it ends.
    func stream(_ request: CompletionRequest, segment: SegmentName, thread: ThreadID, prefix: String,
                stops: [String]) async throws -> StreamOutcome {
        let number = await state.nextRequestNumber()
        let sent = await state.elapsed()
        let longestStop = stops.map(\.utf8.count).max() ?? 0
        var generated = ""
        var chunks = 0
        var firstChunk: Double?
        var usage: TokenUsage?
        var finishReason: String?
        var matched: String?
        var logprobs: [TokenLogprob] = []
        var cancelled = false
        do {
            for try await chunk in client.stream(request, label: "\(thread) \(segment) #\(number)") {
                chunks += 1
                if firstChunk == nil { firstChunk = await state.elapsed() }
                if let reported = chunk.usage { usage = reported }
                guard let choice = chunk.choices.first else { continue }
                if let reason = choice.finishReason { finishReason = reason }
                logprobs += choice.logprobs?.entries ?? []
                // A stop string may straddle chunks: look at the new text plus the longest stop's length before it.
                let searchFrom = max(0, generated.utf8.count - max(0, longestStop - 1))
                generated += choice.text
                if let found = Self.firstStop(stops, in: generated, from: searchFrom) {
                    matched = found.stop
                    generated = found.cut
                }
                await state.setText(segment, prefix + generated, thread: thread)
                if matched != nil { break }
            }
            if matched == nil, Task.isCancelled { cancelled = true }
        } catch is CancellationError {
            cancelled = true
        } catch let error as ServingError {
            await state.markFailed()
            throw ServingRunError.request(thread: thread, segment: segment, number: number, error: error)
        }
        let ending: String
        if matched != nil {
            ending = "stop-string"
        } else if cancelled {
            ending = await state.failed ? "run-failed" : "finish-policy"
        } else {
            switch finishReason {
            case "length": ending = "budget"
            case "stop": ending = "eos"
            case let other?: ending = other
            case nil: ending = "done"
            }
        }
        var record = RequestRecord(number: number, thread: thread, segment: segment, prompt: request.prompt.text,
                                   text: generated, ending: ending, stop: matched, chunks: chunks,
                                   promptTokens: usage?.promptTokens, completionTokens: usage?.completionTokens,
                                   cachedTokens: usage?.cachedTokens, sent: sent, firstChunk: firstChunk,
                                   ended: await state.elapsed(), maxTokens: request.maxTokens,
                                   temperature: request.temperature ?? 0, topP: request.topP ?? 1, seed: request.seed ?? 0)
        record.logprobs = request.logprobs == nil ? nil : logprobs
        await state.record(record)
        return StreamOutcome(record: record, cancelled: cancelled)
    }

    /// The first of `stops` found in `text` at or after UTF-8 offset `from` (where new text may complete one), with
    /// the text cut just after it: a segment ends with its stop string, as the local executor's does (text the same
    /// chunk carried past it is not kept).
    static func firstStop(_ stops: [String], in text: String, from: Int) -> (stop: String, cut: String)? {
        let bytes = Array(text.utf8)
        var best: (stop: String, end: Int)?
        for stop in stops {
            let needle = Array(stop.utf8)
            guard !needle.isEmpty, bytes.count >= needle.count else { continue }
            var start = max(0, from)
            while start + needle.count <= bytes.count {
                if bytes[start..<(start + needle.count)].elementsEqual(needle) {
                    if best.map({ start + needle.count < $0.end }) ?? true { best = (stop, start + needle.count) }
                    break
                }
                start += 1
            }
        }
        return best.map { ($0.stop, String(decoding: bytes[..<$0.end], as: UTF8.self)) }
    }

    /// The seed a segment without one of its own sends: the run's seed mixed with its thread's name (FNV-1a), kept
    /// under 2³¹ because servers differ in the integer type they parse.
    static func seed(_ run: UInt64, thread: ThreadID) -> UInt64 {
        (run ^ fnv1a(thread)) % (1 << 31)
    }
}

extension CompletionPrompt {
    /// The prompt as text (token ids as a list).
    var text: String {
        switch self {
        case .text(let text): return text
        case .tokens(let ids): return "\(ids)"
        }
    }
}
