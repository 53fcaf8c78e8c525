import BraidGraph

extension GraphCompiler {
    /// A fork: one thread per branch, then the fork's nested steps on all branches side by side.
    static func compileFork(_ id: String, _ fork: Fork, parent: ThreadID, scope: Scope, into builder: inout PlanBuilder) throws {
        guard fork.count >= 1 else {
            throw PlanError.invalidGraph(step: id, reason: "a fork needs at least one branch, got \(fork.count)")
        }
        if let limits = builder.compileLimits, let generation = fork.generation {
            try limits.checkFork(id: scopedFork(id, parent: parent), step: id, branches: fork.count, maxTokens: generation.maxTokens)
        }
        var branches: [SegmentContent?] = []
        var scopes: [Scope] = []
        for i in 0..<fork.count {
            var branchScope = scope
            branchScope.variables["i"] = String(i + 1)
            branchScope.variables["i0"] = String(i)
            switch fork.thought {
            case .none: break
            case .branch: branchScope.thought = i + 1
            case .fixed(let index): branchScope.thought = index
            }
            scopes.append(branchScope)
            let prefix = fork.prefix(forBranch: i)
            if let generation = fork.generation {
                branches.append(.generate(decoding(generation, prefix: prefix, branchScope)))
            } else if !prefix.pieces.isEmpty {
                branches.append(.text(template: render(prefix, branchScope), maxTokens: nil))
            } else {
                branches.append(nil)
            }
        }
        let threads = try builder.fork(step: id, from: parent, ForkSpec(
            branches: branches, context: fork.sees == .isolated ? .isolated : .parent,
            layout: fork.positions == .flat ? .flat : .shared, thoughts: scopes.map(\.thought),
            finish: fork.finish))
        try compileSteps(fork.steps, threads: threads, scopes: scopes, into: &builder)
    }

    /// A merge on the thread that forked.
    static func compileMerge(_ id: String, _ merge: Merge, thread: ThreadID, scope: Scope, into builder: inout PlanBuilder) throws {
        let forkID = scopedFork(merge.from, parent: thread)
        guard let fork = builder.fork(forkID) else {
            throw PlanError.invalidGraph(step: id, reason: "merges '\(merge.from)', which is not a fork opened before it on this thread")
        }
        guard fork.parent == thread else {
            throw PlanError.invalidGraph(step: id, reason: "merges '\(merge.from)', which was opened by another thread ('\(fork.parent)')")
        }
        let content: SegmentContent?
        if let generation = merge.generation {
            content = .generate(decoding(generation, prefix: merge.prefix, scope))
        } else if let prefix = merge.prefix, !prefix.pieces.isEmpty {
            content = .text(template: render(prefix, scope), maxTokens: nil)
        } else {
            content = nil
        }
        let mode = merge.mode  // one type for graph and plan
        let splice = Splice(sources: [], each: merge.each, separator: merge.separator)
        try builder.merge(step: id, fork: forkID, MergeSpec(mode: mode, layout: merge.positions == .flat ? .flat : .afterLongest,
                                                              splice: splice, content: content, thought: scope.thought))
    }

    /// A spawn: the parent's decoding segment (its trigger) plus the template children are made from.
    static func compileSpawn(_ id: String, _ spawn: Spawn, thread: ThreadID, scope: Scope, into builder: inout PlanBuilder) throws {
        var childPlan: Plan?
        if !spawn.child.steps.isEmpty || spawn.child.generation == nil {
            // Children with steps of their own: their plan, rooted at their prompt, is instantiated per child.
            var sub = PlanBuilder(graph: id)
            try sub.text(step: "message", kind: .message, content: .text(template: spawn.child.prompt, maxTokens: nil))
            if let generation = spawn.child.generation {
                try sub.generate(step: "output", generation: decoding(generation, prefix: nil, Scope()))
            }
            try compileSteps(spawn.child.steps, threads: [PlanBuilder.mainThread], scopes: [Scope()], into: &sub)
            guard (sub.plan.thread(PlanBuilder.mainThread)?.segments.count ?? 0) > 1 || !sub.plan.forks.isEmpty else {
                throw PlanError.invalidGraph(step: id, reason: "a spawned child must generate or run steps")
            }
            childPlan = sub.plan
        }
        let childGeneration = spawn.child.generation ?? BraidGraph.Generation()
        var generation = decoding(spawn.generation, prefix: nil, scope)
        let trigger = render(spawn.trigger, scope)
        if !generation.stop.contains(trigger) { generation.stop.append(trigger) }
        try builder.generate(step: id, generation: generation, thread: thread, thought: scope.thought)
        let join = Splice(sources: [], header: spawn.join.header, each: spawn.join.found, failed: spawn.join.failed,
                          footer: spawn.join.footer)
        try builder.spawn(SpawnTemplate(
            id: Naming.scoped(id, thread: thread), step: id, parent: thread, triggerText: trigger,
            opener: spawn.opener.map { render($0, scope) }, messagePattern: spawn.message,
            lookups: spawn.lookups.map { SpawnLookup(pattern: $0.pattern, occurrence: $0.occurrence, required: $0.required) },
            resultPattern: spawn.child.result, resultOccurrence: spawn.child.occurrence,
            childPrompt: spawn.child.prompt, context: spawn.child.context == .inherit ? .parent : .isolated,
            child: decoding(childGeneration, prefix: nil, Scope()), childPlan: childPlan, maxChildren: spawn.maxChildren,
            maxDepth: spawn.maxDepth, maxRounds: spawn.maxRounds, join: join))
    }
}
