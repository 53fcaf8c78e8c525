/// How a fork lays out its branches' positions.
public enum ForkLayout: String, Codable, Sendable, CaseIterable {
    /// Every branch starts where the parent ends (ParaThinker).
    case shared
    /// Branches are laid end to end (the naive-flattening ablation).
    case flat
}

/// How a merge's segment is positioned.
public enum MergeLayout: String, Codable, Sendable, CaseIterable {
    /// After the longest branch (ParaThinker's summary).
    case afterLongest = "after-longest"
    /// After the last branch, as if the branches were one flat sequence.
    case flat
}

/// Everything a fork needs besides its step id and parent.
public struct ForkSpec: Sendable {
    /// Per-branch generation (one entry per branch; its count is the fork's width).
    public var generations: [Generation]
    /// What branches see of the parent.
    public var context: BranchContext
    /// Position layout.
    public var layout: ForkLayout
    /// Per-branch thought-embedding index (0 = none); empty = none for all.
    public var thoughts: [Int]
    /// Per-branch prompt for isolated branches (prefilled before the generation); empty = none.
    public var prompts: [SegmentContent]
    /// When the fork is done.
    public var finish: FinishPolicy
    /// What happens to the branches still running then.
    public var unfinished: Unfinished

    /// Creates a fork spec.
    public init(generations: [Generation], context: BranchContext = .parent, layout: ForkLayout = .shared,
                thoughts: [Int] = [], prompts: [SegmentContent] = [], finish: FinishPolicy = .all,
                unfinished: Unfinished = .keep) {
        self.generations = generations
        self.context = context
        self.layout = layout
        self.thoughts = thoughts
        self.prompts = prompts
        self.finish = finish
        self.unfinished = unfinished
    }
}

extension PlanBuilder {
    /// Forks `parent` into one branch thread per generation, all written in one stage.
    /// Branch `i`'s thread and segment are both named `step[i]`. Returns the branch thread ids.
    @discardableResult
    public mutating func fork(step: String, from parent: ThreadID = PlanBuilder.mainThread,
                              _ spec: ForkSpec) throws -> [ThreadID] {
        guard let parentContext = contexts[parent] else {
            throw PlanError.invalidGraph(step: step, reason: "thread '\(parent)' does not exist at this point")
        }
        guard !spec.generations.isEmpty else {
            throw PlanError.invalidGraph(step: step, reason: "a fork needs at least one branch")
        }
        guard plan.fork(step) == nil else {
            throw PlanError.invalidGraph(step: step, reason: "fork '\(step)' is defined twice")
        }
        let base = parent == Self.mainThread ? step : "\(parent)/\(step)"
        let stage = plan.stages.count
        var threads: [ThreadID] = []
        var segments: [SegmentID] = []
        for (i, generation) in spec.generations.enumerated() {
            guard generation.maxTokens > 0 else {
                throw PlanError.invalidGraph(step: step, reason: "branch \(i): max_tokens must be positive, got \(generation.maxTokens)")
            }
            let thread = "\(base)[\(i)]"
            guard contexts[thread] == nil, plan.segment(thread) == nil else {
                throw PlanError.invalidGraph(step: step, reason: "branch '\(thread)' is defined twice")
            }
            threads.append(thread)
            plan.threads.append(PlanThread(id: thread, parent: parent, fork: step))
            let isolated = spec.context == .isolated
            contexts[thread] = ThreadContext(view: isolated ? [] : parentContext.view,
                                             last: isolated ? nil : parentContext.last)
            let thought = i < spec.thoughts.count ? spec.thoughts[i] : 0
            if i < spec.prompts.count {
                let promptID = "\(thread).prompt"
                try appendToStage(id: promptID, kind: .prompt, thread: thread, step: step, branch: i,
                                  content: spec.prompts[i], thought: thought,
                                  placement: placement(i: i, spec: spec, parentLast: parentContext.last, previous: segments.last),
                                  stage: stage)
                segments.append(promptID)
            }
            let first = i < spec.prompts.count
            let place: Placement? = first ? nil : placement(i: i, spec: spec, parentLast: parentContext.last, previous: segments.last)
            try appendToStage(id: thread, kind: .generated, thread: thread, step: step, branch: i,
                              content: .generate(generation), thought: thought, placement: place, stage: stage)
            segments.append(thread)
        }
        plan.stages.append(Stage(step: step, segments: segments))
        plan.forks.append(ForkPlan(id: step, parent: parent, at: spec.context == .isolated ? nil : parentContext.last,
                                   branches: threads, segments: segments, finish: spec.finish,
                                   unfinished: spec.unfinished, context: spec.context))
        return threads
    }

    /// The placement of branch `i`'s first segment.
    private func placement(i: Int, spec: ForkSpec, parentLast: SegmentID?, previous: SegmentID?) -> Placement {
        if spec.context == .isolated { return .start }
        switch spec.layout {
        case .shared:
            return parentLast.map(Placement.shared) ?? Placement(.shared)
        case .flat:
            if i > 0, let previous { return .flat(previous) }
            return parentLast.map(Placement.flat) ?? Placement(.flat)
        }
    }
}

