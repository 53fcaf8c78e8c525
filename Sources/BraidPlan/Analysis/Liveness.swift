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
        var lastKVReader: [SegmentID: Int] = [:]  // segment -> index of its last reader (other than itself)
        var textTaker: [SegmentID: Int] = [:]      // segment -> index of the last segment splicing its text
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
        guard let reader = plan.segment(segment.lifetime.lastReader) else { return segment.stage }
        switch segment.lifetime.reason {
        case .textTaken: return max(segment.stage, reader.stage - 1)
        case .runEnd: return max(reader.stage, plan.stages.count - 1)
        case .lastReader, .ownEnd: return max(segment.stage, reader.stage)
        }
    }

    /// The segments holding KV during `stage`, in write order.
    public static func live(at stage: Int, in plan: Plan) -> [Segment] {
        plan.segments.filter { $0.stage <= stage && lastLiveStage(of: $0, in: plan) >= stage }
    }
}
