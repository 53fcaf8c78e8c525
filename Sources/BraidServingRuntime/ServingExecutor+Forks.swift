import BraidPlan

extension ServingExecutor {
    /// Runs, one after another, the forks the plan opens on `thread` right after `segment` (nil: before its first).
    func runForks(at segment: SegmentName?, of thread: ThreadID) async throws {
        let forks = await state.plan.forks.filter { $0.parent == thread && $0.at == segment }
        for fork in forks {
            try await runFork(fork)
            try await runVotes(over: fork)
        }
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
        try await withThrowingTaskGroup(of: (branch: ThreadID, completed: Bool).self) { group in
            for branch in fork.branches {
                group.addTask {
                    do {
                        try await runThread(branch)
                        return (branch, true)
                    } catch is CancellationError {
                        return (branch, false)
                    }
                }
            }
            var finished: [String] = []
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

    /// The plan's votes over `fork`: each branch's extracted answer, ranked by the vote's tie rule.
    func runVotes(over fork: ForkPlan) async throws {
        let votes = await state.plan.votes.filter { $0.fork == fork.id }
        for vote in votes {
            var answers: [String?] = []
            for branch in fork.branches {
                let text = await state.text(ofThread: branch)
                answers.append(try PlanLanguage.extract(vote.pattern, from: text, occurrence: vote.occurrence,
                                                        preferred: "answer", what: "vote '\(vote.id)'"))
            }
            let ranked = PlanLanguage.rank(answers, tie: vote.tie)
            await state.recordVote(vote.id, ServedVote(answers: answers, winner: ranked.first?.answer, votes: ranked.first?.votes ?? 0))
        }
    }
}
