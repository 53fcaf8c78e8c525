import BraidRuntime

/// Sequential ("critical-path") tokens of a run: the most sampled tokens along any chain of dependencies,
/// i.e. the decoding latency of the run in tokens if every thread that can run in parallel did.
///
/// Computed from the trace alone, so it does not depend on how the scheduler happened to batch: a thread
/// starts with its parent's count at the moment it was started; each sampled token adds one; a merge or a vote
/// raises the continuing thread to the longest branch it reads; a join raises the parent to its longest child.
/// ParaThinker with P paths gives longest path + summary; APR gives parent + the longest child per round.
public enum CriticalPath {
    /// The critical-path sampled tokens of the run recorded in `events` (in trace order).
    public static func sampledTokens(_ events: [TraceEvent]) -> Int {
        var path = CriticalPathCounter()
        for event in events { path.observe(event) }
        return path.longest
    }
}

/// Accumulates ``CriticalPath`` over events as they arrive (so a run need not keep its whole trace).
public struct CriticalPathCounter: Sendable {
    private var count: [String: Int] = [:]
    private var segmentOwner: [String: String] = [:]
    private var created: [String: [String]] = [:]     // step id that started threads -> the threads
    private var parent: [String: String] = [:]
    private var spawned: [String: [String]] = [:]     // "thread|spawn|round" -> children
    /// The largest count reached by any thread so far.
    public private(set) var longest = 0

    /// An empty counter.
    public init() {}

    /// Takes one event into account.
    public mutating func observe(_ event: TraceEvent) {
        switch event {
        case .thread(let t):
            count[t.thread] = t.parent.flatMap { count[$0] } ?? 0
            if let p = t.parent { parent[t.thread] = p }
            if let origin = t.origin { created[origin, default: []].append(t.thread) }
        case .segment(let s):
            segmentOwner[s.segment] = s.thread
        case .tokens(let w) where w.sampled:
            raise(w.thread, to: (count[w.thread] ?? 0) + w.ids.count)
        case .merge(let m):
            let sources = m.sources.compactMap { segmentOwner[$0] }
            raise(m.thread, to: sources.compactMap { count[$0] }.max() ?? 0)
        case .vote(let v):
            for branch in created[v.fork] ?? [] {
                if let p = parent[branch] { raise(p, to: count[branch] ?? 0) }
            }
        case .spawn(let s):
            spawned["\(s.thread)|\(s.spawn)|\(s.round)"] = s.children
        case .join(let j):
            let children = spawned["\(j.thread)|\(j.spawn)|\(j.round)"] ?? []
            raise(j.thread, to: children.compactMap { count[$0] }.max() ?? 0)
        default:
            break
        }
    }

    private mutating func raise(_ thread: String, to value: Int) {
        count[thread] = max(count[thread] ?? 0, value)
        longest = max(longest, value)
    }
}
