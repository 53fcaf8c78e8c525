import BraidPlan
import BraidRules
import BraidTransformer

/// A fork in flight: the plan's fork, its branch threads and which have finished.
final class ForkRun {
    /// The fork's graph step id (what the trace names).
    let id: String
    let parent: Int
    /// The plan's fork (branch threads, finish rule).
    let plan: ForkPlan
    var branches: [Int] = []
    var finished: [Int] = []
    var done = false

    init(id: String, parent: Int, plan: ForkPlan) {
        self.id = id
        self.parent = parent
        self.plan = plan
    }
}

extension Engine {
    /// Opens the plan's fork `id`: one branch thread per branch, named as the plan names them, each running its
    /// own program in the plan; where each starts, what it sees and its thought index are the plan's (see
    /// `openSegment`).
    func startFork(_ id: String, in parent: RunThread) throws {
        try closeSegment(parent)
        guard let forkPlan = plan.fork(id) else {
            throw RunError.planMismatch(segment: id, reason: "thread '\(parent.name)' forks, but the plan has no such fork")
        }
        let run = ForkRun(id: forkPlan.step, parent: parent.index, plan: forkPlan)
        let forkIndex = forks.count
        forks.append(run)
        parent.forks[id] = forkIndex
        for (i, name) in forkPlan.branches.enumerated() {
            let variables = parent.variables.merging(["i": String(i + 1), "i0": String(i)]) { _, new in new }
            let branch = makeThread(name: name, parent: parent, kind: "branch", depth: parent.depth, program: program(of: name),
                                    variables: variables, origin: forkPlan.step)
            branch.branchOf = (forkIndex, i)
            if forkPlan.context == .parent {
                branch.lastLogits = parent.lastLogits
            }
            run.branches.append(branch.index)
        }
        parent.phase = .waitingFork(forkIndex)
    }

    /// A branch finished its program: checks the fork's finish policy and, once met, stops the other
    /// branches (kept as they stand) and resumes the parent.
    func branchFinished(_ run: ForkRun, branch: Int) throws {
        guard !run.done else { return }
        run.finished.append(branch)
        let policy = run.plan.finish
        var answers: [String?] = run.finished.map { _ in nil }
        if case .agree(_, let extract) = policy {
            answers = try run.finished.map { b in
                try Extraction.extract(extract, from: threads[run.branches[b]].text, occurrence: .last,
                                       preferred: "answer", what: "fork '\(run.id)' agree")
            }
        }
        let met = policy.isMet(finished: answers, of: run.branches.count)
        guard met else { return }
        run.done = true
        for index in run.branches where !threads[index].isDone {
            try finish(threads[index], reason: "finish-policy")
        }
        threads[run.parent].phase = .ready
    }

    /// The plan's fork `id` that a merge or vote reads, opened earlier by this thread.
    func forkRun(_ id: String, for step: String, in thread: RunThread) throws -> ForkRun {
        guard let index = thread.forks[id] else {
            throw RunError.planMismatch(segment: step, reason: "it reads fork '\(id)', which thread '\(thread.name)' has not run")
        }
        return forks[index]
    }

    /// Every segment the fork's branches wrote, in branch order (what a merge reads).
    func branchSegments(_ run: ForkRun) -> [RunSegment] {
        run.branches.flatMap { threads[$0].own }
    }

