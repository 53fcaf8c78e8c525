import BraidPlan
import BraidServing
import Foundation

/// Executes a compiled `Plan` against an OpenAI-style `/v1/completions` server, as `ServingLowering` describes it.
///
/// Every decoded segment is one streamed request whose prompt is the text of the segments in its view, in view
/// order, followed by the segment's forced prefix (re-prefill: exactly the text Braid renders locally). A thread
/// writes its plan segments in order; a fork's branches run as concurrent requests (at most
/// `ServingOptions.concurrency` in flight) until the fork's finish rule is met, which cancels the streams of the
/// branches it stops; merges and summaries read the branches' text through their views; votes and the answer are
/// taken from the text as the plan says. A spawn point runs as APR's client does: the parent's request stops at
/// the spawn block's closing text, the block is parsed with the plan's spawn template, the round is instantiated
/// into the plan (`Plan.instantiateSpawn`), the children run concurrently, the join text replaces the block and the
/// parent continues with a new request. Stop strings are Braid's: the server is sent none, Braid closes the stream
/// when one appears, and the segment keeps it (as the local executor does).
public struct ServingExecutor: Sendable {
    let client: CompletionsClient
    let options: ServingOptions
    let renderer: (any PromptRendering)?
    let state: RunState
    let limiter: RequestLimiter

    /// Runs `plan` with `client`. `renderer` renders chat prompts and token cuts in the served model's format (nil:
    /// a plan that needs one fails naming the segment); `observer` sees every request as it ends (a request trace
    /// writer). `limiter` bounds the requests in flight (nil: a limiter of `options.concurrency` places for this run
    /// alone; runs that share one share its places). Throws `ServingRunFailure`, which carries every request
    /// completed before the failure.
    public static func run(plan: Plan, client: CompletionsClient, options: ServingOptions = ServingOptions(),
                           renderer: (any PromptRendering)? = nil, limiter: RequestLimiter? = nil,
                           observer: (@Sendable (RequestRecord) -> Void)? = nil) async throws -> ServingRunResult {
        let executor = ServingExecutor(client: client, options: options, renderer: renderer,
                                       state: RunState(plan: plan, observer: observer),
                                       limiter: limiter ?? RequestLimiter(limit: options.concurrency))
        do {
            return try await executor.run()
        } catch let error as ServingRunError {
            throw ServingRunFailure(error: error, requests: await executor.state.requests)
        } catch let error as ServingRunFailure {
            throw error
        } catch {
            throw ServingRunFailure(error: .badPlan(segment: "", reason: "\(error)"), requests: await executor.state.requests)
        }
    }

    /// The run: the root thread with the run's inputs, then the answer.
    func run() async throws -> ServingRunResult {
        let plan = await state.plan
        guard let root = plan.threads.first?.id else { throw ServingRunError.badPlan(segment: "", reason: "the plan has no threads") }
        let inputs: [String: String]
        do {
            inputs = try plan.inputValues(options.inputs)
        } catch {
            throw ServingRunError.badInput("\(error)")
        }
        await state.setInputs(inputs)
        await state.startThread(root, parent: nil, kind: "main", depth: 0, variables: inputs)
        try await runThread(root)
        await state.stop(root, reason: "done")
        let threads = await state.servedThreads()
        let main = threads.first { $0.name == root }
        let finalText = (main?.segments.dropFirst() ?? []).map(\.text).joined()
        return ServingRunResult(answer: try await answer(root: root, finalText: finalText), finalText: finalText,
                                threads: threads, votes: await state.votes, requests: await state.requests,
                                seconds: await state.elapsed(), sequentialTokens: await state.sequentialTokens,
                                notes: await state.notes)
    }

    /// The plan's answer rule over the finished run: the named step's output (or the root's text after its prompt),
    /// through its pattern, or trimmed when it has none.
    func answer(root: ThreadID, finalText: String) async throws -> String? {
        let plan = await state.plan
        let rule = plan.answer
        var text = finalText
        if let from = rule?.from {
            guard let output = await state.output(of: from, root: root) else {
                throw ServingRunError.badPlan(segment: from, reason: "the answer is read from this step, but it produced nothing")
            }
            text = output
        }
        guard let rule, let pattern = rule.pattern else {
            let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
            return trimmed.isEmpty ? nil : trimmed
        }
        return try PlanLanguage.extract(pattern, from: text, occurrence: rule.occurrence, preferred: "answer", what: "answer")
    }

