/// At most `limit` requests in flight (`--concurrency`): `acquire` waits for a free place, `release` hands one on.
/// A task cancelled while it waits (a branch stopped by its fork's finish rule) leaves the queue at once. Runs that
/// share one limiter (`braid eval --backend`: problems run together) share its places.
public actor RequestLimiter {
    private var free: Int
    private var waiters: [(id: Int, continuation: CheckedContinuation<Void, any Error>)] = []
    private var nextID = 0

    /// A limiter with `limit` places (at least 1).
    public init(limit: Int) {
        free = max(1, limit)
    }

    /// Takes a place, waiting in order for one to free up; throws `CancellationError` if cancelled while waiting.
    func acquire() async throws {
        try Task.checkCancellation()
        if free > 0 {
            free -= 1
            return
        }
        let id = nextID
        nextID += 1
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                if Task.isCancelled {
                    continuation.resume(throwing: CancellationError())
                } else {
                    waiters.append((id, continuation))
                }
            }
        } onCancel: {
            Task { await self.cancelWaiter(id) }
        }
    }

    /// Gives a place back: to the longest waiter, else to the pool.
    func release() {
        if waiters.isEmpty {
            free += 1
        } else {
            waiters.removeFirst().continuation.resume()
        }
    }

    private func cancelWaiter(_ id: Int) {
        guard let index = waiters.firstIndex(where: { $0.id == id }) else { return }
        waiters.remove(at: index).continuation.resume(throwing: CancellationError())
    }
}