/// Everything a merge needs besides its step id and fork.
public struct MergeSpec: Sendable {
    /// How branches are read.
    public var mode: MergeMode
    /// Position of the merge's first segment (`attend` only; other modes continue the parent).
    public var layout: MergeLayout
    /// The branch indexes read (`nil` = all, in order).
    public var branches: [Int]?
    /// For `reprefill`/`text`: how each branch's text is formatted (`{text}`, `{i}`); `nil` = as is.
    public var template: String?
    /// The merge's decoding (the summary); required for `attend`, optional otherwise.
    public var generation: Generation?
    /// Thought-embedding index of the merge's segments.
    public var thought: Int

    /// Creates a merge spec.
    public init(mode: MergeMode, layout: MergeLayout = .afterLongest, branches: [Int]? = nil, template: String? = nil,
                generation: Generation?, thought: Int = 0) {
        self.mode = mode
        self.layout = layout
        self.branches = branches
        self.template = template
        self.generation = generation
        self.thought = thought
    }
}

extension PlanBuilder {
    /// Merges a fork's branches back into the fork's parent thread. Returns the segments it writes.
    @discardableResult
    public mutating func merge(step: String, fork forkID: String, _ spec: MergeSpec) throws -> [SegmentID] {
        guard let fork = plan.fork(forkID) else {
            throw PlanError.invalidGraph(step: step, reason: "merges '\(forkID)', which is not a fork before it")
        }
        let indexes = spec.branches ?? Array(fork.branches.indices)
        for index in indexes where !fork.branches.indices.contains(index) {
            throw PlanError.invalidGraph(step: step, reason: "reads branch \(index) of '\(forkID)', which has \(fork.branches.count)")
        }
        try checkSomethingLeft(step: step, fork: fork, reading: indexes.count)
        let readThreads = indexes.map { fork.branches[$0] }
        let sources = readThreads.flatMap { plan.thread($0)?.segments ?? [] }
        let lasts = readThreads.compactMap { contexts[$0]?.last }
        let thread = fork.parent
        guard let parentContext = contexts[thread] else {
            throw PlanError.invalidGraph(step: step, reason: "thread '\(thread)' does not exist at this point")
        }
        let id = try segmentID(step: step, thread: thread)
        let stage = plan.stages.count
        var written: [SegmentID] = []
        switch spec.mode {
        case .attend:
            guard let generation = spec.generation else {
                throw PlanError.invalidGraph(step: step, reason: "an attend merge must generate (it has no text of its own)")
            }
            // The summary reads the branches in place; afterwards the thread keeps only the summary,
            // so the branches' blocks are released when the summary ends.
            contexts[thread]?.view = parentContext.view + sources
            let place = spec.layout == .flat ? Placement(.flat, after: Array(lasts.suffix(1))) : .afterLongest(lasts)
            try appendToStage(id: id, kind: .summary, thread: thread, step: step, branch: nil,
                              content: .generate(generation), thought: spec.thought, placement: place, stage: stage)
            contexts[thread]?.view = parentContext.view + [id]
            written = [id]
        case .reprefill, .text:
            let splicedID = "\(id).text"
            try appendToStage(id: splicedID, kind: .spliced, thread: thread, step: step, branch: nil,
                              content: .splice(sources: sources, template: spec.template), thought: spec.thought,
                              placement: nil, stage: stage)
            written = [splicedID]
            if let generation = spec.generation {
                try appendToStage(id: id, kind: .summary, thread: thread, step: step, branch: nil,
                                  content: .generate(generation), thought: spec.thought, placement: nil, stage: stage)
                written.append(id)
            }
        }
        plan.stages.append(Stage(step: step, segments: written))
        plan.merges.append(MergePlan(id: step, mode: spec.mode, fork: forkID, sources: sources, segments: written))
        return written
    }

    /// Refuses a merge that can find every branch it reads killed.
    private func checkSomethingLeft(step: String, fork: ForkPlan, reading count: Int) throws {
        guard fork.unfinished == .kill else { return }
        let total = fork.branches.count
        let survivors = fork.finish.finishedNeeded(of: total)
        // The survivors may be any `survivors` of the branches; the worst case puts them all outside the read set.
        let guaranteed = survivors - (total - count)
        if count == 0 || guaranteed <= 0 {
            let which = count == total ? "all \(total) branches" : "\(count) of its \(total) branches"
            throw PlanError.nothingToRead(
                merge: step, fork: fork.id,
                reason: "under finish '\(fork.finish.label)' with unfinished branches killed, only \(survivors) branch(es) survive, "
                    + "and the \(which) it reads may all be killed, leaving nothing to read")
        }
    }
}
