import BraidPlan
import BraidRules
import BraidTransformer
import Foundation

extension Engine {
    /// The plan's spawn template `id`, which segment `segment` decodes through.
    func spawnTemplate(_ id: String, segment: SegmentName) throws -> SpawnTemplate {
        guard let template = plan.spawnTemplate(id) else {
            throw RunError.planMismatch(segment: segment, reason: "it may spawn as '\(id)', but the plan has no such spawn template")
        }
        return template
    }

    /// The thread's decoding ended with a spawn trigger: parse the spawn block, start one child per
    /// message (captures plus lookups in the parent's text fill its prompt), and wait for them. The block's
    /// syntax, the lookups, the limits and the join are the plan's spawn template.
    func beginSpawnRound(_ thread: RunThread, decode: Decode, context: SpawnContext) throws {
        guard let segment = thread.current else { return }
        let template = try spawnTemplate(context.template, segment: segment.name)
        let spawnID = template.step
        let text = segment.text
        func stopHere(_ reason: String, _ message: String) throws {
            thread.lastDecodeEnd = reason
            emit(.warning(WarningInfo(step: step, thread: thread.name, message: message)))
            try closeSegment(thread)
            thread.phase = .ready
        }
        guard template.maySpawn else {
            try stopHere("depth-limit", "spawn '\(spawnID)': thread '\(thread.name)' is at depth \(template.depth), the limit is max_depth \(template.maxDepth); it stops instead of spawning")
            return
        }
        let trigger = template.triggerText.render(thread.variables)
        guard context.round < template.maxRounds else {
            try stopHere("max-rounds", "spawn '\(spawnID)': thread '\(thread.name)' tried a spawn round beyond max_rounds \(template.maxRounds); it stops")
            return
        }
        guard let triggerRange = text.range(of: trigger, options: .backwards) else {
            try stopHere("stop-string", "spawn '\(spawnID)': trigger not found in the text")
            return
        }
        let message = template.messagePattern
        let messageRegex = try Extraction.regex(message, variables: thread.variables, what: "spawn '\(spawnID)' message")
        let before = String(text[..<triggerRange.lowerBound])
        var blockStart: String.Index?
        if let opener = template.opener.map({ $0.render(thread.variables) }), !opener.isEmpty,
           let range = before.range(of: opener, options: .backwards) {
            blockStart = range.lowerBound
        } else if let first = Extraction.matches(messageRegex, in: before).first, let range = Range(first.range, in: before) {
            blockStart = range.lowerBound
        }
        guard let start = blockStart else {
            try stopHere("stop-string", "spawn '\(spawnID)': the spawn block holds no message; nothing is spawned")
            return
        }
        let block = String(before[start...])
        var matches = Extraction.matches(messageRegex, in: block)
        if matches.isEmpty {
            try stopHere("stop-string", "spawn '\(spawnID)': the spawn block holds no message; nothing is spawned")
            return
        }
        if matches.count > template.maxChildren {
            emit(.warning(WarningInfo(step: step, thread: thread.name,
                                      message: "spawn '\(spawnID)': \(matches.count) messages, max_children is \(template.maxChildren); the last \(matches.count - template.maxChildren) are ignored")))
            matches = Array(matches.prefix(template.maxChildren))
        }
        let visible = visibleText(of: thread)
        var parsed: [(variables: [String: String], complete: Bool)] = []
        for (c, match) in matches.enumerated() {
            var variables = inputs.merging(message.captures(of: match, in: block)) { _, new in new }
            var complete = true
            for (l, lookup) in template.lookups.enumerated() {
                let pattern = lookup.pattern
                let regex = try Extraction.regex(pattern, variables: variables, what: "spawn '\(spawnID)' lookup \(l + 1)")
                if let found = Extraction.match(regex, in: visible, occurrence: lookup.occurrence) {
                    variables.merge(pattern.captures(of: found, in: visible)) { _, new in new }
                } else if lookup.required {
                    complete = false
                } else {
                    for name in pattern.captureNames where variables[name] == nil { variables[name] = "" }
                }
            }
            variables["i"] = String(c + 1)
            variables["i0"] = String(c)
            variables["depth"] = String(thread.depth + 1)
            parsed.append((variables, complete))
        }
        // The round's children, joins and continuation are the plan's: instantiated now, named by the plan.
        let instance: SpawnInstance
        do {
            instance = try plan.instantiateSpawn(context.template, round: context.round,
                                                 children: parsed.filter(\.complete).count)
        } catch let error as PlanError {
            throw RunError.planMismatch(segment: segment.name, reason: "spawn round \(context.round): \(error)")
        }
        indexPlan()
        try checkRound(instance, spawn: spawnID, trigger: segment.name, isolated: template.context == .isolated,
                       variables: parsed.filter(\.complete).map(\.variables))
        var messages: [(variables: [String: String], child: Int?)] = []
        for (variables, complete) in parsed {
            guard complete else {
                messages.append((variables, nil))
                continue
            }
            let name = instance.children[messages.compactMap(\.child).count]
            let child = try startChild(of: thread, template: template, name: name, variables: variables)
            messages.append((variables, child.index))
        }
        emit(.spawn(SpawnInfo(step: step, thread: thread.name, spawn: spawnID, round: context.round, children: instance.children,
                              messages: messages.map(\.variables), skipped: messages.filter { $0.child == nil }.count)))
        let round = SpawnRound(context: context, messages: messages, blockStart: before.utf8.distance(from: before.startIndex, to: start), instance: instance)
        thread.phase = .waitingChildren(round)
        if instance.children.isEmpty { try completeJoin(thread, round: round) }
    }

