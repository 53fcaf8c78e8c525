import BraidGraph

/// Builds a `Plan` step by step, applying Braid's rules for views and positions, so that the compiler
/// (and tests that build plans by hand) only say *what* happens, never how tokens see each other.
///
/// Each thread has a current context: the segments its next segment will see, and the segment it continues.
/// Every call appends one stage. `build()` runs liveness analysis and checks the plan's consistency.
public struct PlanBuilder: Sendable {
    /// What a thread's next segment sees and continues.
    struct ThreadContext: Sendable {
        /// Segments the next segment attends to (before itself).
        var view: [SegmentName]
        /// The segment the next one continues (positions), if any.
        var last: SegmentName?
    }

    /// The plan built so far (liveness not yet analysed).
    public internal(set) var plan: Plan
    var contexts: [ThreadID: ThreadContext] = [:]
    /// Where each segment, thread and fork sits in `plan`, and which merge read each fork: lookups in constant
    /// time, so compiling stays linear in the number of segments (`Plan`'s own lookups scan).
    var index = BuildIndex()
    /// When set, the compiler refuses a fork over these limits before building its branches.
    var compileLimits: CompileLimits?
    /// When set, appended segments join this stage instead of opening their own (branches' nested steps).
    var openStage: Int?
    /// The root thread's id.
    public static let mainThread: ThreadID = Naming.mainThread

    /// Starts a plan for `graph` with one empty root thread, `main`.
    public init(graph: String, params: [String: String] = [:]) {
        plan = Plan(graph: graph, params: params)
        plan.threads = [PlanThread(id: Self.mainThread)]
        index.threads[Self.mainThread] = 0
        contexts[Self.mainThread] = ThreadContext(view: [], last: nil)
    }

    /// The segments a thread's next segment would see (before itself).
    public func currentView(of thread: ThreadID) -> [SegmentName]? {
        contexts[thread]?.view
    }

    /// The last segment a thread wrote, if any.
    public func lastSegment(of thread: ThreadID) -> SegmentName? {
        contexts[thread]?.last
    }

    /// Appends prefilled text to a thread: a prompt (`.prompt`) or forced text (`.prefix`).
    @discardableResult
    public mutating func text(step: String, kind: SegmentKind = .prompt, content: SegmentContent,
                              thread: ThreadID = PlanBuilder.mainThread, thought: Int = 0) throws -> SegmentName {
        let id = try segmentID(step: step, thread: thread)
        try append(id: id, kind: kind, thread: thread, step: step, content: content, thought: thought)
        return id
    }

    /// Appends a decoded segment to a thread.
    @discardableResult
    public mutating func generate(step: String, generation: Decoding, thread: ThreadID = PlanBuilder.mainThread,
                                  thought: Int = 0, kind: SegmentKind = .generated) throws -> SegmentName {
        guard generation.maxTokens > 0 else {
            throw PlanError.invalidGraph(step: step, reason: "max_tokens must be positive, got \(generation.maxTokens)")
        }
        let id = try segmentID(step: step, thread: thread)
        try append(id: id, kind: kind, thread: thread, step: step, content: .generate(generation), thought: thought)
        return id
    }

    /// Records a majority vote over a fork's branches (reads their text only) on the thread that forked, and the
    /// forced text it writes afterwards (`text`: a template over `{answer}` and `{votes}`), if any. The vote's id is
    /// `Naming.scoped(step, thread:)`; its text segment is named so too.
    public mutating func vote(step: String, fork forkID: String, pattern: Pattern, occurrence: Occurrence = .last,
                              tie: TieRule = .firstBranch, text: Template? = nil, thought: Int = 0) throws {
        guard let fork = self.fork(forkID) else {
            throw PlanError.invalidGraph(step: step, reason: "votes over '\(forkID)', which is not a fork before it")
        }
        let thread = fork.parent
        let sources = fork.branches.flatMap { segments(of: $0) }
        var textSegment: SegmentName?
        if let text {
            let id = try segmentID(step: step, thread: thread)
            try append(id: id, kind: .prefix, thread: thread, step: step, content: .text(template: text, maxTokens: nil),
                       thought: thought, record: false)
            textSegment = id
        }
        let id = Naming.scoped(step, thread: thread)
        plan.votes.append(VotePlan(id: id, step: step, thread: thread, fork: forkID, sources: sources, pattern: pattern,
                                   occurrence: occurrence, tie: tie, text: textSegment))
        record(.vote(id), on: thread)
    }

