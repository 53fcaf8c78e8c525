/// A node of the Countdown search tree, as the solver traces name and print it.
struct SearchNode: Sendable {
    /// The node id as the traces print it: `0` for the root, then `,k` per level (`0,0,1`).
    var id: String
    /// The numbers still available.
    var numbers: [Int]
    /// The steps from the root to here.
    var operations: [Operation]
    /// The heuristic score (lower is more promising).
    var score: Int
    /// Ids and numbers of every node from the root to this one (inclusive); `trail[d]` has the
    /// first `d` operations. Used to restate the path when the goal is reached.
    var trail: [(id: String, numbers: [Int])]

    /// The root node of `problem`.
    init(root numbers: [Int], scorer: Heuristic) {
        id = "0"
        self.numbers = numbers
        operations = []
        score = scorer.score(numbers)
        trail = [(id, numbers)]
    }

    private init(id: String, numbers: [Int], operations: [Operation], score: Int, trail: [(id: String, numbers: [Int])]) {
        self.id = id
        self.numbers = numbers
        self.operations = operations
        self.score = score
        self.trail = trail
    }

    /// Every successor as a cheap description (no arrays built), in APR's order: pairs `(i, j)` with
    /// `i < j` in index order, then the allowed operations of the pair. Scores are computed from the
    /// parent's per-number distances, so pruning costs no allocation per child.
    func candidates(scorer: Heuristic) -> [Candidate] {
        let distances = numbers.map(scorer.distance)
        let total = distances.reduce(0, +)
        var out: [Candidate] = []
        out.reserveCapacity(numbers.count * (numbers.count - 1) * 2)
        for i in 0..<numbers.count {
            for j in (i + 1)..<numbers.count {
                let base = total - distances[i] - distances[j]
                for step in allowedOperations(numbers[i], numbers[j]) {
                    out.append(Candidate(first: i, second: j, step: step, score: base + scorer.distance(step.result)))
                }
            }
        }
        return out
    }

    /// The child a candidate describes: the pair removed, the result appended. Its id is not set yet.
    func child(_ candidate: Candidate) -> SearchNode {
        var next: [Int] = []
        next.reserveCapacity(numbers.count - 1)
        for (index, value) in numbers.enumerated() where index != candidate.first && index != candidate.second {
            next.append(value)
        }
        next.append(candidate.step.result)
        return SearchNode(id: "", numbers: next, operations: operations + [candidate.step], score: candidate.score, trail: trail)
    }

    /// Gives the node its id (`parent,k`) and records it on its trail.
    mutating func assign(id newID: String) {
        id = newID
        trail.append((newID, numbers))
    }

    /// The last step (the one that produced this node); the root has none.
    var lastOperation: Operation? { operations.last }
}

/// APR's `mult_heuristic`: for each number, the distance to the nearest factor (>= 2) of the target,
/// summed. Small when the numbers are close to things that multiply into the target.
struct Heuristic: Sendable {
    let target: Int
    private let factors: [Int]

    init(target: Int) {
        self.target = target
        let found = (2...max(2, target)).filter { target % $0 == 0 }
        factors = found.isEmpty ? [target] : found
    }

    func score(_ numbers: [Int]) -> Int {
        numbers.reduce(0) { $0 + distance($1) }
    }

    /// Distance from `number` to the nearest factor, capped so that sums of a few cannot overflow.
    func distance(_ number: Int) -> Int {
        var best = Heuristic.cap
        for factor in factors where number >= 0 { best = min(best, abs(number - factor)) }
        return best
    }

    /// The largest distance counted (far beyond any real Countdown number).
    static let cap = 1 << 40
}

/// A successor before it is built: which pair, which step, and the child's score.
struct Candidate: Sendable {
    var first: Int
    var second: Int
    var step: Operation
    var score: Int
}

/// A min-priority queue of nodes by (score, insertion order): ties go to the node queued first, which
/// makes the search fully deterministic (Python's `heapq` leaves tie order to the heap layout).
struct NodeQueue: Sendable {
    private var heap: [(score: Int, order: Int, node: SearchNode)] = []
    private var counter = 0

    var isEmpty: Bool { heap.isEmpty }
    var count: Int { heap.count }

    /// The best node without removing it.
    var first: SearchNode? { heap.first?.node }

    mutating func push(_ node: SearchNode) {
        heap.append((node.score, counter, node))
        counter += 1
        var child = heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard less(child, parent) else { break }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    mutating func pop() -> SearchNode? {
        guard !heap.isEmpty else { return nil }
        heap.swapAt(0, heap.count - 1)
        let best = heap.removeLast().node
        var parent = 0
        while true {
            let left = 2 * parent + 1, right = left + 1
            var smallest = parent
            if left < heap.count, less(left, smallest) { smallest = left }
            if right < heap.count, less(right, smallest) { smallest = right }
            guard smallest != parent else { break }
            heap.swapAt(parent, smallest)
            parent = smallest
        }
        return best
    }

    private func less(_ a: Int, _ b: Int) -> Bool {
        (heap[a].score, heap[a].order) < (heap[b].score, heap[b].order)
    }
}

/// The line formats every search trace shares (SoS+, APR parents and children, ParaThinker paths).
enum TraceLine {
    static func state(_ target: Int, _ node: SearchNode) -> String {
        "Current State: \(target):\(pythonList(node.numbers)), Operations: \(pythonList(node.operations))\n"
    }

    static func exploring(_ node: SearchNode) -> String {
        "Exploring Operation: \(node.lastOperation?.description ?? ""), Resulting Numbers: \(pythonList(node.numbers))\n"
    }

    static func generated(_ target: Int, _ node: SearchNode) -> String {
        "Generated Node #\(node.id): \(target):\(pythonList(node.numbers)) Operation: \(node.lastOperation?.description ?? "")\n"
    }

    static func moving(_ id: String) -> String { "Moving to Node #\(id)\n" }

    static func outcome(_ value: Int, _ target: Int) -> String {
        value == target ? "\(value),\(target) equal: Goal Reached\n" : "\(value),\(target) unequal: No Solution\n"
    }

    /// Restates the path from the node with id `startID` (on `goal`'s trail) down to `goal`:
    /// per node a `Moving to`/`Current State` pair and the step to the next node, ending in the goal line.
    static func path(to goal: SearchNode, from startID: String, target: Int) -> String {
        let trail = goal.trail
        let startDepth = trail.firstIndex(where: { $0.id == startID }) ?? 0
        var text = ""
        for depth in startDepth..<(trail.count - 1) {
            let here = trail[depth], next = trail[depth + 1]
            let step = goal.operations[depth]
            text += moving(here.id)
            text += "Current State: \(target):\(pythonList(here.numbers)), Operations: \(pythonList(Array(goal.operations.prefix(depth))))\n"
            text += "Exploring Operation: \(step), Resulting Numbers: \(pythonList(next.numbers))\n"
            if depth + 1 == trail.count - 1 {
                text += outcome(next.numbers.first ?? -1, target)
            } else {
                text += "Generated Node #\(next.id): \(target):\(pythonList(next.numbers)) Operation: \(step)\n"
            }
        }
        return text
    }
}