    /// Starts one child of the round the plan just instantiated: its program in the plan (its prompt — an
    /// isolated fresh sequence from position 0, as in APR, or one that reads the parent's context up to the spawn
    /// block in place — then its decoding, through a template of its own, and its steps).
    func startChild(of parent: RunThread, template: SpawnTemplate, name: ThreadID,
                    variables: [String: String]) throws -> RunThread {
        makeThread(name: name, parent: parent, kind: "child", depth: parent.depth + 1, program: program(of: name),
                   variables: variables, origin: template.step)
    }

    /// A child finished: when every child of the parent's round is done, the parent joins.
    func childFinished(parent: RunThread) throws {
        guard case .waitingChildren(let round) = parent.phase else { return }
        let pending = round.messages.compactMap(\.child).filter { !threads[$0].isDone }
        if pending.isEmpty { try completeJoin(parent, round: round) }
    }

    /// What a child returns: its text after its prompt, through the template's `result` pattern (nil: nothing found).
    func childResult(_ child: RunThread, template: SpawnTemplate) throws -> String? {
        let text = child.own.filter { $0.kind != SegmentKind.message.rawValue }.map(\.text).joined()
        guard let pattern = template.resultPattern else { return text }
        return try Extraction.extract(pattern, from: text, occurrence: template.resultOccurrence, preferred: "result",
                                      what: "spawn child result")
    }

    /// Rewrites the parent's context: the spawning segment is cut back to before the spawn block (KV
    /// truncated, not copied), the join block is prefilled after it, and decoding resumes in a new round.
    func completeJoin(_ thread: RunThread, round: SpawnRound) throws {
        guard let segment = thread.current else { return }
        let template = try spawnTemplate(round.context.template, segment: segment.name)
        let join = template.join
        let outer = inputs.merging(["depth": String(thread.depth + 1)]) { _, new in new }
        var joinText = join.header.render(outer)
        var found: [Bool] = []
        for message in round.messages {
            var variables = message.variables
            let result = try message.child.flatMap { try childResult(threads[$0], template: template) }
            variables["result"] = result ?? ""
            found.append(result != nil)
            joinText += (result != nil ? join.each : join.failed ?? Template(pieces: [])).render(variables)
        }
        joinText += join.footer.render(outer)
        let keep = segment.tokensEnding(atOrBefore: round.blockStart)
        let keptBytes = keep == 0 ? 0 : segment.textEnds[keep - 1]
        let leftover = String(decoding: Array(segment.text.utf8.dropFirst(keptBytes).prefix(round.blockStart - keptBytes)), as: UTF8.self)
        do {
            try model.truncate(segment.kv, to: keep)
        } catch {
            throw RunError.model(thread: thread.name, reason: "\(error)")
        }
        segment.truncate(to: keep)
        thread.nextPosition = segment.end
        thread.textDecoder = model.makeTextDecoder()
        emit(.join(JoinInfo(step: step, thread: thread.name, spawn: template.step, round: round.context.round,
                            found: found, keptTokens: keep, text: leftover + joinText)))
        try closeSegment(thread)
        var next = round.context
        next.round += 1
        insertNext([
            .prefill(step: template.step, segment: round.instance.join, text: .composed(leftover + joinText), bos: false),
            .generate(step: template.step, segment: round.instance.continuation, spawn: next),
        ], in: thread)
        thread.phase = .ready
    }
}
