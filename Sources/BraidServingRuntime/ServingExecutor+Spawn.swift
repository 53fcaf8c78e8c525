import BraidPlan

extension ServingExecutor {
    /// A message of a spawn block: its variables (captures, lookups, `i`, `i0`, `depth`) and the child thread it
    /// started (nil: a required lookup found nothing, so it is joined as failed).
    struct SpawnMessage {
        var variables: [String: String]
        var child: ThreadID?
    }

    /// The program's `spawn` step, as APR's client runs it: decode the trigger segment with the spawn's trigger text
    /// as one more stop string; when it ends there (and the thread may still spawn), run a round, which writes the
    /// join, then decode the round's continuation, which may spawn again. A thread at `max_depth` or past
    /// `max_rounds` stops at the spawn block instead, as the local executor does.
    func runSpawn(_ id: String, thread: ThreadID) async throws {
        let plan = await state.plan
        guard let template = plan.spawnTemplate(id) else {
            throw ServingRunError.badPlan(segment: id, reason: "thread '\(thread)' spawns, but the plan has no such spawn template")
        }
        let trigger = PlanLanguage.render(template.triggerText, await state.variables(of: thread))
        var round = 0
        while true {
            let name = template.trigger(round: round)
            guard let segment = await state.plan.segment(name), case .generate(let decoding) = segment.content else {
                throw ServingRunError.badPlan(segment: name, reason: "spawn '\(id)' decodes it, but the plan does not say how")
            }
            let spawned = try await decode(segment, decoding, thread: thread, trigger: trigger)
            guard spawned else { return }
            guard template.maySpawn else { return await state.stop(thread, reason: "depth-limit") }
            guard round < template.maxRounds else { return await state.stop(thread, reason: "max-rounds") }
            guard try await runSpawnRound(template, round: round, trigger: segment, thread: thread) else { return }
            round += 1
        }
    }

    /// One spawn round: the trigger segment's text ends with the spawn block; its messages (captures plus lookups
    /// in the parent's visible text) start one child each; the round is instantiated into the plan; the children
    /// run concurrently; then the trigger's text is cut before the block and the join text is written after it.
    /// Returns false when the block holds no message (nothing is spawned and the thread stops there).
    func runSpawnRound(_ template: SpawnTemplate, round: Int, trigger: Segment, thread: ThreadID) async throws -> Bool {
        let variables = await state.variables(of: thread)
        let text = await state.text(of: trigger.id) ?? ""
        let triggerText = PlanLanguage.render(template.triggerText, variables)
        guard let triggerRange = text.range(of: triggerText, options: .backwards) else { return false }
        let before = String(text[..<triggerRange.lowerBound])
        let what = "spawn '\(template.id)' message"
        var blockStart: String.Index?
        if let opener = template.opener.map({ PlanLanguage.render($0, variables) }), !opener.isEmpty,
           let range = before.range(of: opener, options: .backwards) {
            blockStart = range.lowerBound
        } else {
            blockStart = try PlanLanguage.firstMessageStart(template.messagePattern, in: before, variables: variables, what: what)
        }
        guard let start = blockStart else { return false }
        let block = String(before[start...])
        let captures = Array(try PlanLanguage.messages(template.messagePattern, in: block, variables: variables, what: what)
            .prefix(template.maxChildren))
        guard !captures.isEmpty else { return false }
        let messages = try await parseMessages(captures, template: template, trigger: trigger, thread: thread)
        let instance: SpawnInstance
        do {
            instance = try await state.instantiate(template, round: round, children: messages.filter { $0.child != nil }.count)
        } catch {
            throw ServingRunError.badPlan(segment: trigger.id, reason: "spawn round \(round): \(error)")
        }
        var numbered = messages
        var next = 0
        for m in numbered.indices where numbered[m].child != nil {
            numbered[m].child = instance.children[next]
            next += 1
        }
        try await runChildren(numbered, parent: thread)
        await state.raiseSequential(thread, toLongestOf: numbered.compactMap(\.child))
        await state.setText(trigger.id, String(before[..<start]), thread: thread)
        let join = try await joinText(template, messages: numbered, parent: thread)
        await state.setText(instance.join, join, thread: thread)
        return true
    }

    /// Each message's variables: the run's inputs, the message's captures, the template's lookups in the parent's
    /// visible text; `child` is set (to a placeholder) for the messages that start a child.
    func parseMessages(_ captures: [[String: String]], template: SpawnTemplate, trigger: Segment,
                       thread: ThreadID) async throws -> [SpawnMessage] {
        let visible = await state.text(of: trigger.view)
        let depth = await state.depth(of: thread)
        var messages: [SpawnMessage] = []
        for (c, captured) in captures.enumerated() {
            var values = await state.inputs.merging(captured) { _, new in new }
            var complete = true
            for (l, lookup) in template.lookups.enumerated() {
                let found = try PlanLanguage.lookup(lookup, in: visible, variables: values, what: "spawn '\(template.id)' lookup \(l + 1)")
                if let captures = found.captures {
                    values.merge(captures) { _, new in new }
                } else if lookup.required {
                    complete = false
                } else {
                    for name in found.names where values[name] == nil { values[name] = "" }
                }
            }
            values["i"] = String(c + 1)
            values["i0"] = String(c)
            values["depth"] = String(depth + 1)
            messages.append(SpawnMessage(variables: values, child: complete ? "" : nil))
        }
        return messages
    }

    /// Runs the round's children concurrently; every one runs to its end.
    func runChildren(_ messages: [SpawnMessage], parent: ThreadID) async throws {
        let depth = await state.depth(of: parent)
        for message in messages {
            guard let child = message.child else { continue }
            await state.startThread(child, parent: parent, kind: "child", depth: depth + 1, variables: message.variables)
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for child in messages.compactMap(\.child) {
                group.addTask {
                    try await runThread(child)
                    await state.stop(child, reason: "done")
                }
            }
            try await group.waitForAll()
        }
    }

    /// The join block: `header`, then per message `each` with the child's `{result}` (its text after its prompt,
    /// through the template's result pattern) or `failed`, then `footer`.
    func joinText(_ template: SpawnTemplate, messages: [SpawnMessage], parent: ThreadID) async throws -> String {
        let join = template.join
        let depth = await state.depth(of: parent)
        let outer = await state.inputs.merging(["depth": String(depth + 1)]) { _, new in new }
        var text = PlanLanguage.render(join.header, outer)
        for message in messages {
            var values = message.variables
            var result: String?
            if let child = message.child {
                let own = await state.text(ofThread: child, excluding: .message)
                if let pattern = template.resultPattern {
                    result = try PlanLanguage.extract(pattern, from: own, occurrence: template.resultOccurrence,
                                                      preferred: "result", what: "spawn child result")
                } else {
                    result = own
                }
            }
            values["result"] = result ?? ""
            text += PlanLanguage.render(result != nil ? join.each : join.failed ?? "", values)
        }
        return text + PlanLanguage.render(join.footer, outer)
    }
}
