import BraidPlan
import BraidRules
import BraidTransformer
import Foundation

extension Engine {
    /// Runs the thread's actions until it has tokens to write, waits or is done.
    func advance(_ thread: RunThread) throws {
        while case .ready = thread.phase {
            guard thread.pc < thread.program.count else {
                try finish(thread, reason: "done")
                return
            }
            let action = thread.program[thread.pc]
            thread.pc += 1
            switch action {
            case .plan(let step):
                try execute(step, in: thread)
            case let .prefill(stepID, segment, text, bos):
                try startPrefill(thread, step: stepID, segment: segment, text: text, bos: bos)
            case let .generate(stepID, segment, spawn):
                try startGenerate(thread, step: stepID, segment: segment, spawn: spawn)
            }
        }
    }

    /// Inserts actions to run next.
    func insertNext(_ actions: [Action], in thread: RunThread) {
        thread.program.insert(contentsOf: actions, at: thread.pc)
    }

    /// The thread's program in the plan, as actions.
    func program(of thread: ThreadID) -> [Action] {
        plan.program(of: thread).map(Action.plan)
    }

    /// Interprets one step of the thread's program in the plan.
    func execute(_ step: ThreadStep, in thread: RunThread) throws {
        switch step {
        case .write(let name):
            insertNext([try writeAction(name, in: thread)], in: thread)
        case .spawn(let id):
            let template = try spawnTemplate(id, segment: id)
            insertNext([.generate(step: template.step, segment: template.trigger,
                                  spawn: SpawnContext(template: id, round: 0))], in: thread)
        case .fork(let id):
            try startFork(id, in: thread)
        case .merge(let id):
            try startMerge(id, in: thread)
        case .vote(let id):
            try runVote(id, in: thread)
        }
    }

    /// Writes the plan's segment `name` as its content says: decoded, or prefilled (after the model's
    /// begin-of-sequence token when it opens a sequence, `Segment.opensSequence`). Its text is kept under `step`
    /// (default: the segment's graph step).
    func writeAction(_ name: SegmentName, step: String? = nil, in thread: RunThread) throws -> Action {
        guard let segment = planned(name) else {
            throw RunError.planMismatch(segment: name, reason: "thread '\(thread.name)' writes it, but the plan has no such segment")
        }
        switch segment.content {
        case .generate:
            return .generate(step: step ?? segment.step, segment: name, spawn: nil)
        case .text, .chat:
            return .prefill(step: step ?? segment.step, segment: name, text: .planned([:]), bos: segment.opensSequence)
        case .splice:
            throw RunError.planMismatch(segment: name, reason: "thread '\(thread.name)' writes it alone, but the plan splices it for a merge or a join")
        }
    }

    /// Opens a segment and queues forced tokens for it (nothing is opened when there are none).
    func startPrefill(_ thread: RunThread, step stepID: String, segment name: SegmentName, text: ForcedText, bos: Bool) throws {
        var ids: [Int32]
        switch text {
        case .planned(let extra): ids = try plannedTokens(of: name, thread: thread, extra: extra)
        case .composed(let composed): ids = model.encode(composed)
        case .tokens(let tokens): ids = tokens
        }
        if bos, let first = model.beginOfSequence { ids.insert(first, at: 0) }
        guard !ids.isEmpty else { return }
        _ = try openSegment(thread, name: name, step: stepID)
        try checkFits(thread, count: ids.count)
        thread.pending = ids.map { ($0, thread.textDecoder.feed($0)) }
        thread.pendingSampled = false
        thread.phase = .working
    }

    /// Opens a decoding segment as the plan describes it (`Decoding`: forced prefix, budget, stop strings,
    /// sampling): forced prefix tokens first, else the first token is sampled at once from the logits after the
    /// thread's last token. A spawn's trigger is one more stop string.
    func startGenerate(_ thread: RunThread, step stepID: String, segment: SegmentName, spawn: SpawnContext?) throws {
        let opened = try openSegment(thread, name: segment, step: stepID)
        guard let planned = planned(opened.name), case .generate(let decoding) = planned.content else {
            throw RunError.planMismatch(segment: opened.name, reason: "the run decodes it, but the plan does not say how")
        }
        let prefixIDs = decoding.prefix.map { model.encode($0.render(thread.variables)) } ?? []
        var stops = decoding.stop.map { $0.render(thread.variables) }
        var trigger: String?
        if let spawn {
            let rendered = try spawnTemplate(spawn.template, segment: segment).triggerText.render(thread.variables)
            if !stops.contains(rendered) { stops.append(rendered) }
            trigger = rendered
        }
        thread.decode = Decode(step: stepID, decoding: decoding, stops: stops, spawn: spawn, trigger: trigger)
        thread.sampler.parameters = samplingParameters(decoding.sampling)
        if let seed = decoding.sampling.seed {
            thread.sampler.random = RandomSource(seed: seed, stream: Engine.stableHash(thread.name))
        }
        thread.phase = .working
        if prefixIDs.isEmpty {
            guard let logits = thread.lastLogits else {
                throw RunError.badStep(step: stepID, reason: "thread '\(thread.name)' has no context to decode from (give it a prompt or a prefix)")
            }
            try sampleNext(thread, logits: logits)
            if thread.pending.isEmpty, thread.decode == nil, case .working = thread.phase { thread.phase = .ready }
        } else {
            try checkFits(thread, count: prefixIDs.count)
            thread.pending = prefixIDs.map { ($0, thread.textDecoder.feed($0)) }
            thread.pendingSampled = false
        }
    }

