import BraidPlan

extension ServingExecutor {
    /// The plan's fork `id`, opened by `thread`'s program: its branches run as concurrent requests.
    func runFork(_ id: String, thread: ThreadID) async throws {
        guard let fork = await state.plan.fork(id) else {
            throw ServingRunError.badPlan(segment: id, reason: "thread '\(thread)' forks, but the plan has no such fork")
        }
        try await runFork(fork)
    }

    /// Runs a fork's branches concurrently until its finish rule is met; the branches it stops are cancelled (their
    /// streams closed) and keep the text they had.
    func runFork(_ fork: ForkPlan) async throws {
        let variables = await state.variables(of: fork.parent)
        let depth = await state.depth(of: fork.parent)
        for (i, branch) in fork.branches.enumerated() {
            let values = variables.merging(["i": String(i + 1), "i0": String(i)]) { _, new in new }
            await state.startThread(branch, parent: fork.parent, kind: "branch", depth: depth, variables: values)
        }
        var pending = fork.branches
        var finishedBefore: [String] = []
        if let siblings = await state.plan.identicalSiblings(fork) {
            // Identical siblings draw with seed + i, as the choices of one request with `n` do, also when they are
            // sent one request each (the server refused `n`, or `ServingOptions.siblingsAsN` is off).
            let base = Self.seed(options.seed, thread: fork.branches[0])
            for (i, branch) in fork.branches.enumerated() { await state.setSeed(base + UInt64(i), of: branch) }
            if options.siblingsAsN, !(await state.refusesN) {
                let left = try await runSiblings(fork, segments: siblings)
                guard !left.branches.isEmpty else { return }
                pending = left.branches
                finishedBefore = left.finished
            }
        }
        try await withThrowingTaskGroup(of: (branch: ThreadID, completed: Bool).self) { group in
            for branch in pending {
                group.addTask {
                    do {
                        try await runThread(branch)
                        return (branch, true)
                    } catch is CancellationError {
                        return (branch, false)
                    }
                }
            }
            var finished = finishedBefore
            while let outcome = try await group.next() {
                guard outcome.completed else { continue }
                await state.stop(outcome.branch, reason: "done")
                finished.append(await state.text(ofThread: outcome.branch))
                if try PlanLanguage.isMet(fork, finished: finished, of: fork.branches.count) {
                    group.cancelAll()
                    while let stopped = try await group.next() {
                        if !stopped.completed { await state.stop(stopped.branch, reason: "finish-policy") }
                    }
                    break
                }
            }
        }
        for branch in fork.branches {  // branches that never got to run (the first reason recorded counts)
            await state.stop(branch, reason: "finish-policy")
        }
    }

    /// The plan's vote `id`, counted by `thread`'s program: each branch's extracted answer, ranked by the vote's
    /// tie rule; then its text segment (`{answer}`, `{votes}`), if it has one.
    func runVote(_ id: String, thread: ThreadID) async throws {
        let plan = await state.plan
        guard let vote = plan.vote(id), let fork = plan.fork(vote.fork) else {
            throw ServingRunError.badPlan(segment: id, reason: "thread '\(thread)' votes, but the plan has no such vote (or its fork)")
        }
        await state.raiseSequential(fork.parent, toLongestOf: fork.branches)
        var answers: [String?] = []
        for branch in fork.branches {
            let text = await state.text(ofThread: branch)
            answers.append(try PlanLanguage.extract(vote.pattern, from: text, occurrence: vote.occurrence,
                                                    preferred: "answer", what: "vote '\(vote.step)'"))
        }
        let ranked = PlanLanguage.rank(answers, tie: vote.tie)
        let outcome = ServedVote(answers: answers, winner: ranked.first?.answer, votes: ranked.first?.votes ?? 0)
        await state.recordVote(vote.id, outcome)
        if let text = vote.text {
            try await write(text, thread: thread, extra: ["answer": outcome.winner ?? "", "votes": String(outcome.votes)])
        }
    }
}
