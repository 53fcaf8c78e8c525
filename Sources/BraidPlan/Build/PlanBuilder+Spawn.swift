extension PlanBuilder {
    /// Records that `template.parent` may spawn children while writing its last segment, which becomes the
    /// template's trigger (the template's own `trigger` field is overwritten). No segments are added: spawning
    /// is decided at run time (see `Plan.instantiateSpawn`).
    public mutating func spawn(_ template: SpawnTemplate) throws {
        guard let trigger = contexts[template.parent]?.last, let segment = self.segment(trigger) else {
            throw PlanError.invalidGraph(step: template.id, reason: "thread '\(template.parent)' has written nothing to spawn from")
        }
        guard case .generate = segment.content else {
            throw PlanError.invalidGraph(step: template.id, reason: "spawns from '\(trigger)', which is not generated text")
        }
        guard template.maxChildren >= 1, template.maxDepth >= 1, template.depth >= 0, template.maxRounds >= 1 else {
            throw PlanError.invalidGraph(step: template.id, reason: "children per spawn, depth and rounds must be at least 1")
        }
        guard template.child.maxTokens > 0 else {
            throw PlanError.invalidGraph(step: template.id, reason: "a child's max_tokens must be positive, got \(template.child.maxTokens)")
        }
        guard index.spawns.insert(template.id).inserted else {
            throw PlanError.invalidGraph(step: template.id, reason: "spawn '\(template.id)' is defined twice")
        }
        var placed = template
        placed.trigger = trigger
        plan.spawns.append(placed)
        // The parent decodes its trigger through the spawn: its program spawns instead of writing it.
        if let at = index.threads[template.parent], let last = plan.threads[at].program.lastIndex(of: .write(trigger)) {
            plan.threads[at].program[last] = .spawn(template.id)
        }
    }
}
