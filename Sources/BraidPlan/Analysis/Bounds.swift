/// Worst-case resource use of a plan, from budgets and the model's header alone.
///
/// Run-time spawns are counted at their worst: every round the template allows, each with the most children,
/// each child at its full budget (children of children, when nesting is allowed, are folded into their
/// parent child's budget). Fork branches are all assumed to run to their budgets before any is stopped.
public struct Bounds: Codable, Equatable, Sendable {
    /// Per-segment bounds.
    public struct SegmentBound: Codable, Equatable, Sendable {
        /// The segment.
        public var segment: SegmentName
        /// Its kind (decoded segments are bounded by budgets, others by their text).
        public var kind: SegmentKind
        /// Most tokens it can hold.
        public var maxTokens: Int
        /// Largest position its first token can take.
        public var maxStart: Int
        /// Most tokens its view can hold (itself included).
        public var viewTokens: Int
        /// True for a segment that exists only once a spawn happens at run time (children, joins, the parent's
        /// continuations). Its worst case is every round with every child at full budget, which the runtime
        /// guards as it goes (threads stop at the context window; KV growth stops at the memory limit).
        public var runTime: Bool = false
    }

    /// The model the bounds are for.
    public var model: ModelShape
    /// KV bytes per token for that model.
    public var kvBytesPerToken: Int
    /// Bounds for every segment of the worst-case plan, in write order.
    public var segments: [SegmentBound]
    /// Most tokens whose KV is held at the same time.
    public var peakLiveTokens: Int
    /// `peakLiveTokens` × bytes per token.
    public var peakKVBytes: Int
    /// The step of the stage at which the peak is reached.
    public var peakStage: String
    /// The segments written in that stage.
    public var peakWriters: [SegmentName]
    /// The segment with the longest view, and that view's token count.
    public var longestView: SegmentBound?
    /// The largest position + 1 any token can take (must not exceed the context window).
    public var maxPositionEnd: Int

    /// Computes the bounds of `plan` for `model`, lengths bounded by `estimate`.
    public static func compute(_ plan: Plan, model: ModelShape, estimate: LengthEstimate = LengthEstimate()) throws -> Bounds {
        let worst = try worstCase(plan)
        let planned = Set(plan.segments.map(\.id))
        return compute(instantiated: worst, model: model, estimate: estimate) { !planned.contains($0) }
    }

    /// The bounds of `plan` as it stands, spawns not expanded: for a run that has instantiated spawn rounds into
    /// its plan, with the lengths written so far in `estimate.lengths`. Segments for which `runTime` is true are
    /// marked run-time. `compute(_:model:estimate:)` is this applied to the plan's worst case.
    public static func compute(instantiated plan: Plan, model: ModelShape, estimate: LengthEstimate,
                               runTime: (SegmentName) -> Bool) -> Bounds {
        let worst = plan
        let lengths = clamped(estimate.maxTokens(in: worst), segments: worst.segments.count, bytesPerToken: model.kvBytesPerToken)
        let slots = slotLengths(worst, lengths: lengths)
        var ends: [SegmentName: Int] = [:]
        var segmentBounds: [SegmentBound] = []
        for segment in worst.segments {
            let slot = segment.placement.slot == nil ? 0 : slots[segment.id] ?? 0
            let start = segment.placement.start(ends: ends, lengths: lengths, slotLength: slot) ?? 0
            let length = lengths[segment.id] ?? 0
            ends[segment.id] = start + length
            let view = segment.view.reduce(0) { $0 + (lengths[$1] ?? 0) }
            segmentBounds.append(SegmentBound(segment: segment.id, kind: segment.kind, maxTokens: length, maxStart: start,
                                              viewTokens: view, runTime: runTime(segment.id)))
        }
        var peak = 0
        var peakStage = worst.stages.first?.step ?? ""
        var peakWriters = worst.stages.first?.segments ?? []
        for (stage, live) in Liveness.liveTokensPerStage(in: worst, lengths: lengths).enumerated() {
            if live > peak {
                peak = live
                peakStage = worst.stages[stage].step
                peakWriters = worst.stages[stage].segments
            }
        }
        return Bounds(model: model, kvBytesPerToken: model.kvBytesPerToken, segments: segmentBounds,
                      peakLiveTokens: peak, peakKVBytes: peak.multiplying(model.kvBytesPerToken), peakStage: peakStage, peakWriters: peakWriters,
                      longestView: segmentBounds.max { $0.viewTokens < $1.viewTokens },
                      maxPositionEnd: segmentBounds.map { $0.maxStart + $0.maxTokens }.max() ?? 0)
    }

    /// `lengths` with every value at most a cap so large that no sum, position or byte count built from at most
    /// `segments` of them overflows: a budget of `Int.max` tokens is then bounded by the cap (far past any context
    /// window) and still refused, instead of crashing the arithmetic.
    static func clamped(_ lengths: [SegmentName: Int], segments: Int, bytesPerToken: Int) -> [SegmentName: Int] {
        // Positions add at most a chain of ends, the `plus` lengths and a slot multiple: 4 × segments lengths.
        let cap = Int.max / 4 / max(1, segments + 2) / max(1, bytesPerToken)
        return lengths.mapValues { Swift.max(0, Swift.min($0, cap)) }
    }

