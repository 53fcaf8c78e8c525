import BraidGraph
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
    /// Each branch's first segment: decoding (with its forced prefix) or forced text; `nil` = none (the
    /// branch only runs nested steps). Its count is the fork's width.
    public var branches: [SegmentContent?]
    /// What branches see of the parent.
    public var context: BranchContext
    /// Position layout.
    public var layout: ForkLayout
    /// Per-branch thought-embedding index (0 = none); empty = none for all.
    public var thoughts: [Int]
    /// When the fork is done.
    public var finish: FinishPolicy

    /// Creates a fork spec.
    public init(branches: [SegmentContent?], context: BranchContext = .parent, layout: ForkLayout = .shared,
                thoughts: [Int] = [], finish: FinishPolicy = .all) {
        self.branches = branches
        self.context = context
        self.layout = layout
        self.thoughts = thoughts
        self.finish = finish
    }

    /// A fork whose branches each decode with the given generation.
    public init(generations: [Decoding], context: BranchContext = .parent, layout: ForkLayout = .shared,
                thoughts: [Int] = [], finish: FinishPolicy = .all) {
        self.init(branches: generations.map { .generate($0) }, context: context, layout: layout, thoughts: thoughts,
                  finish: finish)
    }
}

extension PlanBuilder {
    /// Forks `parent` into one branch thread per entry of `spec.branches`, their first segments written in one
    /// stage. Branch `i`'s thread and first segment are both named `step[i]` (prefixed `parent/` off the root).
    /// Returns the branch thread ids; their later steps are appended to those threads.
    @discardableResult
    public mutating func fork(step: String, from parent: ThreadID = PlanBuilder.mainThread,
                              _ spec: ForkSpec) throws -> [ThreadID] {
        guard let parentContext = contexts[parent] else {
            throw PlanError.invalidGraph(step: step, reason: "thread '\(parent)' does not exist at this point")
        }
        guard !spec.branches.isEmpty else {
            throw PlanError.invalidGraph(step: step, reason: "a fork needs at least one branch")
        }
        // Off the root thread the fork is named after its thread, so a fork nested in branches stays unique.
        let base = Naming.scoped(step, thread: parent)
        guard self.fork(base) == nil else {
            throw PlanError.invalidGraph(step: step, reason: "fork '\(base)' is defined twice")
        }
        let stage = plan.stages.count
        var threads: [ThreadID] = []
        var segments: [SegmentName] = []
        let isolated = spec.context == .isolated
        for (i, content) in spec.branches.enumerated() {
            if case .generate(let generation)? = content, generation.maxTokens <= 0 {
                throw PlanError.invalidGraph(step: step, reason: "branch \(i): max_tokens must be positive, got \(generation.maxTokens)")
            }
            let thread = Naming.branch(of: base, i)
            guard contexts[thread] == nil, index.segments[thread] == nil else {
                throw PlanError.invalidGraph(step: step, reason: "branch '\(thread)' is defined twice")
            }
            threads.append(thread)
            addThread(PlanThread(id: thread, parent: parent, fork: step))
            contexts[thread] = ThreadContext(view: isolated ? [] : parentContext.view, last: isolated ? nil : parentContext.last)
            guard let content else { continue }
            let place: Placement
            if isolated {
                place = .start
            } else if spec.layout == .flat {
                place = Placement(.flat, after: parentContext.last.map { [$0] } ?? [], slot: i)
            } else {
                place = parentContext.last.map(Placement.shared) ?? Placement(.shared)
            }
            let kind: SegmentKind
            if case .generate = content { kind = .generated } else { kind = .prefix }
            try appendToStage(id: thread, kind: kind, thread: thread, step: step, branch: i, content: content,
                              thought: i < spec.thoughts.count ? spec.thoughts[i] : 0, placement: place, stage: stage)
            segments.append(thread)
        }
        if !segments.isEmpty { plan.stages.append(Stage(step: step, segments: segments)) }
        record(.fork(base), on: parent)
        addFork(ForkPlan(id: base, step: step, parent: parent, at: isolated ? nil : parentContext.last, branches: threads,
                                   segments: segments, finish: spec.finish,
                                   context: spec.context))
        return threads
    }
}

/// Everything a merge needs besides its step id and fork.
public struct MergeSpec: Sendable {
    /// How branches are read.
    public var mode: MergeMode
    /// Position of the merge's own segment in `attend` mode (other modes continue the parent).
    public var layout: MergeLayout
    /// The branch indexes read (`nil` = all, in order).
    public var branches: [Int]?
    /// For `reprefill`/`text`: how the branches' text is put together (its `sources` are filled in).
    public var splice: Splice
    /// The merge's own segment: decoding (with its forced prefix, ParaThinker's summary) or forced text; `nil` = none.
    public var content: SegmentContent?
    /// Thought-embedding index of the merge's segments.
    public var thought: Int

