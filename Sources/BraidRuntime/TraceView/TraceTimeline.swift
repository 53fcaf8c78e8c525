/// A run's trace arranged for drawing: one lane per thread over scheduler steps, the arrows between lanes
/// (forks, spawns, merges, joins, votes), and the per-step series (batch size, pass time, KV in use).
///
/// Built only from ``TraceEvent``s, so any recorded trace can be viewed without the graph or the model.
public struct TraceTimeline: Sendable, Equatable {
    /// One thread's lane.
    public struct Lane: Sendable, Equatable {
        /// The thread's name.
        public var name: String
        /// The thread that started it (nil for `main`).
        public var parent: String?
        /// `main`, `branch` or `child`.
        public var kind: String
        /// Spawn nesting depth.
        public var depth: Int
        /// The step it started in.
        public var start: Int
        /// The step it stopped in (nil when the trace ends first).
        public var stop: Int?
        /// Why it stopped and how its last decoding ended (`done / eos`).
        public var stopReason: String?
        /// Tokens it sampled.
        public var sampled: Int
        /// Its writes, one per step it wrote in, in order.
        public var writes: [Write]
    }

    /// The tokens one thread wrote in one step.
    public struct Write: Sendable, Equatable {
        /// The scheduler step.
        public var step: Int
        /// The segment written.
        public var segment: String
        /// The segment's kind (`prompt`, `generated`, `summary`, …; `?` when the trace never opened it).
        public var segmentKind: String
        /// How many tokens.
        public var count: Int
        /// Their text.
        public var text: String
        /// Whether they were sampled (false: forced text).
        public var sampled: Bool
    }

    /// What an arrow between lanes stands for.
    public enum ArrowKind: String, Sendable, Equatable, CaseIterable {
        /// A fork opens a branch.
        case fork
        /// A spawn starts a child.
        case spawn
        /// A merge reads a branch.
        case merge
        /// A join returns a child's result.
        case join
        /// A vote counts a branch's answer.
        case vote
    }

    /// An arrow from one lane to another at a step.
    public struct Arrow: Sendable, Equatable {
        /// What it stands for.
        public var kind: ArrowKind
        /// The step.
        public var step: Int
        /// The lane it leaves.
        public var from: String
        /// The lane it enters.
        public var to: String
        /// A short description (step id, mode).
        public var label: String
    }

    /// One scheduler step's forward passes (summed when scheduling is sequential).
    public struct Step: Sendable, Equatable {
        /// The step number.
        public var step: Int
        /// Tokens in its passes.
        public var batch: Int
        /// Threads with tokens in its passes.
        public var threads: Int
        /// Wall time of its passes in milliseconds.
        public var ms: Double
        /// KV bytes in use after it.
        public var kvBytes: Int
    }

    /// The `run` event, if the trace has one.
    public var run: RunInfo?
    /// The `end` event, if the run finished.
    public var end: RunEnd?
    /// Lanes, each thread followed by the threads it started (depth first), so children sit under parents.
    public var lanes: [Lane]
    /// Arrows in trace order.
    public var arrows: [Arrow]
    /// Steps with forward passes, in order.
    public var steps: [Step]
    /// Votes in trace order.
    public var votes: [VoteInfo]
    /// Warnings in trace order.
    public var warnings: [WarningInfo]

    /// The last step any event mentions (at least 1, so scales never divide by zero).
    public var lastStep: Int {
        max(1, steps.last?.step ?? 0, end?.step ?? 0, lanes.compactMap(\.stop).max() ?? 0,
            lanes.flatMap { $0.writes.map(\.step) }.max() ?? 0)
    }