    /// Each flat fork branch's slot: the longest branch bound of its fork, as the runtime reserves prefix + budget
    /// per branch. One pass over the forks.
    static func slotLengths(_ plan: Plan, lengths: [SegmentName: Int]) -> [SegmentName: Int] {
        var slots: [SegmentName: Int] = [:]
        for fork in plan.forks {
            let longest = fork.segments.compactMap { lengths[$0] }.max() ?? 0
            for segment in fork.segments where slots[segment] == nil { slots[segment] = longest }
        }
        return slots
    }

    /// Most spawned children (all levels together) one spawn's worst case is instantiated with, level by level.
    public static let exactChildLimit = 1024

    /// The plan with every spawn instantiated at its worst (all rounds, most children). Children that may spawn
    /// again (`maxDepth` over their depth) are instantiated level by level, each level's rounds and children at
    /// their own budgets, while the whole tree has at most `exactChildLimit` children; a larger tree is estimated
    /// instead: each child of the first level holds its own budget times the size of the subtree below it.
    public static func worstCase(_ plan: Plan) throws -> Plan {
        var worst = plan
        for template in plan.spawns {
            let exact = nestedChildren(template).map { $0 <= exactChildLimit } ?? false
            if !exact, template.levelsLeft > 1, let index = worst.spawns.firstIndex(where: { $0.id == template.id }) {
                var factor = 1
                var level = 1
                for _ in 1..<template.levelsLeft {
                    level = level.multiplying(template.maxChildren)
                    factor = factor.adding(level)
                }
                worst.spawns[index].child.maxTokens = template.child.maxTokens.multiplying(factor)
            }
            // Level by level: the children's own templates (same step, one level deeper) are instantiated in turn.
            var pending = [template.id]
            while let id = pending.popLast() {
                guard let current = worst.spawnTemplate(id), current.maySpawn else { continue }
                let before = worst.spawns.count
                for round in 0..<current.maxRounds {
                    try worst.instantiateSpawn(id, round: round, children: current.maxChildren)
                }
                guard exact else { continue }
                pending += worst.spawns[before...].filter { $0.step == template.step }.map(\.id)
            }
        }
        return worst
    }

    /// How many children `template`'s worst case has over all its levels (`maxRounds` × `maxChildren` per spawning
    /// thread, each of which spawns again while under `maxDepth`); nil past `Int.max`.
    static func nestedChildren(_ template: SpawnTemplate) -> Int? {
        let perThread = template.maxRounds.multipliedReportingOverflow(by: template.maxChildren)
        guard !perThread.overflow else { return nil }
        var total = 0
        var level = 1
        for _ in 0..<template.levelsLeft {
            let next = level.multipliedReportingOverflow(by: perThread.partialValue)
            guard !next.overflow else { return nil }
            level = next.partialValue
            let sum = total.addingReportingOverflow(level)
            guard !sum.overflow, sum.partialValue <= exactChildLimit else { return sum.overflow ? nil : sum.partialValue }
            total = sum.partialValue
        }
        return total
    }

    /// Everything that does not fit: a budget or position past the context window, a view longer than it, or
    /// peak KV over `memoryLimit` bytes. Each names the segment at fault and says whether it is *static* (reached
    /// whenever every branch runs to its budget: the plan must be refused) or *run-time* (reached only if spawns
    /// take every round with every child at full budget: the runtime guards it while running).
    public func violations(memoryLimit: Int? = nil) -> [Violation] {
        let context = model.contextLength
        var found: [Violation] = []
        for bound in segments {
            var error: PlanError?
            if bound.maxTokens > context {
                error = .contextOverflow(segment: bound.segment, tokens: bound.maxTokens, context: context,
                                         reason: bound.kind == .generated || bound.kind == .summary
                                             ? "its budget (forced prefix + max_tokens) alone is larger than the context window"
                                             : "its text alone can be longer than the context window")
            } else if bound.maxStart + bound.maxTokens > context {
                error = .contextOverflow(segment: bound.segment, tokens: bound.maxStart + bound.maxTokens, context: context,
                                         reason: "it starts at position up to \(bound.maxStart) and may write \(bound.maxTokens) tokens")
            } else if bound.viewTokens > context {
                error = .contextOverflow(segment: bound.segment, tokens: bound.viewTokens, context: context,
                                         reason: "its view (what it attends to, itself included) can hold that many tokens")
            }
            if let error { found.append(Violation(error: error, runTime: bound.runTime)) }
        }
        if let memoryLimit, peakKVBytes > memoryLimit {
            let writers = Set(peakWriters)
            let runTime = segments.contains { writers.contains($0.segment) && $0.runTime }
            found.append(Violation(error: .memoryOverLimit(segment: peakSegment ?? peakStage, bytes: peakKVBytes,
                                                           limit: memoryLimit, stage: peakStage),
                                   runTime: runTime))
        }
        return found
    }

    /// Refuses a plan whose *static* part can't fit (see `violations(memoryLimit:)`); run-time violations
    /// don't throw, read them from `violations` to warn about them. The error names the segment at fault.
    public func check(memoryLimit: Int? = nil) throws {
        if let first = violations(memoryLimit: memoryLimit).first(where: { !$0.runTime }) { throw first.error }
    }

    /// One way a plan does not fit.
    public struct Violation: Equatable, Sendable {
        /// What does not fit, naming the segment.
        public var error: PlanError
        /// Whether only run-time spawns at their worst reach it.
        public var runTime: Bool
    }

    /// The largest segment written at the peak stage (the one to shrink first).
    public var peakSegment: SegmentName? {
        let writers = Set(peakWriters)
        return segments.filter { writers.contains($0.segment) }.max { $0.maxTokens < $1.maxTokens }?.segment
    }
}
