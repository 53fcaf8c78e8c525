/// KV liveness: when each segment's blocks can be released.
///
/// A segment is kept while some later segment's view includes it. A source of a `reprefill`/`text` merge or a
/// join that no view reads any more is released as soon as its text is taken; a segment nobody reads is released
/// when it ends; what the final segments read lives until the run ends. A fork branch stopped by its fork's finish
/// policy is released at once when no later view reads its KV.
public enum Liveness {
    /// Fills in every segment's `lifetime`.
    public static func annotate(_ plan: inout Plan) {
        let lastStage = plan.segments.map(\.stage).max() ?? 0
        var lastKVReader: [SegmentName: Int] = [:]  // segment -> index of its last reader (other than itself)
        var textTaker: [SegmentName: Int] = [:]      // segment -> index of the last segment splicing its text
        for (index, segment) in plan.segments.enumerated() {
            for seen in segment.view where seen != segment.id {
                lastKVReader[seen] = max(lastKVReader[seen] ?? index, index)
            }
            if case .splice(let splice) = segment.content {
                for source in splice.sources { textTaker[source] = max(textTaker[source] ?? index, index) }
            }
        }
        let branches = Set(plan.forks.flatMap(\.segments))
        for i in plan.segments.indices {
            let id = plan.segments[i].id
            let kvReader = lastKVReader[id]
            let taker = textTaker[id]
            var lifetime: Lifetime
            if let kvReader, kvReader >= (taker ?? -1) {
                let reader = plan.segments[kvReader]
                lifetime = Lifetime(lastReader: reader.id, reason: reader.stage == lastStage ? .runEnd : .lastReader)
            } else if let taker {
                lifetime = Lifetime(lastReader: plan.segments[taker].id, reason: .textTaken)
            } else {
                lifetime = Lifetime(lastReader: id, reason: plan.segments[i].stage == lastStage ? .runEnd : .ownEnd)
            }
            // A stopped branch whose KV no later view reads (voted on, or taken as text) can go at once too.
            let unread = lifetime.lastReader == id || lifetime.reason == .textTaken
            lifetime.freedWhenKilled = branches.contains(id) && unread
            plan.segments[i].lifetime = lifetime
        }
    }

    /// The last stage during which a segment's blocks are still held (written or read).
    /// A segment whose text is taken is released before the taking stage starts.
    public static func lastLiveStage(of segment: Segment, in plan: Plan) -> Int {
        lastLiveStage(of: segment, readerStage: plan.segment(segment.lifetime.lastReader)?.stage, stageCount: plan.stages.count)
    }

    /// `lastLiveStage(of:in:)` given the stage of the segment's last reader (`nil`: no such segment).
    static func lastLiveStage(of segment: Segment, readerStage: Int?, stageCount: Int) -> Int {
        guard let readerStage else { return segment.stage }
        switch segment.lifetime.reason {
        case .textTaken: return max(segment.stage, readerStage - 1)
        case .runEnd: return max(readerStage, stageCount - 1)
        case .lastReader, .ownEnd: return max(segment.stage, readerStage)
        }
    }

    /// The stages during which each segment's blocks are held (its own stage through its last live stage), in
    /// write order. Linear in the number of segments.
    public static func liveStages(in plan: Plan) -> [ClosedRange<Int>] {
        let stageOf = Dictionary(plan.segments.map { ($0.id, $0.stage) }) { first, _ in first }
        return plan.segments.map { segment in
            let last = lastLiveStage(of: segment, readerStage: stageOf[segment.lifetime.lastReader], stageCount: plan.stages.count)
            return segment.stage...max(segment.stage, last)
        }
    }

    /// The segments holding KV during `stage`, in write order.
    public static func live(at stage: Int, in plan: Plan) -> [Segment] {
        zip(plan.segments, liveStages(in: plan)).filter { $0.1.contains(stage) }.map(\.0)
    }

    /// Tokens held during each stage of `plan` when segments have the given lengths (missing: 0): one sweep over
    /// the segments' live ranges, linear in segments plus stages (not one pass over the segments per stage).
    public static func liveTokensPerStage(in plan: Plan, lengths: [SegmentName: Int]) -> [Int] {
        var change = [Int](repeating: 0, count: plan.stages.count + 1)
        for (segment, stages) in zip(plan.segments, liveStages(in: plan)) where change.indices.contains(stages.lowerBound) {
            let length = lengths[segment.id] ?? 0
            change[stages.lowerBound] += length
            change[min(stages.upperBound + 1, plan.stages.count)] -= length
        }
        var held = 0
        return plan.stages.indices.map { stage in
            held += change[stage]
            return held
        }
    }
}
