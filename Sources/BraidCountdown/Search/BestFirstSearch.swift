import BraidRandom

/// The shared engine of the sequential solvers: APR's SoS+ search (`sosp`): best-first over a priority
/// queue, `beam` nodes expanded per round and `beam` best children kept per node, with a chance
/// (`promising`) per expansion of diving depth-first into the kept children inline
/// (`Start Sub Search at level k: …` / `Exit Sub Search at level k`).
///
/// Every random choice (child order, whether to dive) comes from one ``SplitMix64`` in a fixed order,
/// so a trace is a pure function of (problem, settings, seed).
struct BestFirstSearch {
    let target: Int
    let scorer: Heuristic
    /// Nodes expanded per round and children kept per node.
    let beam: Int
    /// Probability that an expansion dives into its children (SoS+ uses 0.5; 0 gives plain best-first).
    let promising: Double
    var rng: SplitMix64

    init(target: Int, beam: Int, promising: Double, rng: SplitMix64) {
        self.target = target
        scorer = Heuristic(target: target)
        self.beam = max(1, beam)
        self.promising = promising
        self.rng = rng
    }

    /// Searches from the root of `numbers`; the text starts with the root's `Current State` line.
    mutating func run(numbers: [Int]) -> (text: String, solved: Bool) {
        search(from: SearchNode(root: numbers, scorer: scorer), level: 0)
    }

    private mutating func search(from start: SearchNode, level: Int) -> (text: String, solved: Bool) {
        var text = ""
        var open = NodeQueue()
        open.push(start)
        while !open.isEmpty {
            var round: [SearchNode] = []
            while round.count < beam, let node = open.pop() { round.append(node) }
            for (position, node) in round.enumerated() {
                text += TraceLine.state(target, node)
                let expansion = expand(node, into: &text)
                if let goal = expansion.goal {
                    text += TraceLine.path(to: goal, from: "0", target: target)
                    return (text, true)
                }
                let dive = rng.unitDouble() < promising
                for child in expansion.kept {
                    guard dive else {
                        open.push(child)
                        continue
                    }
                    text += "Start Sub Search at level \(level + 1): Moving to Node #\(child.id)\n"
                    let sub = search(from: child, level: level + 1)
                    text += sub.text + "Exit Sub Search at level \(level + 1)\n"
                    if sub.solved { return (text, true) }
                    text += "No solution found in sub search\n"
                }
                if position < round.count - 1 { text += TraceLine.moving(round[position + 1].id) }
            }
            if let next = open.first { text += TraceLine.moving(next.id) }
        }
        text += "No solution found.\n"
        return (text, false)
    }

    /// Expands `node` the way all Countdown solvers do and writes its `Exploring`/`Generated` lines:
    /// keep the `keep` best successors (stable by score), shuffle them, number the non-terminal ones
    /// `node,0`, `node,1`, … in that order, and stop at the first child that equals the target.
    /// Returns the goal child if one was hit, else the kept non-terminal children sorted by score.
    mutating func expand(_ node: SearchNode, keep: Int? = nil, into text: inout String) -> (kept: [SearchNode], goal: SearchNode?) {
        var candidates = stableSortedByScore(node.candidates(scorer: scorer), score: \.score)
        if candidates.count > keep ?? beam { candidates.removeLast(candidates.count - (keep ?? beam)) }
        rng.shuffle(&candidates)
        let children = candidates.map(node.child)
        var kept: [SearchNode] = []
        for var child in children {
            child.assign(id: "\(node.id),\(kept.count)")
            text += TraceLine.exploring(child)
            if child.numbers.count == 1 {
                text += TraceLine.outcome(child.numbers[0], target)
                if child.numbers[0] == target { return (kept, child) }
            } else {
                text += TraceLine.generated(target, child)
                kept.append(child)
            }
        }
        return (stableSortedByScore(kept, score: \.score), nil)
    }
}

/// Sorts by score, keeping the original order among equal scores (like Python's stable `sort`).
/// Insertion sort: the lists are short (at most 40 successors) and it is stable by construction.
func stableSortedByScore<T>(_ items: [T], score: (T) -> Int) -> [T] {
    var sorted = items
    guard sorted.count > 1 else { return sorted }
    for index in 1..<sorted.count {
        let item = sorted[index]
        let key = score(item)
        var slot = index
        while slot > 0, score(sorted[slot - 1]) > key {
            sorted[slot] = sorted[slot - 1]
            slot -= 1
        }
        sorted[slot] = item
    }
    return sorted
}
