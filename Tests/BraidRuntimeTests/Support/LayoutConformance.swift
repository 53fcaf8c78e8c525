import BraidGraph
import BraidPlan
import BraidRuntime

/// Replays a run's trace against the graph's compiled plan: after every scheduler step, every token written
/// so far sits where the plan's layout (`MaskExpansion.layOut`, for the lengths produced so far) puts it, and every segment
/// the run opened is a plan segment with the plan's view. Segments the run never opened (a stopped branch's
/// later steps) are expanded with length 0. Each spawn round the run starts is instantiated in the plan
/// (`Plan.instantiateSpawn`) with the children the run started; a join cuts the spawning segment back.
struct LayoutConformance {
    private(set) var plan: Plan
    /// Counts a flat branch's forced text as the run's model does.
    let prefixTokens: (Segment) -> Int
    private var positions: [String: [Int]] = [:]
    private var views: [String: [String]] = [:]
    /// The segment each thread writes now.
    private var current: [String: String] = [:]
    private(set) var failures: [String] = []
    private(set) var checks = 0
    /// Tokens the trace wrote.
    private(set) var written = 0

    /// Check after every forward pass (else only when a segment opens or a join rewrites one, and at the
    /// end: the same positions, since a segment's tokens follow its start one by one, for long recordings).
    let everyStep: Bool

    init(plan: Plan, everyStep: Bool = true, prefixTokens: @escaping (Segment) -> Int) {
        self.plan = plan
        self.everyStep = everyStep
        self.prefixTokens = prefixTokens
    }

    /// Feeds the trace in order; checks at each forward pass (the step before it is complete) and at the end.
    mutating func replay(_ events: [TraceEvent]) throws {
        for event in events {
            switch event {
            case .segment(let open):
                if !everyStep { try check() }
                views[open.segment] = open.view
                current[open.thread] = open.segment
                positions[open.segment, default: []] += []
            case .tokens(let written):
                positions[written.segment, default: []] += written.positions
                self.written += written.positions.count
            case .spawn(let spawn):
                let template = spawn.thread == "main" ? spawn.spawn : "\(spawn.thread)/\(spawn.spawn)"
                do {
                    let instance = try plan.instantiateSpawn(template, round: spawn.round, children: spawn.children.count)
                    if instance.children != spawn.children {
                        failures.append("spawn '\(template)' round \(spawn.round): the run started \(spawn.children), the plan names \(instance.children)")
                    }
                } catch {
                    failures.append("spawn '\(template)' round \(spawn.round): the plan cannot instantiate it: \(error)")
                }
            case .join(let join):
                if !everyStep { try check() }
                if let segment = current[join.thread] {
                    positions[segment] = Array((positions[segment] ?? []).prefix(join.keptTokens))
                }
            case .forward:
                if everyStep { try check() }
            case .end:
                try check()
            default:
                break
            }
        }
    }

    /// Compares what was written so far with the plan's expansion.
    private mutating func check() throws {
        checks += 1
        var lengths: [String: Int] = [:]
        for segment in plan.segments { lengths[segment.id] = positions[segment.id]?.count ?? 0 }
        let layout = try MaskExpansion.layOut(plan, lengths: MaskLengths(lengths), prefixTokens: prefixTokens)
        var planned: [String: [Int]] = [:]
        for token in layout.tokens { planned[token.segment, default: []].append(token.position) }
        let index = plan.segmentIndex
        for (segment, written) in positions.sorted(by: { $0.key < $1.key }) {
            guard let i = index[segment] else {
                failures.append("step \(checks): the run opened '\(segment)', which the plan does not have")
                continue
            }
            if !written.isEmpty, planned[segment] != written {
                failures.append("step \(checks): '\(segment)' written at \(written), the plan says \(planned[segment] ?? [])")
            }
            if let view = views[segment], view != plan.segments[i].view {
                failures.append("step \(checks): '\(segment)' viewed \(view), the plan says \(plan.segments[i].view)")
            }
        }
    }
}
