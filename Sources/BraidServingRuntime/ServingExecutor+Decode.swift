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
        let prompt = await self.prompt(view: Array(segment.view.dropLast()), prefix: prefix)
        await state.setText(segment.id, prefix, thread: thread)
        let forkSeed = await state.seed(of: thread)
        let request = CompletionRequest(model: options.model, prompt: prompt.completion, maxTokens: decoding.maxTokens,
                                        temperature: options.temperature ?? decoding.sampling.temperature ?? 0,
                                        topP: decoding.sampling.topP ?? 1,
                                        seed: decoding.sampling.seed ?? forkSeed ?? Self.seed(options.seed, thread: thread),
                                        logprobs: options.logprobs)
        try await limiter.acquire()
        let outcome: StreamOutcome
        do {
            outcome = try await stream(request, prompt: prompt, segment: segment.id, thread: thread, prefix: prefix, stops: stops)
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

    /// A server refused the prompt's token ids (`refusedIDs`); the request is sent again as text.
    struct IDsRefused: Error {
        var error: ServingError
        var number: Int
    }

    /// Sends one request and reads its stream into the segment's text; a prompt of ids the server refuses is sent
    /// again as text and, when the text is taken, so are all later prompts of the run (its notes say so).
    func stream(_ request: CompletionRequest, prompt: Prompt, segment: SegmentName, thread: ThreadID, prefix: String,
                stops: [String]) async throws -> StreamOutcome {
        do {
            return try await streamOnce(request, prompt: prompt, segment: segment, thread: thread, prefix: prefix, stops: stops)
        } catch let refused as IDsRefused {
            var asText = request
            asText.prompt = .text(prompt.text)
            let outcome = try await streamOnce(asText, prompt: Prompt(text: prompt.text, ids: nil), segment: segment,
                                               thread: thread, prefix: prefix, stops: stops)
            await state.refuseIDs(Self.idsRefusedNote(refused.error, number: refused.number))
            return outcome
        }
    }

    /// Sends one request and reads its stream into the segment's text, recording the request when it ends.
    func streamOnce(_ request: CompletionRequest, prompt: Prompt, segment: SegmentName, thread: ThreadID, prefix: String,
                    stops: [String]) async throws -> StreamOutcome {
        let number = await state.nextRequestNumber()
        let sent = await state.elapsed()
        let longestStop = stops.map(\.utf8.count).max() ?? 0
        var choice = Choice(segment: segment, thread: thread)
        var cancelled = false
        do {
            for try await chunk in client.stream(request, label: "\(thread) \(segment) #\(number)") {
                let now = await state.elapsed()
                if let reported = chunk.usage { choice.usage = reported }
                guard let part = chunk.choices.first else {
                    choice.arrived(at: now)  // a chunk with only the counts
                    continue
                }
                choice.take(part, at: now, stops: stops, longestStop: longestStop)
                await state.setText(segment, prefix + choice.generated, thread: thread)
                if choice.stop != nil { break }
            }
            if choice.stop == nil, Task.isCancelled { cancelled = true }
        } catch is CancellationError {
            cancelled = true
        } catch let error as ServingError {
            if Self.refusedIDs(error, request: request, chunks: choice.chunks) { throw IDsRefused(error: error, number: number) }
            await state.markFailed()
            throw ServingRunError.request(thread: thread, segment: segment, number: number, error: error)
        }
        // The request ends with its stream (the server's counts come after the choice's finish).
        let record = choice.record(number: number, prompt: prompt, request: request, sent: sent, ended: await state.elapsed(),
                                   ending: choice.ending(stoppedEarly: cancelled, runFailed: await state.failed))
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
