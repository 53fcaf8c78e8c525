import Foundation

/// A two-sided confidence interval for a proportion.
public struct ProportionInterval: Sendable, Equatable, Codable {
    /// Lower bound, in [0, 1].
    public var lower: Double
    /// Upper bound, in [0, 1].
    public var upper: Double

    /// Creates an interval.
    public init(lower: Double, upper: Double) {
        self.lower = lower
        self.upper = upper
    }
}

/// The summary statistics the eval table reports.
public enum EvalStatistics {
    /// z for a two-sided 95% interval (the 0.975 quantile of the standard normal).
    public static let z95 = 1.959963984540054

    /// The Wilson score interval for `successes` out of `trials`.
    ///
    /// Chosen over the normal ("Wald") interval because eval runs are small and accuracies sit near 0 or 1,
    /// where Wald collapses to a zero-width interval (0/20 → [0, 0]); Wilson gives [0, 0.161] there.
    /// With no trials the interval is the whole of [0, 1].
    public static func wilson(successes: Int, trials: Int, z: Double = z95) -> ProportionInterval {
        guard trials > 0 else { return ProportionInterval(lower: 0, upper: 1) }
        let n = Double(trials)
        let p = Double(min(max(successes, 0), trials)) / n
        let z2 = z * z
        let denominator = 1 + z2 / n
        let center = (p + z2 / (2 * n)) / denominator
        let half = z * (p * (1 - p) / n + z2 / (4 * n * n)).squareRoot() / denominator
        return ProportionInterval(lower: max(0, center - half), upper: min(1, center + half))
    }

    /// The arithmetic mean, or nil for no values.
    public static func mean(_ values: [Double]) -> Double? {
        values.isEmpty ? nil : values.reduce(0, +) / Double(values.count)
    }

    /// The `p`-th percentile (0 < p ≤ 100) by the nearest-rank method: the smallest value with at least p% of
    /// the values at or below it. It is always one of the values (a p90 wall time is a time a run really took).
    /// Nil for no values.
    public static func percentile(_ values: [Double], _ p: Double) -> Double? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        // p·n/100 (not p/100·n): 90·20/100 is exactly 18, 0.9·20 need not be.
        let rank = Int((min(max(p, 0), 100) * Double(sorted.count) / 100).rounded(.up))
        return sorted[min(max(rank, 1), sorted.count) - 1]
    }
}