    /// Records how the final answer is extracted.
    public mutating func answer(_ rule: AnswerRule) {
        plan.answer = rule
    }

    /// Runs liveness analysis, checks the plan, and returns it.
    public func build() throws -> Plan {
        var result = plan
        try PlanChecks.checkStructure(result)
        Liveness.annotate(&result)
        return result
    }

    // MARK: - internals shared by the fork, merge and spawn builders

    /// The id for a segment a thread writes for a step: the step id on the root thread, else `thread/step`;
    /// a branch's own generation step is named after the branch (`think[0]`).
    func segmentID(step: String, thread: ThreadID) throws -> SegmentName {
        guard contexts[thread] != nil else {
            throw PlanError.invalidGraph(step: step, reason: "thread '\(thread)' does not exist at this point")
        }
        let id = Naming.scoped(step, thread: thread)
        guard index.segments[id] == nil else {
            throw PlanError.invalidGraph(step: step, reason: "segment '\(id)' is written twice")
        }
        return id
    }

    /// Appends a segment that continues `thread` (or is placed by `placement`) as a new stage of its own.
    mutating func append(id: SegmentName, kind: SegmentKind, thread: ThreadID, step: String, content: SegmentContent,
                         thought: Int, placement: Placement? = nil, record: Bool = true) throws {
        if let openStage {
            try appendToStage(id: id, kind: kind, thread: thread, step: step, branch: nil, content: content,
                              thought: thought, placement: placement, stage: openStage, record: record)
            plan.stages[openStage].segments.append(id)
            return
        }
        let stage = plan.stages.count
        try appendToStage(id: id, kind: kind, thread: thread, step: step, branch: nil, content: content,
                          thought: thought, placement: placement, stage: stage, record: record)
        plan.stages.append(Stage(step: step, segments: [id]))
    }

    /// Runs `body` with every segment it appends written in one new stage (threads side by side, such as the
    /// branches of a fork each running the same nested step). Nested forks and merges still open their own.
    public mutating func sideBySide(step: String, _ body: (inout PlanBuilder) throws -> Void) throws {
        let stage = plan.stages.count
        plan.stages.append(Stage(step: step, segments: []))
        let previous = openStage
        openStage = stage
        defer { openStage = previous }
        try body(&self)
        if plan.stages.indices.contains(stage), plan.stages[stage].segments.isEmpty, stage == plan.stages.count - 1 {
            plan.stages.removeLast()
        }
    }

    /// Appends a segment to the current thread context without creating a stage (the caller does); with `record`,
    /// the thread's program writes it next (a merge's or vote's segments are written by their own program step).
    mutating func appendToStage(id: SegmentName, kind: SegmentKind, thread: ThreadID, step: String, branch: Int?,
                                content: SegmentContent, thought: Int, placement: Placement?, stage: Int,
                                record: Bool = true) throws {
        guard var context = contexts[thread] else {
            throw PlanError.invalidGraph(step: step, reason: "thread '\(thread)' does not exist at this point")
        }
        let place = placement ?? context.last.map(Placement.continues) ?? .start
        let segment = Segment(id: id, kind: kind, thread: thread, step: step, branch: branch, placement: place,
                              view: context.view + [id], thought: thought, content: content, stage: stage)
        index.segments[id] = plan.segments.count
        plan.segments.append(segment)
        if let at = index.threads[thread] {
            plan.threads[at].segments.append(id)
        }
        if record { self.record(.write(id), on: thread) }
        context.view.append(id)
        context.last = id
        contexts[thread] = context
    }

    /// Appends a step to a thread's program.
    mutating func record(_ step: ThreadStep, on thread: ThreadID) {
        if let at = index.threads[thread] { plan.threads[at].program.append(step) }
    }
}
