extension Plan {
    /// Adds round `round` of spawn `id` with `children` children (0 when every message failed a required
    /// lookup: the join then only writes `failed` entries) to the plan (see `SpawnTemplate`), rewires the
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
        guard children >= 0, children <= template.maxChildren else {
            throw PlanError.invalidGraph(step: id, reason: "a round spawns 0…\(template.maxChildren) children, asked for \(children)")
        }
        guard round < template.maxRounds else {
            throw PlanError.invalidGraph(step: id, reason: "spawn allows \(template.maxRounds) round(s), asked for round \(round + 1)")
        }
        guard template.maySpawn else {
            throw PlanError.invalidGraph(step: id, reason: "thread '\(template.parent)' is at depth \(template.depth), max_depth is \(template.maxDepth): it may not spawn")
        }
        // New segments go after the trigger's whole stage, so write order stays in stage order.
        let stageSegments = Set(stages[trigger.stage].segments)
        let insertAt = (segments.lastIndex { stageSegments.contains($0.id) } ?? 0) + 1
        let childStage = trigger.stage + 1

        let sub = try childPlan(of: template)
        let subStages = max(1, sub.stages.count)
        let joinStage = childStage + subStages

        var added: [Segment] = []
        var childStages = [[SegmentName]](repeating: [], count: subStages)
        var instance = SpawnInstance(children: [], messages: [], outputs: [],
                                     join: template.joinSegment(round: round), continuation: template.trigger(round: round + 1))
        var joinSources: [SegmentName] = []
        let inherited = template.context == .parent ? Array(trigger.view) : []
        for c in 0..<children {
            let thread = template.childThread(round: round, child: c)
            func rename(_ id: SegmentName) -> SegmentName {
                id == "message" ? Naming.childMessage(thread) : id == "output" ? thread : Naming.scoped(id, thread: thread)
            }
            func renameThread(_ id: ThreadID) -> ThreadID { id == PlanBuilder.mainThread ? thread : "\(thread)/\(id)" }
            for segment in sub.segments {
                var copy = segment
                copy.id = rename(segment.id)
                copy.thread = renameThread(segment.thread)
                copy.step = segment.id == "message" || segment.id == "output" ? id : "\(id).\(segment.step)"
                if segment.thread == PlanBuilder.mainThread { copy.branch = c }
                copy.view = segment.view.map(rename)
                // What sees the child's prompt also sees the parent's context the child inherits.
                if segment.view.contains("message") { copy.view = inherited + copy.view }
                copy.placement.after = segment.placement.after.map(rename)
                copy.placement.plus = segment.placement.plus.map(rename)
                if segment.id == "message" {
                    copy.placement = template.context == .parent ? .shared(triggerID) : .start
                }
                copy.content = renamedContent(segment.content, rename)
                copy.stage = childStage + segment.stage
                childStages[segment.stage].append(copy.id)
                added.append(copy)
            }
            // A child decoding its own `output` does so through a template of its own, one level deeper: it may
            // spawn while that level is under max_depth, and a spawn block at the limit stops it.
            var nestedID: String?
            if sub.segment("output") != nil {
                var nested = template
                nested.id = Naming.scoped(template.step, thread: thread)
                nested.parent = thread
                nested.trigger = rename("output")
                nested.depth = template.depth + 1
                spawns.append(nested)
                nestedID = nested.id
            }
            // Spawns among the child's own steps: the child plan's templates, renamed, one level deeper.
            for inner in sub.spawns {
                var copy = inner
                copy.id = rename(inner.id)
                copy.parent = renameThread(inner.parent)
                copy.trigger = rename(inner.trigger)
                copy.depth = template.depth + 1 + inner.depth
                spawns.append(copy)
            }
            for vote in sub.votes {
                var copy = vote
                copy.id = rename(vote.id)
                copy.thread = renameThread(vote.thread)
                copy.fork = "\(thread)/\(vote.fork)"
                copy.sources = vote.sources.map(rename)
                copy.text = vote.text.map(rename)
                votes.append(copy)
            }
            for subThread in sub.threads {
                let isRoot = subThread.id == PlanBuilder.mainThread
                let program = subThread.program.map { step -> ThreadStep in
                    switch step {
                    case .write("output") where isRoot: return nestedID.map(ThreadStep.spawn) ?? .write(rename("output"))
                    case .write(let segment): return .write(rename(segment))
                    case .spawn(let template): return .spawn(rename(template))
                    case .fork(let fork): return .fork("\(thread)/\(fork)")
                    case .merge(let merge): return .merge(rename(merge))
                    case .vote(let vote): return .vote(rename(vote))
                    }
                }
                threads.append(PlanThread(id: renameThread(subThread.id),
                                          parent: subThread.parent.map(renameThread) ?? template.parent,
                                          fork: subThread.parent == nil ? id : subThread.fork.map { "\(thread)/\($0)" },
                                          segments: subThread.segments.map(rename), program: program))
            }
            for fork in sub.forks {
                var copy = fork
                copy.id = "\(thread)/\(fork.id)"
                copy.parent = renameThread(fork.parent)
                copy.at = fork.at.map(rename)
                copy.branches = fork.branches.map(renameThread)
                copy.segments = fork.segments.map(rename)
                forks.append(copy)
            }
            for merge in sub.merges {
                var copy = merge
                copy.id = rename(merge.id)
                copy.fork = "\(thread)/\(merge.fork)"
                copy.sources = merge.sources.map(rename)
                copy.segments = merge.segments.map(rename)
                merges.append(copy)
            }
            let rootSegments = (sub.thread(PlanBuilder.mainThread)?.segments ?? []).filter { $0 != "message" }.map(rename)
            instance.children.append(thread)
            instance.messages.append(Naming.childMessage(thread))
            instance.outputs.append(rootSegments.last ?? Naming.childMessage(thread))
            joinSources += rootSegments
        }
        added.append(Segment(id: instance.join, kind: .spliced, thread: template.parent, step: id,
                             placement: .continues(triggerID), view: trigger.view + [instance.join], thought: trigger.thought,
                             content: .splice(joinSplice(template.join, sources: joinSources)), stage: joinStage))
        added.append(Segment(id: instance.continuation, kind: .generated, thread: template.parent, step: trigger.step,
                             placement: .continues(instance.join), view: trigger.view + [instance.join, instance.continuation],
                             thought: trigger.thought, content: trigger.content, stage: joinStage))

