/// Positions of what the builder has appended to its plan, by id.
///
/// `Plan`'s own lookups (`segment(_:)`, `thread(_:)`, `fork(_:)`) scan their arrays, which is fine once but makes
/// a builder that looks something up per appended segment quadratic: 4,000 ParaThinker paths took 21 s to compile.
/// The builder only ever appends, so these positions never go stale while it builds.
struct BuildIndex: Sendable {
    /// Segment id → index in `plan.segments`.
    var segments: [SegmentName: Int] = [:]
    /// Thread id → index in `plan.threads`.
    var threads: [ThreadID: Int] = [:]
    /// Fork id → index in `plan.forks`.
    var forks: [String: Int] = [:]
    /// Fork id → the merge that read it.
    var mergedBy: [String: String] = [:]
    /// The spawn templates' ids.
    var spawns: Set<String> = []
}

extension PlanBuilder {
    /// The segment with this id written so far, if any.
    func segment(_ id: SegmentName) -> Segment? {
        index.segments[id].map { plan.segments[$0] }
    }

    /// The fork with this id opened so far, if any.
    public func fork(_ id: String) -> ForkPlan? {
        index.forks[id].map { plan.forks[$0] }
    }

    /// The segments a thread has written so far (none for an unknown thread).
    func segments(of thread: ThreadID) -> [SegmentName] {
        index.threads[thread].map { plan.threads[$0].segments } ?? []
    }

    /// Appends a thread to the plan.
    mutating func addThread(_ thread: PlanThread) {
        index.threads[thread.id] = plan.threads.count
        plan.threads.append(thread)
    }

    /// Appends a fork to the plan.
    mutating func addFork(_ fork: ForkPlan) {
        index.forks[fork.id] = plan.forks.count
        plan.forks.append(fork)
    }

    /// Appends a merge to the plan.
    mutating func addMerge(_ merge: MergePlan) {
        index.mergedBy[merge.fork] = merge.id
        plan.merges.append(merge)
    }
}