    /// Closes a fork into its parent as the plan's merge says: `attend` reads the branches' KV in place from the
    /// merge's own segment; `reprefill`/`text` prefill the branches' text again as one sequence (the spliced
    /// segment's `Splice`: `each` per branch, `separator` between), then write the merge's own segment if any.
    func startMerge(_ name: String, in thread: RunThread) throws {
        guard let mergePlan = plan.merge(name) else {
            throw RunError.planMismatch(segment: name, reason: "thread '\(thread.name)' merges, but the plan has no such merge")
        }
        let id = mergePlan.step
        let run = try forkRun(mergePlan.fork, for: name, in: thread)
        try closeSegment(thread)
        var own: [Action] = []
        if mergePlan.segments.contains(name) {
            own = [try writeAction(name, in: thread)]
        }
        switch mergePlan.mode {
        case .attend:
            var sources = branchSegments(run)
            if options.recomputeMergedKV { sources = try recompute(sources) }
            let start = own.isEmpty ? 0 : try plannedStart(of: name, thread: thread)
            emit(.merge(MergeInfo(step: step, merge: id, mode: mergePlan.mode.rawValue, fork: run.id, thread: thread.name,
                                  sources: sources.map(\.name), start: start, reprefilled: 0)))
        case .reprefill, .text:
            let spliced = Naming.splicedText(of: name)
            guard case .splice(let splice)? = planned(spliced)?.content else {
                throw RunError.planMismatch(segment: spliced, reason: "merge '\(id)' reprefills its branches, but the plan does not splice them here")
            }
            let each = splice.each
            let texts = run.branches.enumerated().map { i, index -> String in
                var variables = thread.variables
                variables["text"] = threads[index].text
                variables["i"] = String(i + 1)
                variables["i0"] = String(i)
                return each.render(variables)
            }
            let text = splice.header.render(thread.variables) + texts.joined(separator: splice.separator)
                + splice.footer.render(thread.variables)
            let tokens = model.encode(text)
            emit(.merge(MergeInfo(step: step, merge: id, mode: mergePlan.mode.rawValue, fork: run.id, thread: thread.name,
                                  sources: branchSegments(run).map(\.name), start: try plannedStart(of: spliced, thread: thread),
                                  reprefilled: tokens.count)))
            own.insert(.prefill(step: "\(id).text", segment: spliced, text: .tokens(tokens), bos: false), at: 0)
        }
        insertNext(own, in: thread)
    }

    /// Re-prefills segments' tokens into fresh KV with each segment's original view and positions (the
    /// baseline that in-place reuse must equal); releases the originals.
    func recompute(_ sources: [RunSegment]) throws -> [RunSegment] {
        var replaced: [String: RunSegment] = [:]
        var out: [RunSegment] = []
        for source in sources {
            let reads = source.reads.map { replaced[$0.name] ?? $0 }
            let kv = try model.makeSegment(thought: source.thought)
            let copy = RunSegment(name: source.name, kv: kv, thread: source.thread, start: source.start,
                                  thought: source.thought, kind: source.kind, viewNames: source.viewNames)
            copy.reads = reads
            copy.copyContents(of: source)
            let view = try model.makeView(reads.map(\.kv) + [kv])
            let batch = source.tokens.enumerated().map { k, token in
                QueryToken(token: token, position: source.start + k, segment: kv, view: view)
            }
            if !batch.isEmpty { _ = try model.forward(batch, logitRows: .none) }
            try model.releaseView(view)
            try dropLive(source)
            replaced[source.name] = copy
            opened[source.name] = copy
            live[source.name] = copy
            out.append(copy)
        }
        // Branches' own views pointed at the originals; the threads are done, so only the names matter.
        return out
    }

    /// Majority vote over a fork's branches' extracted answers; optionally appends text with the winner.
    func runVote(_ scoped: String, in thread: RunThread) throws {
        guard let rule = plan.vote(scoped) else {
            throw RunError.planMismatch(segment: scoped, reason: "thread '\(thread.name)' votes, but the plan has no such vote")
        }
        let id = rule.step
        let run = try forkRun(rule.fork, for: scoped, in: thread)
        let pattern = rule.pattern
        let answers = try run.branches.map { index in
            try Extraction.extract(pattern, from: threads[index].text, occurrence: rule.occurrence,
                                   preferred: "answer", what: "vote '\(id)'")
        }
        let outcome = Voting.tally(answers, tie: rule.tie)
        votes[id] = outcome
        thread.voteResults[id] = outcome.winner ?? ""
        emit(.vote(VoteInfo(step: step, vote: id, fork: run.id, outcome: outcome)))
        if let text = rule.text {
            let variables = ["answer": outcome.winner ?? "", "votes": String(outcome.counts.first?.votes ?? 0)]
            insertNext([.prefill(step: "\(id).text", segment: text, text: .planned(variables), bos: false)], in: thread)
        }
    }
}
