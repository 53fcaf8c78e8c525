import BraidPlan
import BraidServing

extension ServingExecutor {
    /// What a request with `n` left to do: the branches it did not decode (every one when the server refused `n`,
    /// those whose choice never came when it ignored `n`) and the text of each branch it finished, in order.
    struct SiblingsLeft {
        var branches: [ThreadID]
        var finished: [String]
    }

    /// Decodes a fork of identical siblings (`Plan.identicalSiblings`) as one streamed request with `n` = the
    /// number of branches: choice i is branch i's segment (drawn by the server with the request's seed + i). Stop
    /// strings are found per choice; after each finished choice the fork's finish rule is checked, and once it is
    /// met the stream is closed, the unfinished choices keeping their text as stopped branches do. A server that
    /// refuses `n` (a 4xx answer before any chunk) or ignores it (a whole stream without some choices) leaves those
    /// branches to the caller, which sends them one request each; the run's notes say which.
    func runSiblings(_ fork: ForkPlan, segments: [Segment], asText: Bool = false) async throws -> SiblingsLeft {
        guard case .generate(let decoding) = segments[0].content else { return SiblingsLeft(branches: fork.branches, finished: []) }
        let variables = await state.variables(of: fork.branches[0])
        let prefix = decoding.prefix.map { PlanLanguage.render($0, variables) } ?? ""
        let stops = decoding.stop.map { PlanLanguage.render($0, variables) }.filter { !$0.isEmpty }
        let longestStop = stops.map(\.utf8.count).max() ?? 0
        let prompt = await self.prompt(view: Array(segments[0].view.dropLast()), prefix: prefix, asText: asText)
        var choices = zip(segments, fork.branches).map { Choice(segment: $0.id, thread: $1) }
        for choice in choices { await state.setText(choice.segment, prefix, thread: choice.thread) }
        let seed = await state.seed(of: fork.branches[0]) ?? Self.seed(options.seed, thread: fork.branches[0])
        let request = CompletionRequest(model: options.model, prompt: prompt.completion, maxTokens: decoding.maxTokens,
                                        temperature: options.temperature ?? decoding.sampling.temperature ?? 0,
                                        topP: decoding.sampling.topP ?? 1, seed: seed, n: choices.count,
                                        logprobs: options.logprobs)
        try await limiter.acquire()
        let number = await state.nextRequestNumber()
        let sent = await state.elapsed()
        var finished: [String] = []
        var met = false
        var requestUsage: TokenUsage?
        var cancelled = false
        do {
            reading: for try await chunk in client.stream(request, label: "\(fork.parent) \(fork.id) #\(number) (n=\(choices.count))") {
                let now = await state.elapsed()
                if let usage = chunk.usage {
                    // A choice's own counts (llama-server) or the whole request's (vLLM, SGLang: a chunk without choices).
                    if chunk.choices.count == 1, choices.indices.contains(chunk.choices[0].index) {
                        choices[chunk.choices[0].index].usage = usage
                    } else {
                        requestUsage = usage
                    }
                }
                for part in chunk.choices where choices.indices.contains(part.index) && !choices[part.index].done {
                    let c = part.index
                    choices[c].take(part, at: now, stops: stops, longestStop: longestStop)
                    await state.setText(choices[c].segment, prefix + choices[c].generated, thread: choices[c].thread)
                    guard choices[c].done else { continue }
                    await state.stop(choices[c].thread, reason: "done")
                    finished.append(await state.text(ofThread: choices[c].thread))
                    if try PlanLanguage.isMet(fork, finished: finished, of: choices.count) {
                        met = true
                        // Choices still decoding are stopped; when none is, the stream is read to its end for
                        // the usage a server sends last (vLLM, SGLang).
                        if !choices.allSatisfy(\.done) { break reading }
                    }
                }
                // Every choice over and one of them cut short by Braid: the server may still be decoding it.
                if choices.allSatisfy(\.done), choices.contains(where: { $0.stop != nil }) { break }
            }
            if Task.isCancelled, !met { cancelled = true }
        } catch is CancellationError {
            cancelled = true
        } catch let error as ServingError {
            await limiter.release()
            let arrived = choices.reduce(0) { $0 + $1.chunks }
            if Self.refusedIDs(error, request: request, chunks: arrived) {
                // Sent again as text, still with `n`. Refused again, it was `n` the server refused (the branches go
                // one request each, as ids); taken, it was the ids (the run's prompts are text from now on).
                let left = try await runSiblings(fork, segments: segments, asText: true)
                if !(await state.refusesN) { await state.refuseIDs(Self.idsRefusedNote(error, number: number)) }
                return left
            }
            if case .status(let code, _, _) = error.failure, (400..<500).contains(code), arrived == 0 {
                await state.refuseN("the server refused n=\(choices.count) for fork '\(fork.step)' (\(error.failure)); its branches were sent as \(choices.count) requests")
                return SiblingsLeft(branches: fork.branches, finished: [])
            }
            await state.markFailed()
            throw ServingRunError.request(thread: fork.parent, segment: segments.map(\.id).joined(separator: ", "), number: number, error: error)
        } catch {
            await limiter.release()
            throw error
        }
        await limiter.release()
        // A whole stream, no finish rule met, and choices that never came: the server ignored `n`.
        let missing = cancelled || met ? [] : choices.filter { $0.chunks == 0 && !$0.done }.map(\.thread)
        if !missing.isEmpty {
            await state.refuseN("the server answered n=\(choices.count) for fork '\(fork.step)' with \(choices.count - missing.count) choice(s); the other \(missing.count) branch(es) were sent as separate requests")
        }
        let failed = await state.failed
        let end = await state.elapsed()
        for (c, choice) in choices.enumerated() where !missing.contains(choice.thread) {
            if !choice.done, choice.stop == nil { await state.stop(choice.thread, reason: "finish-policy") }
            var record = choice.record(number: number, prompt: prompt, request: request, sent: sent, ended: choice.ended ?? end,
                                       ending: choice.ending(stoppedEarly: !choice.done, runFailed: cancelled && failed),
                                       usage: c == 0 ? requestUsage : nil, seed: seed + UInt64(c))
            record.n = choices.count
            record.choice = c
            await state.record(record)
        }
        if cancelled { throw CancellationError() }
        return SiblingsLeft(branches: missing, finished: finished)
    }
}
