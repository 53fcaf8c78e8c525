import BraidPlan
import BraidServing
import BraidServingRuntime
import BraidServingSession
import Foundation

/// `braid eval --backend`: many served runs (one per problem) at once. They share one HTTP client and one
/// `RequestLimiter`, so `--concurrency` bounds the requests in flight across all of them; each run writes its
/// request trace to its own file, as it goes.
enum BackendEval {
    /// One run: its plan and options.
    struct Run: Sendable {
        var plan: Plan
        var options: ServingOptions
    }

    /// Runs `runs` on the server at `url`, at most `width` at once (the next starts as one ends), every request under
    /// one limiter of `concurrency` places. Run i's request trace goes to `traces[i]` (nil: none). `done` gets each
    /// run's outcome on the calling thread as it ends; when `done` throws, the runs still going are cancelled and
    /// the error is rethrown once they have stopped.
    static func runMany(_ runs: [Run], traces: [String?], url: String, width: Int, concurrency: Int,
                        renderer: TokenizerPromptRenderer,
                        done: (Int, Result<ServingRunResult, any Error>) throws -> Void) throws {
        let inbox = Inbox()
        let task = Task {
            let configuration = ClientConfiguration(maxConnections: max(64, concurrency))
            do {
                try await CompletionsClient.with(baseURL: url, configuration: configuration) { client in
                    let limiter = RequestLimiter(limit: concurrency)
                    await withTaskGroup(of: Void.self) { group in
                        func start(_ index: Int) {
                            group.addTask {
                                let outcome = await run(runs[index], trace: index < traces.count ? traces[index] : nil,
                                                        client: client, limiter: limiter, renderer: renderer)
                                inbox.put(index, outcome)
                            }
                        }
                        var next = 0
                        while next < min(max(1, width), runs.count) {
                            start(next)
                            next += 1
                        }
                        while await group.next() != nil {
                            guard next < runs.count, !Task.isCancelled else { continue }
                            start(next)
                            next += 1
                        }
                    }
                }
            } catch {
                inbox.fail(error)
            }
            inbox.finish()
        }
        var received = 0
        while received < runs.count, let item = inbox.take() {
            received += 1
            do {
                try done(item.0, item.1)
            } catch {
                task.cancel()
                while inbox.take() != nil {}
                throw error
            }
        }
        if let error = inbox.failure { throw CLIFailure(.runFailure, "error: \(error)") }
    }

    /// One run with its request trace written as it goes (a failed run keeps the requests it completed).
    static func run(_ run: Run, trace: String?, client: CompletionsClient, limiter: RequestLimiter,
                    renderer: TokenizerPromptRenderer) async -> Result<ServingRunResult, any Error> {
        let writer: RequestTraceWriter?
        do {
            writer = try trace.map { try RequestTraceWriter(path: $0) }
        } catch {
            return .failure(CLIFailure(.invalidInput, "error: can't write the request trace \(trace ?? ""): \(error)"))
        }
        defer { writer?.close() }
        do {
            return .success(try await ServingExecutor.run(plan: run.plan, client: client, options: run.options,
                                                          renderer: renderer, limiter: limiter,
                                                          observer: { writer?.write($0) }))
        } catch {
            return .failure(error)
        }
    }

    /// Hands finished runs from the async runs to the waiting command, one at a time.
    final class Inbox: @unchecked Sendable {
        private let lock = NSLock()
        private let ready = DispatchSemaphore(value: 0)
        private var items: [(Int, Result<ServingRunResult, any Error>)] = []
        private var finished = false
        private var failed: (any Error)?

        /// Why the runs could not start (no client), if they could not.
        var failure: (any Error)? { lock.withLock { failed } }

        func put(_ index: Int, _ outcome: Result<ServingRunResult, any Error>) {
            lock.withLock { items.append((index, outcome)) }
            ready.signal()
        }

        func fail(_ error: any Error) { lock.withLock { failed = error } }

        /// No more items will come.
        func finish() {
            lock.withLock { finished = true }
            ready.signal()
        }

        /// The next item, waiting for one; nil once no more will come.
        func take() -> (Int, Result<ServingRunResult, any Error>)? {
            while true {
                ready.wait()
                let item: (Int, Result<ServingRunResult, any Error>)?? = lock.withLock {
                    if !items.isEmpty { return .some(items.removeFirst()) }
                    return finished ? .some(nil) : nil
                }
                if let item { return item }
            }
        }
    }
}
