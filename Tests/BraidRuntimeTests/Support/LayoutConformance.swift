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
    /// The thread that wrote each segment the run opened.
    private var writer: [String: String] = [:]
    /// Threads that stopped, with their reason.
    private var stopped: [String: String] = [:]
    /// Threads waiting for the children of a spawn round (their trigger segment stays open).
    private var waiting: Set<String> = []
    /// Whether the run forwarded all its threads together (the live-bytes check needs one pass per step).
    private var batched = true
    /// Forward passes whose KV store's live bytes were checked against the plan's lifetimes.
    private(set) var liveChecks = 0
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
            case .run(let info):
                batched = info.scheduling == "batched"
            case .stop(let stop):
                stopped[stop.thread] = stop.reason
            case .segment(let open):
                if !everyStep { try check() }
                writer[open.segment] = open.thread
                views[open.segment] = open.view
                current[open.thread] = open.segment
                positions[open.segment, default: []] += []
            case .tokens(let written):
                positions[written.segment, default: []] += written.positions
                self.written += written.positions.count
            case .spawn(let spawn):
                waiting.insert(spawn.thread)
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
                waiting.remove(join.thread)
                if !everyStep { try check() }
                if let segment = current[join.thread] {
                    positions[segment] = Array((positions[segment] ?? []).prefix(join.keptTokens))
                }
            case .forward(let forward):
                if everyStep { try check() }
                if batched { checkLiveBytes(forward) }
            case .end:
                try check()
            default:
                break
            }
        }
    }

    /// Compares the KV store's live bytes after a forward pass (the scripted model counts one byte per token) with
    /// the tokens of the segments the plan's lifetimes (`Liveness`) still hold, given what the run has opened,
    /// closed and stopped: `ownEnd`/`lastReader` segments are held until they and every segment reading them are
    /// closed or will never be written, `textTaken` ones until their taker opens, `freedWhenKilled` ones until
    /// the finish policy stops their branch, `runEnd` ones to the end.
    private mutating func checkLiveBytes(_ forward: ForwardInfo) {
        liveChecks += 1
        let writing = Set(forward.threads).union(waiting)
        var current: [String: String] = [:]
        for (thread, segment) in self.current where stopped[thread] == nil && writing.contains(thread) { current[thread] = segment }
        let index = plan.segmentIndex
        var readers: [String: [String]] = [:]
        for segment in plan.segments {
            for seen in segment.view where seen != segment.id { readers[seen, default: []].append(segment.id) }
        }
        let parents = Dictionary(plan.threads.map { ($0.id, $0.parent) }, uniquingKeysWith: { first, _ in first })
        func opened(_ id: String) -> Bool { writer[id] != nil }
        func closed(_ id: String) -> Bool {
            guard let thread = writer[id] else { return false }
            return current[thread] != id
        }
        func unreachable(_ id: String) -> Bool {
            guard !opened(id), let i = index[id] else { return false }
            var thread: String? = plan.segments[i].thread
            while let t = thread {
                if stopped[t] != nil { return true }
                thread = parents[t] ?? nil
            }
            return false
        }
        // The pass's own tokens (trace `tokens` events follow the `forward` event) go into open segments, all held.
        var expected = forward.batch
        var held: [String] = []
        for segment in plan.segments where opened(segment.id) {
            let readersDone = (readers[segment.id] ?? []).allSatisfy { closed($0) || unreachable($0) }
            var released: Bool
            switch segment.lifetime.reason {
            case .runEnd:
                released = false
            case .textTaken:
                let taker = segment.lifetime.lastReader
                released = opened(taker) || (unreachable(taker) && closed(segment.id) && readersDone)
            case .lastReader, .ownEnd:
                released = closed(segment.id) && readersDone
            }
            if segment.lifetime.freedWhenKilled, let thread = writer[segment.id], stopped[thread] == "finish-policy" {
                released = true
            }
            if !released {
                expected += positions[segment.id]?.count ?? 0
                held.append(segment.id)
            }
        }
        if forward.kvBytes != expected {
            failures.append("step \(forward.step): the KV store holds \(forward.kvBytes) bytes, the plan's lifetimes hold \(expected) (\(held))")
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
