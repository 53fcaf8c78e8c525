/// Structural checks every plan must pass before it is analysed, rendered or run.
public enum PlanChecks {
    /// Throws `PlanError.inconsistent` naming the first segment that breaks a rule: ids unique; a view ends with
    /// its own segment and names only earlier segments, once each; position anchors are earlier segments;
    /// stages are valid and never decrease in write order.
    /// Linear in the plan's size: every lookup goes through a dictionary built once.
    public static func checkStructure(_ plan: Plan) throws {
        // The stages listing each segment (normally one).
        var listedIn: [SegmentName: [Int]] = [:]
        for (stage, entry) in plan.stages.enumerated() {
            for id in entry.segments { listedIn[id, default: []].append(stage) }
        }
        var seen: [SegmentName: Int] = [:]
        var previousStage = 0
        for (index, segment) in plan.segments.enumerated() {
            guard seen[segment.id] == nil else {
                throw PlanError.inconsistent(segment: segment.id, reason: "the id is used by two segments")
            }
            seen[segment.id] = index
            guard segment.view.last == segment.id else {
                throw PlanError.inconsistent(segment: segment.id, reason: "its view must end with the segment itself")
            }
            var inView = Set<SegmentName>()
            for other in segment.view.dropLast() {
                guard seen[other] != nil, other != segment.id else {
                    throw PlanError.inconsistent(segment: segment.id, reason: "its view names '\(other)', which is not written before it")
                }
                guard inView.insert(other).inserted else {
                    throw PlanError.inconsistent(segment: segment.id, reason: "its view names '\(other)' twice")
                }
            }
            for anchor in segment.placement.anchors where seen[anchor] == nil || anchor == segment.id {
                throw PlanError.inconsistent(segment: segment.id, reason: "its position is measured from '\(anchor)', which is not written before it")
            }
            guard plan.stages.indices.contains(segment.stage), segment.stage >= previousStage else {
                throw PlanError.inconsistent(segment: segment.id, reason: "stage \(segment.stage) is out of order")
            }
            guard listedIn[segment.id]?.contains(segment.stage) == true else {
                throw PlanError.inconsistent(segment: segment.id, reason: "stage \(segment.stage) does not list it")
            }
            previousStage = segment.stage
        }
        for thread in plan.threads {
            for id in thread.segments where seen[id].map({ plan.segments[$0].thread }) != thread.id {
                throw PlanError.inconsistent(segment: id, reason: "thread '\(thread.id)' lists it but does not write it")
            }
        }
    }
}
