import BraidPlan

extension Engine {
    /// Refuses a spawn round just instantiated into the plan whose children can't fit (`Bounds.roundViolation`:
    /// the static check's bounds over the plan as it stands), before any child token is decoded. What the run has
    /// written counts at its real length (closed segments and the spawning one), each child's prompt at its exact
    /// token count; everything not yet written at its budget.
    func checkRound(_ instance: SpawnInstance, spawn: String, trigger: SegmentName, isolated: Bool,
                    variables: [[String: String]]) throws {
        guard let check = roundCheck, !instance.children.isEmpty else { return }
        let children = instance.children
        func child(of thread: ThreadID) -> ThreadID? {
            children.first { thread == $0 || thread.hasPrefix($0 + "/") }
        }
        let added = Set(plan.segments.filter { child(of: $0.thread) != nil }.map(\.id))
        var written: [String: Int] = [:]
        for (name, segment) in opened where segment.view == nil || name == trigger {
            written[name] = segment.count
        }
        for (c, message) in instance.messages.enumerated() where variables.indices.contains(c) {
            guard let index = planIndex[message],
                  let tokens = try Engine.forcedTokens(plan.segments[index].content, variables: variables[c], model: model,
                                                       graph: plan.graph) else { continue }
            written[message] = tokens.count + (isolated && model.beginOfSequence != nil ? 1 : 0)
        }
        var estimate = LengthEstimate(inputTokens: inputs.values.map(\.utf8.count).max() ?? 0)
        estimate.written = written
        guard let (segment, error) = Bounds.roundViolation(plan, segments: added, model: check.shape, estimate: estimate,
                                                           memoryLimit: check.effectiveMemoryLimit) else { return }
        let thread = planIndex[segment].map { plan.segments[$0].thread }
        throw RunError.spawnRefused(spawn: spawn, child: thread.flatMap(child(of:)) ?? segment, reason: error)
    }
}
