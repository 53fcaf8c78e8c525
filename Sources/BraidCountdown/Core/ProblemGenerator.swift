import BraidRandom

/// What the generator draws: how many numbers (the main difficulty knob) and their ranges.
public struct GeneratorConfig: Sendable, Equatable {
    /// How many starting numbers (2...5; APR uses 4, 3 is the easier setting).
    public var count: Int
    /// The range each starting number is drawn from, uniformly (APR: 1...99).
    public var numberRange: ClosedRange<Int>
    /// The range the target is drawn from, uniformly (APR: 10...100).
    public var targetRange: ClosedRange<Int>
    /// Thousandths of the problem space reserved for the held-out split.
    public var heldOutPerMille: UInt64

    /// APR's setting for `count` numbers: numbers 1...99, targets 10...100, 5% held out.
    public init(count: Int = 4, numberRange: ClosedRange<Int> = 1...99, targetRange: ClosedRange<Int> = 10...100,
                heldOutPerMille: UInt64 = ProblemSplit.defaultHeldOutPerMille) {
        self.count = count
        self.numberRange = numberRange
        self.targetRange = targetRange
        self.heldOutPerMille = heldOutPerMille
    }

    /// Checks the configuration, naming the first bad field.
    public func validate() throws(CountdownError) {
        guard (2...5).contains(count) else {
            throw .invalidConfig("--numbers must be between 2 and 5 (got \(count))")
        }
        guard numberRange.lowerBound >= 1 else {
            throw .invalidConfig("numbers must be at least 1 (got range \(numberRange))")
        }
        guard targetRange.lowerBound >= 2 else {
            // The search heuristic measures distance to the target's factors >= 2.
            throw .invalidConfig("targets must be at least 2 (got range \(targetRange))")
        }
        guard numberRange.upperBound <= 10_000, targetRange.upperBound <= 100_000 else {
            throw .invalidConfig("ranges too large: numbers up to 10000, targets up to 100000")
        }
        guard heldOutPerMille >= 1, heldOutPerMille <= 999 else {
            throw .invalidConfig("held-out share must be 1...999 per mille (got \(heldOutPerMille))")
        }
    }
}

/// Draws solvable, de-duplicated Countdown problems from a seed.
///
/// The stream is a pure function of (config, seed, split): numbers and target are drawn uniformly with
/// ``SplitMix64``; a draw is kept only if it belongs to the requested split (see ``ProblemSplit``), is
/// solvable, and is not a repeat (same numbers in any order and same target) of an earlier problem.
public struct ProblemGenerator: Sendable {
    /// What to draw.
    public let config: GeneratorConfig

    /// Creates a generator after validating `config`.
    public init(config: GeneratorConfig) throws(CountdownError) {
        try config.validate()
        self.config = config
    }

    /// `count` problems of `split`, numbered from 0, reproducible from `seed`.
    ///
    /// Throws when the space is too small to find that many distinct solvable problems.
    public func generate(count: Int, seed: UInt64, split: ProblemSplit) throws(CountdownError) -> [Problem] {
        guard count >= 0 else { throw .invalidConfig("--count must be non-negative (got \(count))") }
        // Mix the split into the seed so train and held-out streams are unrelated draws.
        var rng = SplitMix64(seed: seed ^ stableHash(split.rawValue))
        var seen: Set<String> = []
        var problems: [Problem] = []
        problems.reserveCapacity(count)
        var misses = 0
        // A generous budget: even the smallest sensible spaces keep well above one hit in 2,000 draws.
        let maxMisses = 2_000 + 200 * count
        while problems.count < count {
            let numbers = (0..<config.count).map { _ in rng.int(in: config.numberRange) }
            let target = rng.int(in: config.targetRange)
            let probe = Problem(id: "", numbers: numbers, target: target, split: split)
            let key = probe.canonicalKey
            guard ProblemSplit.of(canonicalKey: key, heldOutPerMille: config.heldOutPerMille) == split,
                  !seen.contains(key),
                  let solution = ExhaustiveSolver.solve(numbers: numbers, target: target)
            else {
                misses += 1
                if misses > maxMisses {
                    throw .invalidConfig("""
                        could only find \(problems.count) distinct solvable \(split.rawValue) problems \
                        (asked for \(count)); widen the number or target range
                        """)
                }
                continue
            }
            seen.insert(key)
            let id = "cd\(config.count)-\(split.rawValue)-s\(seed)-" + zeroPadded(problems.count, width: 6)
            problems.append(Problem(id: id, numbers: numbers, target: target, split: split,
                                    solution: solution.map(\.description).joined(separator: ", ")))
        }
        return problems
    }
}

/// `value` in decimal, left-padded with zeros to `width` digits.
func zeroPadded(_ value: Int, width: Int) -> String {
    let digits = String(value)
    return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
}
