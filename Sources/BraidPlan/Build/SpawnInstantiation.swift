extension Plan {
    /// Adds round `round` of spawn `id` with `children` children to the plan (see `SpawnTemplate`), rewires the
    /// segments after it to continue from the parent's continuation, and re-runs liveness analysis.
    /// Rounds must be instantiated in order. The runtime calls this when a spawn block is parsed;
    /// `MaskExpansion` calls it to draw one.
    @discardableResult
    public mutating func instantiateSpawn(_ id: String, round: Int, children: Int) throws -> SpawnInstance {
        guard let template = spawns.first(where: { $0.id == id }) else {
            throw PlanError.invalidGraph(step: id, reason: "no spawn with this id in the plan")
        }
        let triggerID = template.trigger(round: round)
        guard let trigger = segment(triggerID) else {
            throw PlanError.inconsistent(segment: triggerID, reason: "spawn '\(id)' round \(round) has no trigger segment; instantiate earlier rounds first")
        }
        guard children >= 1, children <= template.maxChildren else {
            throw PlanError.invalidGraph(step: id, reason: "a round spawns 1…\(template.maxChildren) children, asked for \(children)")
        }
        guard round < template.maxRounds else {
            throw PlanError.invalidGraph(step: id, reason: "spawn allows \(template.maxRounds) round(s), asked for round \(round + 1)")
        }
        // New segments go after the trigger's whole stage, so write order stays in stage order.
        let stageSegments = Set(stages[trigger.stage].segments)
        let insertAt = (segments.lastIndex { stageSegments.contains($0.id) } ?? 0) + 1
        let childStage = trigger.stage + 1
        let joinStage = trigger.stage + 2

        var added: [Segment] = []
        var instance = SpawnInstance(children: [], messages: [], outputs: [],
                                     join: template.joinSegment(round: round), continuation: template.trigger(round: round + 1))
        let inherited = template.context == .parent ? Array(trigger.view) : []
        for c in 0..<children {
            let thread = template.childThread(round: round, child: c)
            let message = "\(thread).message"
            let messagePlace: Placement = template.context == .parent ? .shared(triggerID) : .start
            added.append(Segment(id: message, kind: .message, thread: thread, step: id, branch: c,
                                 placement: messagePlace, view: inherited + [message], thought: template.childThought,
                                 content: .text(template: template.childPrompt, maxTokens: nil), stage: childStage))
            added.append(Segment(id: thread, kind: .generated, thread: thread, step: id, branch: c,
                                 placement: .continues(message), view: inherited + [message, thread],
                                 thought: template.childThought, content: .generate(template.child), stage: childStage))
            threads.append(PlanThread(id: thread, parent: template.parent, fork: id, segments: [message, thread]))
            instance.children.append(thread)
            instance.messages.append(message)
            instance.outputs.append(thread)
        }
        added.append(Segment(id: instance.join, kind: .spliced, thread: template.parent, step: id,
                             placement: .continues(triggerID), view: trigger.view + [instance.join], thought: trigger.thought,
                             content: .splice(joinSplice(template.join, sources: instance.outputs)), stage: joinStage))
        added.append(Segment(id: instance.continuation, kind: .generated, thread: template.parent, step: trigger.step,
                             placement: .continues(instance.join), view: trigger.view + [instance.join, instance.continuation],
                             thought: trigger.thought, content: trigger.content, stage: joinStage))

        rewireAfterSpawn(trigger: triggerID, instance: instance, from: insertAt, stageShift: 2, afterStage: trigger.stage)
        segments.insert(contentsOf: added, at: insertAt)
        stages.insert(contentsOf: [Stage(step: id, segments: instance.children.flatMap { ["\($0).message", $0] }),
                                   Stage(step: id, segments: [instance.join, instance.continuation])],
                      at: trigger.stage + 1)
        if let index = threads.firstIndex(where: { $0.id == template.parent }),
           let at = threads[index].segments.firstIndex(of: triggerID) {
            threads[index].segments.insert(contentsOf: [instance.join, instance.continuation], at: at + 1)
        }
        Liveness.annotate(&self)
        return instance
    }

    /// The template's join with this round's sources.
    private func joinSplice(_ join: Splice, sources: [SegmentID]) -> Splice {
        var splice = join
        splice.sources = sources
        return splice
    }

    /// Segments written after the trigger now see the join and continuation, and continue from the latter.
    private mutating func rewireAfterSpawn(trigger: SegmentID, instance: SpawnInstance, from start: Int,
                                           stageShift: Int, afterStage: Int) {
        for i in segments.indices {
            if segments[i].stage > afterStage { segments[i].stage += stageShift }
            guard i >= start else { continue }
            if let at = segments[i].view.firstIndex(of: trigger) {
                segments[i].view.insert(contentsOf: [instance.join, instance.continuation], at: at + 1)
            }
            segments[i].placement.after = segments[i].placement.after.map { $0 == trigger ? instance.continuation : $0 }
            segments[i].placement.plus = segments[i].placement.plus.flatMap { $0 == trigger ? [trigger, instance.join, instance.continuation] : [$0] }
        }
        for f in forks.indices where forks[f].at == trigger { forks[f].at = instance.continuation }
    }
}