        rewireAfterSpawn(trigger: triggerID, instance: instance, from: insertAt, stageShift: subStages + 1, afterStage: trigger.stage)
        segments.insert(contentsOf: added, at: insertAt)
        stages.insert(contentsOf: childStages.map { Stage(step: id, segments: $0) }
                          + [Stage(step: id, segments: [instance.join, instance.continuation])],
                      at: trigger.stage + 1)
        if let index = threads.firstIndex(where: { $0.id == template.parent }),
           let at = threads[index].segments.firstIndex(of: triggerID) {
            threads[index].segments.insert(contentsOf: [instance.join, instance.continuation], at: at + 1)
        }
        Liveness.annotate(&self)
        return instance
    }

    /// The children's plan: the template's, or the prompt (`message`) and generation (`output`) it describes.
    private func childPlan(of template: SpawnTemplate) throws -> Plan {
        if let plan = template.childPlan { return plan }
        var builder = PlanBuilder(graph: template.id)
        try builder.text(step: "message", kind: .message, content: .text(template: template.childPrompt, maxTokens: nil))
        try builder.generate(step: "output", generation: template.child)
        return builder.plan
    }

    /// Segment references inside content, renamed.
    private func renamedContent(_ content: SegmentContent, _ rename: (SegmentName) -> SegmentName) -> SegmentContent {
        guard case .splice(var splice) = content else { return content }
        splice.sources = splice.sources.map(rename)
        return .splice(splice)
    }

    /// The template's join with this round's sources.
    private func joinSplice(_ join: Splice, sources: [SegmentName]) -> Splice {
        var splice = join
        splice.sources = sources
        return splice
    }

    /// Segments written after the trigger now see the join and continuation, and continue from the latter.
    private mutating func rewireAfterSpawn(trigger: SegmentName, instance: SpawnInstance, from start: Int,
                                           stageShift: Int, afterStage: Int) {
        for i in segments.indices {
            if segments[i].stage > afterStage { segments[i].stage += stageShift }
            guard i >= start else { continue }
            if let at = segments[i].view.firstIndex(of: trigger) {
                segments[i].view.insert(contentsOf: [instance.join, instance.continuation], at: at + 1)
            }
            segments[i].placement.after = segments[i].placement.after.map { $0 == trigger ? instance.continuation : $0 }
            segments[i].placement.plus = segments[i].placement.plus.flatMap { $0 == trigger ? [trigger, instance.join, instance.continuation] : [$0] }
            // A child's own round: its parent's join takes the child's text, now also the join and continuation.
            if case .splice(var splice) = segments[i].content, let at = splice.sources.firstIndex(of: trigger) {
                splice.sources.insert(contentsOf: [instance.join, instance.continuation], at: at + 1)
                segments[i].content = .splice(splice)
            }
        }
        for f in forks.indices where forks[f].at == trigger { forks[f].at = instance.continuation }
    }
}