    /// The tokens of a prefilled plan segment (see `Engine.forcedTokens`).
    func plannedTokens(of name: SegmentName, thread: RunThread, extra: [String: String]) throws -> [Int32] {
        guard let planned = planned(name) else {
            throw RunError.planMismatch(segment: name, reason: "thread '\(thread.name)' prefills it, but the plan has no such segment")
        }
        guard let tokens = try Engine.forcedTokens(planned.content, variables: thread.variables.merging(extra) { _, new in new },
                                                   model: model, graph: plan.graph) else {
            throw RunError.planMismatch(segment: name, reason: "thread '\(thread.name)' prefills it, but the plan decodes or splices it")
        }
        return tokens
    }

    /// The tokens of prefilled content: a text template (cut to its `maxTokens`) or chat messages in the model's
    /// chat format, rendered with `variables`; nil for content that is decoded or spliced.
    static func forcedTokens(_ content: SegmentContent, variables: [String: String], model: RuntimeModel,
                             graph: String) throws -> [Int32]? {
        switch content {
        case .text(let template, let maxTokens):
            let tokens = model.encode(template.render(variables))
            return maxTokens.map { Array(tokens.prefix(max(0, $0))) } ?? tokens
        case .chat(let messages):
            let rendered = messages.map { (role: $0.role, content: $0.text.render(variables)) }
            do {
                return model.encode(try model.chatPrompt(rendered, continueLast: messages.last?.role == ChatRole.assistant.rawValue))
            } catch {
                throw RunError.badInput("graph '\(graph)' has a chat prompt, but the model has no chat format: \(error)")
            }
        case .generate, .splice:
            return nil
        }
    }

    /// Refuses forced text that would run past the context window.
    func checkFits(_ thread: RunThread, count: Int) throws {
        if thread.nextPosition + count > model.contextLength {
            throw RunError.contextOverflow(thread: thread.name, position: thread.nextPosition + count, context: model.contextLength)
        }
    }

    // MARK: Prompt and answer

    /// The output of a step, looked for on the main thread first, then on every other thread.
    func output(of stepID: String, main: RunThread) -> String? {
        if let text = main.output(of: stepID) { return text }
        for thread in threads { if let text = thread.output(of: stepID) { return text } }
        return nil
    }

    /// Applies the plan's answer rule: the named step's output (or the main thread's text after the prompt),
    /// through its pattern, or trimmed when it has none.
    func extractAnswer(main: RunThread) throws -> String? {
        let rule = plan.answer
        let text: String
        if let from = rule?.from {
            guard let output = output(of: from, main: main) else {
                throw RunError.badStep(step: from, reason: "the answer is read from this step, but it produced nothing")
            }
            text = output
        } else {
            text = main.own.dropFirst().map(\.text).joined()
        }
        guard let rule, let pattern = rule.pattern else {
            let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
            return trimmed.isEmpty ? nil : trimmed
        }
        return try Extraction.extract(pattern, from: text, occurrence: rule.occurrence, preferred: "answer", what: "answer")
    }

    /// The main thread's step outputs.
    func outputs(of main: RunThread) -> [String: String] {
        var out: [String: String] = [:]
        for key in main.stepSegments.keys { out[key] = main.output(of: key) }
        for (key, value) in main.voteResults { out[key] = value }
        return out
    }

    /// A thread's public record.
    func result(of thread: RunThread) -> ThreadResult {
        ThreadResult(name: thread.name, parent: thread.parent.map { threads[$0].name }, kind: thread.kind,
                     text: thread.text, sampled: thread.sampledTotal,
                     stopReason: stopReasons[thread.index] ?? "done", lastDecode: thread.lastDecodeEnd,
                     segments: thread.own.map { SegmentResult(name: $0.name, start: $0.start, tokens: $0.tokens, text: $0.text) })
    }
}
