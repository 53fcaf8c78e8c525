/// How a seeded (idempotent) request is sent again after a transient failure: up to `maxAttempts` sends in
/// all, waiting `initialBackoff`, then that times `multiplier`, and so on between them. Requests without a seed
/// are sent once: a second answer could differ, and the run would no longer be the one recorded.
public struct RetryPolicy: Sendable, Equatable {
    /// Most sends of one request, the first included (1 = no retry).
    public var maxAttempts: Int
    /// The wait before the second send, in seconds.
    public var initialBackoff: Double
    /// Each later wait is the previous one times this.
    public var multiplier: Double

    /// Creates a policy; `maxAttempts` below 1 counts as 1.
    public init(maxAttempts: Int = 3, initialBackoff: Double = 0.2, multiplier: Double = 2) {
        self.maxAttempts = max(1, maxAttempts)
        self.initialBackoff = max(0, initialBackoff)
        self.multiplier = max(1, multiplier)
    }

    /// Never retry.
    public static let never = RetryPolicy(maxAttempts: 1)

    /// The wait after failed send number `attempt` (1-based), in seconds.
    public func backoff(after attempt: Int) -> Double {
        var wait = initialBackoff
        for _ in 1..<max(1, attempt) { wait *= multiplier }
        return wait
    }
}
