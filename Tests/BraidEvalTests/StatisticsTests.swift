import BraidEval
import Testing

/// The accuracy interval and the latency percentile of the eval table.
@Suite("Eval statistics")
struct StatisticsTests {
    // Reference intervals: Newcombe (1998), "Two-sided confidence intervals for the single proportion",
    // Statistics in Medicine 17, Table I, method 3 (Wilson score, no continuity correction), 4 decimals.
    @Test("Wilson intervals match Newcombe's published examples", arguments: [
        (81, 263, 0.2553, 0.3662),
        (15, 148, 0.0624, 0.1605),
        (0, 20, 0.0, 0.1611),
        (1, 29, 0.0061, 0.1718),
    ])
    func wilsonReferences(successes: Int, trials: Int, lower: Double, upper: Double) {
        let interval = EvalStatistics.wilson(successes: successes, trials: trials)
        #expect(abs(interval.lower - lower) < 1e-4, "lower bound of \(successes)/\(trials)")
        #expect(abs(interval.upper - upper) < 1e-4, "upper bound of \(successes)/\(trials)")
    }

    @Test("Wilson intervals contain the observed proportion, stay in [0, 1], mirror k and n-k, and narrow with n")
    func wilsonProperties() {
        for n in [1, 2, 5, 20, 200] {
            for k in 0...n {
                let interval = EvalStatistics.wilson(successes: k, trials: n)
                let p = Double(k) / Double(n)
                #expect(interval.lower >= 0 && interval.upper <= 1)
                #expect(interval.lower <= p + 1e-12 && p <= interval.upper + 1e-12)
                let mirror = EvalStatistics.wilson(successes: n - k, trials: n)
                #expect(abs(interval.lower - (1 - mirror.upper)) < 1e-12)
            }
        }
        let small = EvalStatistics.wilson(successes: 5, trials: 10)
        let large = EvalStatistics.wilson(successes: 50, trials: 100)
        #expect(large.upper - large.lower < small.upper - small.lower)
        // 0/n: the upper bound is z²/(n + z²) in closed form.
        let z2 = EvalStatistics.z95 * EvalStatistics.z95
        #expect(abs(EvalStatistics.wilson(successes: 0, trials: 20).upper - z2 / (20 + z2)) < 1e-12)
        #expect(EvalStatistics.wilson(successes: 0, trials: 0) == ProportionInterval(lower: 0, upper: 1))
    }

    @Test("p90 is the nearest-rank percentile: always one of the values, at least 90% at or below it")
    func percentile() {
        let ten = (1...10).map(Double.init)
        #expect(EvalStatistics.percentile(ten, 90) == 9)
        #expect(EvalStatistics.percentile(ten.reversed(), 90) == 9, "order does not matter")
        #expect(EvalStatistics.percentile((1...20).map(Double.init), 90) == 18)
        #expect(EvalStatistics.percentile([4.5], 90) == 4.5)
        #expect(EvalStatistics.percentile([], 90) == nil)
        #expect(EvalStatistics.percentile([1, 2, 3], 100) == 3)
        for n in 1...40 {
            let values = (0..<n).map { Double(($0 * 7919) % 101) }
            guard let p90 = EvalStatistics.percentile(values, 90) else { continue }
            #expect(values.contains(p90))
            #expect(Double(values.filter { $0 <= p90 }.count) >= 0.9 * Double(n))
            #expect(Double(values.filter { $0 < p90 }.count) < 0.9 * Double(n))
        }
        #expect(EvalStatistics.mean([1, 2, 6]) == 3)
        #expect(EvalStatistics.mean([]) == nil)
    }
}
