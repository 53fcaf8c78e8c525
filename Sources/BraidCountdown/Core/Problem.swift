import BraidRandom

/// A Countdown problem: reach `target` from `numbers` with `+`, `*`, larger-minus-smaller and exact
/// division, using every number exactly once.
public struct Problem: Sendable, Hashable, Codable {
    /// A stable identifier (`cd4-train-s1-000042`); traces and eval results refer to it.
    public var id: String
    /// The starting numbers, in the order they are shown to the model.
    public var numbers: [Int]
    /// The number to reach.
    public var target: Int
    /// Which split the problem belongs to.
    public var split: ProblemSplit
    /// One known solution as an operation list (`8-6=2, 1+4=5, 2*5=10`), or `nil` when unknown.
    public var solution: String?

    /// Creates a problem.
    public init(id: String, numbers: [Int], target: Int, split: ProblemSplit = .train, solution: String? = nil) {
        self.id = id
        self.numbers = numbers
        self.target = target
        self.split = split
        self.solution = solution
    }

    /// The order-free identity of the problem (`10:[1, 4, 6, 8]`, numbers sorted): two problems with
    /// the same key are the same puzzle, so de-duplication and split assignment use it.
    public var canonicalKey: String { "\(target):\(pythonList(numbers.sorted()))" }

    /// The root search state as the traces print it: `10:[1, 4, 6, 8]`.
    public var stateText: String { "\(target):\(pythonList(numbers))" }
}

/// The two problem splits. Membership is a pure function of the problem (see ``ProblemSplit/of(_:heldOutPerMille:)``),
/// so a held-out problem can never appear in train, whatever seeds or counts were used.
public enum ProblemSplit: String, Sendable, Codable, CaseIterable {
    /// Problems for training (solver traces, fine-tuning).
    case train
    /// Problems kept out of training, for evaluation.
    case heldout

    /// The default share of the problem space reserved for held-out, in thousandths.
    public static let defaultHeldOutPerMille: UInt64 = 50

    /// The split a problem belongs to: a stable hash of its canonical key decides, so about
    /// `heldOutPerMille`/1000 of all possible puzzles are held out.
    public static func of(canonicalKey: String, heldOutPerMille: UInt64 = defaultHeldOutPerMille) -> ProblemSplit {
        stableHash(canonicalKey, salt: 0x5EED_5B17) % 1000 < heldOutPerMille ? .heldout : .train
    }
}