    /// Creates a merge spec.
    public init(mode: MergeMode, layout: MergeLayout = .afterLongest, branches: [Int]? = nil,
                splice: Splice = Splice(sources: []), content: SegmentContent?, thought: Int = 0) {
        self.mode = mode
        self.layout = layout
        self.branches = branches
        self.splice = splice
        self.content = content
        self.thought = thought
    }

    /// A merge whose own segment decodes with `generation`.
    public init(mode: MergeMode, layout: MergeLayout = .afterLongest, branches: [Int]? = nil, generation: Decoding?) {
        self.init(mode: mode, layout: layout, branches: branches, content: generation.map { .generate($0) })
    }
}

extension PlanBuilder {
    /// Merges a fork's branches back into the fork's parent thread. Returns the segments it writes.
    @discardableResult
    public mutating func merge(step: String, fork forkID: String, _ spec: MergeSpec) throws -> [SegmentName] {
        guard let fork = self.fork(forkID) else {
            throw PlanError.invalidGraph(step: step, reason: "merges '\(forkID)', which is not a fork before it")
        }
        if let earlier = index.mergedBy[forkID] {
            throw PlanError.nothingToRead(merge: step, fork: forkID,
                                          reason: "'\(earlier)' already merged it and its branches are released then")
        }
        let indexes = spec.branches ?? Array(fork.branches.indices)
        for index in indexes where !fork.branches.indices.contains(index) {
            throw PlanError.invalidGraph(step: step, reason: "reads branch \(index) of '\(forkID)', which has \(fork.branches.count)")
        }
        let readThreads = indexes.map { fork.branches[$0] }
        let sources = readThreads.flatMap { segments(of: $0) }
        guard !sources.isEmpty else {
            throw PlanError.nothingToRead(merge: step, fork: forkID, reason: "its branches write no tokens")
        }
        let lasts = readThreads.compactMap { contexts[$0]?.last }
        let thread = fork.parent
        guard let parentContext = contexts[thread] else {
            throw PlanError.invalidGraph(step: step, reason: "thread '\(thread)' does not exist at this point")
        }
        let id = try segmentID(step: step, thread: thread)
        let stage = plan.stages.count
        var written: [SegmentName] = []
        let ownKind: SegmentKind
        if case .generate = spec.content { ownKind = .summary } else { ownKind = .prefix }
        switch spec.mode {
        case .attend:
            guard let content = spec.content else {
                throw PlanError.invalidGraph(step: step, reason: "an attend merge must write something (a prefix or a generation)")
            }
            // The merge's segment reads the branches in place; afterwards the thread keeps only that segment,
            // so the branches' blocks are released when it ends.
            contexts[thread]?.view = parentContext.view + sources
            let place: Placement
            if spec.layout == .afterLongest {
                place = .afterLongest(lasts)
            } else if fork.segments.first.flatMap(segment)?.placement.rule == .flat {
                // After flat branches: right after the last slot's content.
                place = Placement(.flat, after: lasts)
            } else {
                // After shared branches: as if they had been laid end to end after the parent.
                place = Placement(.flat, after: parentContext.last.map { [$0] } ?? [], plus: sources)
            }
            try appendToStage(id: id, kind: ownKind, thread: thread, step: step, branch: nil, content: content,
                              thought: spec.thought, placement: place, stage: stage, record: false)
            contexts[thread]?.view = parentContext.view + [id]
            written = [id]
        case .reprefill, .text:
            let splicedID = Naming.splicedText(of: id)
            var splice = spec.splice
            splice.sources = sources
            try appendToStage(id: splicedID, kind: .spliced, thread: thread, step: step, branch: nil,
                              content: .splice(splice), thought: spec.thought, placement: nil, stage: stage, record: false)
            written = [splicedID]
            if let content = spec.content {
                try appendToStage(id: id, kind: ownKind, thread: thread, step: step, branch: nil, content: content,
                                  thought: spec.thought, placement: nil, stage: stage, record: false)
                written.append(id)
            }
        }
        plan.stages.append(Stage(step: step, segments: written))
        record(.merge(id), on: thread)
        addMerge(MergePlan(id: id, step: step, mode: spec.mode, fork: forkID, sources: sources, segments: written))
        return written
    }
}