    /// Walks the thread's program in the plan (`PlanThread.program`, the walk the local executor follows too):
    /// writes segments, decodes spawn triggers through their rounds, opens forks (waiting for their finish rule),
    /// writes merges and counts votes, in the plan's order.
    func runThread(_ thread: ThreadID) async throws {
        for step in await state.plan.program(of: thread) {
            try Task.checkCancellation()
            switch step {
            case .write(let name):
                try await write(name, thread: thread)
            case .spawn(let id):
                try await runSpawn(id, thread: thread)
            case .fork(let id):
                try await runFork(id, thread: thread)
            case .merge(let id):
                guard let merge = await state.plan.merge(id) else {
                    throw ServingRunError.badPlan(segment: id, reason: "thread '\(thread)' merges, but the plan has no such merge")
                }
                if let fork = await state.plan.fork(merge.fork) {
                    await state.raiseSequential(thread, toLongestOf: fork.branches)
                }
                for segment in merge.segments { try await write(segment, thread: thread) }
            case .vote(let id):
                try await runVote(id, thread: thread)
            }
        }
    }

    /// Writes one segment: prefilled text rendered here, or a decoded segment's request.
    func write(_ name: SegmentName, thread: ThreadID, extra: [String: String] = [:]) async throws {
        let plan = await state.plan
        guard let segment = plan.segment(name) else {
            throw ServingRunError.badPlan(segment: name, reason: "thread '\(thread)' writes it, but the plan has no such segment")
        }
        let variables = await state.variables(of: thread)
        switch segment.content {
        case .text(let template, let maxTokens):
            var text = PlanLanguage.render(template, variables.merging(extra) { _, new in new })
            if let maxTokens {
                guard let renderer else {
                    throw ServingRunError.rendering(segment: name, reason: "its text is cut to \(maxTokens) tokens, which needs the served model's tokenizer (--model)")
                }
                text = renderer.prefix(of: text, tokens: maxTokens)
            }
            await state.setText(name, text, thread: thread)
        case .chat(let messages):
            guard let renderer else {
                throw ServingRunError.rendering(segment: name, reason: "a chat prompt needs the served model's chat format (--model)")
            }
            let rendered = messages.map { (role: $0.role, content: PlanLanguage.render($0.text, variables)) }
            do {
                let text = try renderer.chatPrompt(rendered, continueLast: messages.last?.role == "assistant")
                await state.setText(name, text, thread: thread)
            } catch {
                throw ServingRunError.rendering(segment: name, reason: "the model has no chat format: \(error)")
            }
        case .splice(let splice):
            await state.setText(name, try await mergeText(segment, splice: splice, variables: variables), thread: thread)
        case .generate(let decoding):
            _ = try await decode(segment, decoding, thread: thread, trigger: nil)
        }
    }

    /// A `reprefill`/`text` merge's spliced text: each branch's text through `each`, joined by `separator`, between
    /// `header` and `footer` (every branch of the fork, those its finish rule stopped as they stand).
    func mergeText(_ segment: Segment, splice: Splice, variables: [String: String]) async throws -> String {
        let plan = await state.plan
        guard let merge = plan.merges.first(where: { $0.segments.contains(segment.id) }), let fork = plan.fork(merge.fork) else {
            throw ServingRunError.badPlan(segment: segment.id, reason: "it splices other segments' text, but no merge of the plan writes it")
        }
        var texts: [String] = []
        for (i, branch) in fork.branches.enumerated() {
            var values = variables
            values["text"] = await state.text(ofThread: branch)
            values["i"] = String(i + 1)
            values["i0"] = String(i)
            texts.append(PlanLanguage.render(splice.each, values))
        }
        return PlanLanguage.render(splice.header, variables) + texts.joined(separator: splice.separator)
            + PlanLanguage.render(splice.footer, variables)
    }
}