    /// Arranges `events` (in trace order).
    public init(events: [TraceEvent]) {
        var lanes: [Lane] = []
        var laneIndex: [String: Int] = [:]
        var segmentOwner: [String: String] = [:]
        var segmentKind: [String: String] = [:]
        var origins: [String: [String]] = [:]   // step id that created threads -> those threads
        var spawns: [String: [String]] = [:]    // "thread|spawn|round" -> children
        var arrows: [Arrow] = []
        var steps: [Step] = []
        var votes: [VoteInfo] = []
        var warnings: [WarningInfo] = []

        // A thread the trace never announced (a truncated trace) still gets a lane.
        func lane(_ name: String, step: Int) -> Int {
            if let index = laneIndex[name] { return index }
            lanes.append(Lane(name: name, parent: nil, kind: "?", depth: 0, start: step, stop: nil,
                              stopReason: nil, sampled: 0, writes: []))
            laneIndex[name] = lanes.count - 1
            return lanes.count - 1
        }

        for event in events {
            switch event {
            case .run(let info):
                run = info
            case .thread(let t):
                let i = lane(t.thread, step: t.step)
                lanes[i].parent = t.parent
                lanes[i].kind = t.kind
                lanes[i].depth = t.depth
                lanes[i].start = t.step
                if let origin = t.origin { origins[origin, default: []].append(t.thread) }
                if let parent = t.parent {
                    arrows.append(Arrow(kind: t.kind == "child" ? .spawn : .fork, step: t.step, from: parent,
                                        to: t.thread, label: t.origin ?? t.kind))
                }
            case .segment(let s):
                segmentOwner[s.segment] = s.thread
                segmentKind[s.segment] = s.kind
            case .tokens(let w):
                let i = lane(w.thread, step: w.step)
                lanes[i].writes.append(Write(step: w.step, segment: w.segment, segmentKind: segmentKind[w.segment] ?? "?",
                                             count: w.ids.count, text: w.text, sampled: w.sampled))
            case .stop(let s):
                let i = lane(s.thread, step: s.step)
                lanes[i].stop = s.step
                lanes[i].sampled = s.sampled
                lanes[i].stopReason = s.lastDecode.map { "\(s.reason) / \($0)" } ?? s.reason
            case .merge(let m):
                var seen: Set<String> = []
                for source in m.sources {
                    guard let owner = segmentOwner[source], owner != m.thread, seen.insert(owner).inserted else { continue }
                    arrows.append(Arrow(kind: .merge, step: m.step, from: owner, to: m.thread, label: "\(m.merge) (\(m.mode))"))
                }
            case .spawn(let s):
                spawns["\(s.thread)|\(s.spawn)|\(s.round)"] = s.children
            case .join(let j):
                for child in spawns["\(j.thread)|\(j.spawn)|\(j.round)"] ?? [] {
                    arrows.append(Arrow(kind: .join, step: j.step, from: child, to: j.thread, label: "\(j.spawn) join"))
                }
            case .vote(let v):
                votes.append(v)
                for branch in origins[v.fork] ?? [] {
                    guard let parent = laneIndex[branch].flatMap({ lanes[$0].parent }) else { continue }
                    arrows.append(Arrow(kind: .vote, step: v.step, from: branch, to: parent, label: "\(v.vote) (vote)"))
                }
            case .forward(let f):
                if let last = steps.last, last.step == f.step {
                    steps[steps.count - 1].batch += f.batch
                    steps[steps.count - 1].threads += f.threads.count
                    steps[steps.count - 1].ms += f.ms
                    steps[steps.count - 1].kvBytes = f.kvBytes
                } else {
                    steps.append(Step(step: f.step, batch: f.batch, threads: f.threads.count, ms: f.ms, kvBytes: f.kvBytes))
                }
            case .warning(let w):
                warnings.append(w)
            case .end(let e):
                end = e
            }
        }
        self.lanes = TraceTimeline.treeOrder(lanes)
        self.arrows = arrows
        self.steps = steps
        self.votes = votes
        self.warnings = warnings
    }

    /// Depth-first order: each lane followed by the lanes it started, in start order.
    static func treeOrder(_ lanes: [Lane]) -> [Lane] {
        let names = Set(lanes.map(\.name))
        var children: [String: [Lane]] = [:]
        var roots: [Lane] = []
        for lane in lanes {
            if let parent = lane.parent, names.contains(parent), parent != lane.name {
                children[parent, default: []].append(lane)
            } else {
                roots.append(lane)
            }
        }
        var ordered: [Lane] = []
        var visited: Set<String> = []
        func visit(_ lane: Lane) {
            guard visited.insert(lane.name).inserted else { return }
            ordered.append(lane)
            for child in children[lane.name] ?? [] { visit(child) }
        }
        roots.forEach(visit)
        // A parent cycle (only in a corrupted trace) leaves lanes unvisited: keep them rather than drop them.
        for lane in lanes where !visited.contains(lane.name) { ordered.append(lane) }
        return ordered
    }
}
