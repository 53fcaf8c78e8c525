/// Complete depth-first search over every way to combine the numbers: the ground truth for
/// "is this problem solvable?". At most 1,152 leaves for four numbers; the search works in place on
/// one buffer so that generating thousands of problems stays fast even in debug builds.
public enum ExhaustiveSolver {
    /// One solution (an operation list ending at `target`), or `nil` when none exists.
    public static func solve(numbers: [Int], target: Int) -> [Operation]? {
        var pool = numbers
        var path: [Operation] = []
        return search(&pool, pool.count, target, &path) ? path : nil
    }

    /// True when `target` can be reached from `numbers` using each exactly once.
    public static func isSolvable(numbers: [Int], target: Int) -> Bool {
        solve(numbers: numbers, target: target) != nil
    }

    /// Searches over `pool[0..<count]`. Combining positions `i < j` writes the result to `i` and
    /// moves the last live number into `j`; both are restored afterwards.
    private static func search(_ pool: inout [Int], _ count: Int, _ target: Int, _ path: inout [Operation]) -> Bool {
        if count == 1 { return pool[0] == target }
        for i in 0..<(count - 1) {
            for j in (i + 1)..<count {
                let a = pool[i], b = pool[j]
                let (large, small) = a <= b ? (b, a) : (a, b)
                let last = pool[count - 1]
                pool[j] = last
                for kind in 0..<4 {
                    let step: Operation
                    switch kind {
                    case 0:
                        guard let sum = Operator.add.apply(a, b) else { continue }
                        step = Operation(a, .add, b, sum)
                    case 1:
                        guard let product = Operator.multiply.apply(a, b) else { continue }
                        step = Operation(a, .multiply, b, product)
                    case 2: step = Operation(large, .subtract, small, large - small)
                    default:
                        guard small != 0, large % small == 0 else { continue }
                        step = Operation(large, .divide, small, large / small)
                    }
                    pool[i] = step.result
                    path.append(step)
                    if search(&pool, count - 1, target, &path) { return true }
                    path.removeLast()
                }
                pool[j] = b
                pool[i] = a
            }
        }
        return false
    }
}
