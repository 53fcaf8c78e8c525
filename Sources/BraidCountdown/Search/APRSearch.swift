import BraidRandom

/// One thread of an APR search: its training strings and the threads it spawned.
///
/// `segments[0]` is what the thread decodes first; it ends with a spawn block when the thread calls
/// children. Each later segment starts with the previous one minus its spawn block, then the join
/// block, then what the thread decodes after the join. `children[k]` are the threads of spawn `k`.
public struct APRThread: Sendable, Equatable, Codable {
    /// The thread's strings, one per segment (see the type's description).
    public var segments: [String]
    /// The children, grouped by spawn.
    public var children: [[APRThread]]

    /// Creates a thread record.
    public init(segments: [String], children: [[APRThread]] = []) {
        self.segments = segments
        self.children = children
    }

    /// The thread's final, complete text (its last segment).
    public var finalText: String { segments.last ?? "" }
}

/// APR's hybrid solver (`apr` / `_parallel_search`): the SoS+ best-first loop, where at the root level
/// an expansion that keeps more than one child spawns one child thread per kept child with
/// probability `promising`. Children run a plain best-first search with their own beam and never
/// spawn (APR's code nests one level only). The parent then continues after the join block.
struct APRSearch {
    private var engine: BestFirstSearch
    private let target: Int
    private let beam: Int
    private let childBeam: Int
    private let promising: Double

    init(target: Int, beam: Int, childBeam: Int, promising: Double, rng: SplitMix64) {
        engine = BestFirstSearch(target: target, beam: beam, promising: 0, rng: rng)
        self.target = target
        self.beam = max(1, beam)
        self.childBeam = max(1, childBeam)
        self.promising = promising
    }

    mutating func run(numbers: [Int]) -> (thread: APRThread, solved: Bool) {
        let root = SearchNode(root: numbers, scorer: Heuristic(target: target))
        let result = search(from: root, level: 0)
        return (result.thread, result.goal != nil)
    }

    private mutating func search(from start: SearchNode, level: Int) -> (thread: APRThread, goal: SearchNode?) {
        var thread = APRThread(segments: [TraceLine.moving(start.id)])
        let width = level == 0 ? beam : childBeam
        var open = NodeQueue()
        open.push(start)
        func append(_ text: String) { thread.segments[thread.segments.count - 1] += text }

        while !open.isEmpty {
            var round: [SearchNode] = []
            while round.count < width, let node = open.pop() { round.append(node) }
            for (position, node) in round.enumerated() {
                append(TraceLine.state(target, node))
                var text = ""
                let expansion = engine.expand(node, keep: width, into: &text)
                append(text)
                if let goal = expansion.goal {
                    append(TraceLine.path(to: goal, from: start.id, target: target))
                    return (thread, goal)
                }
                let spawn = level == 0 && expansion.kept.count > 1 && engine.rng.unitDouble() < promising
                if spawn {
                    let calls = expansion.kept.map { search(from: $0, level: level + 1) }
                    thread.children.append(calls.map(\.thread))
                    let before = thread.segments[thread.segments.count - 1]
                    append(APRProtocol.spawnBlock(nodeIDs: expansion.kept.map(\.id)))
                    // The join is built by the same rules a runtime applies to model output.
                    let join = calls.map { APRProtocol.searchResult(of: $0.thread.finalText) }
                    thread.segments.append(before + APRProtocol.joinBlock(nodeIDs: expansion.kept.map(\.id), results: join))
                    if let goal = calls.lazy.compactMap(\.goal).first {
                        append(TraceLine.outcome(goal.numbers.first ?? -1, target))
                        append(TraceLine.path(to: goal, from: start.id, target: target))
                        return (thread, goal)
                    }
                } else {
                    for child in expansion.kept { open.push(child) }
                }
                if position < round.count - 1 { append(TraceLine.moving(round[position + 1].id)) }
            }
            if let next = open.first { append(TraceLine.moving(next.id)) }
        }
        append("No solution found.\n")
        return (thread, nil)
    }
}
