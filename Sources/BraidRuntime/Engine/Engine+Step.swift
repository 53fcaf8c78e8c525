import BraidPlan
import BraidTransformer
import Foundation

/// The rows one forward pass computes for a run: the pending tokens of some of its threads.
struct ForwardGroup {
    /// The threads whose pending tokens the rows are, in row order.
    let threads: [RunThread]
    /// Every pending token of those threads, thread by thread.
    let tokens: [QueryToken]
    /// The batch index of each thread's last token (the rows it samples from), in thread order.
    let logitRows: [Int]
}

/// One scheduler step of a run: its working threads and the forward passes that serve them (one group
/// when threads are batched, one per thread when they are scheduled sequentially).
struct EngineStep {
    /// Threads with tokens to write this step.
    let workers: [RunThread]
    /// The forward passes of the step, in order.
    let groups: [ForwardGroup]
}

/// What a forward pass returned for one group: a logits row per thread (in the group's thread order), its
/// wall time, and the run's KV usage right after it.
struct ForwardOutcome {
    /// Rows in the order of `ForwardGroup.logitRows`.
    let logits: Logits
    /// Wall time of the pass that computed it (shared with other runs when several run together).
    let seconds: Double
    /// The run's KV occupancy after the pass.
    let usage: KVUsage
}

/// The scheduler loop, cut at the forward pass so that a driver can put several runs' rows into one pass:
/// `start()`, then `nextStep()` → forward each group → `complete(_:with:)` until `nextStep()` returns nil,
/// then `finishRun()`. `run()` is that loop for a run that has the model to itself.
extension Engine {
    /// Runs the graph to the end with one forward pass per group.
    func run() throws -> RunResult {
        try start()
        while let step = try nextStep() {
            try complete(step, with: try step.groups.map(forward))
        }
        return try finishRun()
    }

    /// Emits the run's header and starts the main thread on its program in the plan (the prompt, then the rest).
    func start() throws {
        began = Date()
        emit(.run(RunInfo(step: 0, graph: plan.graph, inputs: inputs, params: plan.params,
                          seed: options.seed, scheduling: options.scheduling.rawValue)))
        main = makeThread(name: Naming.mainThread, parent: nil, kind: "main", depth: 0,
                          program: program(of: Naming.mainThread), variables: inputs, origin: nil)
    }

    /// Advances every thread's program; returns the rows the next step computes, or nil when the run is over.
    func nextStep() throws -> EngineStep? {
        guard let main else { throw RunError.stalled("the run was not started") }
        try advanceAll()
        if main.isDone { return nil }
        let workers = threads.filter { !$0.isDone && !$0.pending.isEmpty }
        guard !workers.isEmpty else {
            let waiting = threads.filter { !$0.isDone }.map(\.name).joined(separator: ", ")
            throw RunError.stalled("threads \(waiting) wait, but none has anything to compute")
        }
        let groups = options.scheduling == .batched ? [workers] : workers.map { [$0] }
        return EngineStep(workers: workers, groups: try groups.map(forwardGroup))
    }

    /// Runs every ready thread's program until it has tokens to write, waits, or is done; repeats while
    /// one thread's progress (a finished branch, a joined child) readies another.
    func advanceAll() throws {
        var changed = true
        while changed {
            changed = false
            var i = 0
            while i < threads.count {
                let thread = threads[i]
                if case .ready = thread.phase {
                    try advance(thread)
                    changed = true
                }
                i += 1
            }
        }
    }

    /// The query rows of some threads' pending tokens, each at its thread's next positions in its open segment.
    func forwardGroup(_ group: [RunThread]) throws -> ForwardGroup {
        var batch: [QueryToken] = []
        var last: [Int] = []
        for thread in group {
            guard let segment = thread.current, let view = segment.view else {
                throw RunError.stalled("thread '\(thread.name)' has tokens to write but no open segment")
            }
            for (k, pending) in thread.pending.enumerated() {
                batch.append(QueryToken(token: pending.token, position: thread.nextPosition + k, segment: segment.kv, view: view))
            }
            last.append(batch.count - 1)
        }
        return ForwardGroup(threads: group, tokens: batch, logitRows: last)
    }

    /// One forward pass of a group on this run's model.
    func forward(_ group: ForwardGroup) throws -> ForwardOutcome {
        let started = Date()
        do {
            let logits = try model.forward(group.tokens, logitRows: .rows(group.logitRows))
            return ForwardOutcome(logits: logits, seconds: Date().timeIntervalSince(started), usage: model.kvUsage)
        } catch {
            throw RunError.model(thread: group.threads.count == 1 ? group.threads[0].name : nil, reason: "\(error)")
        }
    }

    /// Takes the step's logits: records each pass, writes every pending token, then lets each decoding
    /// thread sample its next token (or end its decode), and each prefilling thread move on.
    func complete(_ step: EngineStep, with outcomes: [ForwardOutcome]) throws {
        var rows: [Int: [Float]] = [:]
        for (group, outcome) in zip(step.groups, outcomes) {
            forwardSeconds += outcome.seconds
            forwards += 1
            let usage = outcome.usage
            peakKVBytes = max(peakKVBytes, usage.peakBytes, usage.bytes)
            emit(.forward(ForwardInfo(step: self.step, batch: group.tokens.count, threads: group.threads.map(\.name),
                                      ms: outcome.seconds * 1000, kvBlocks: usage.blocks, kvBytes: usage.bytes)))
            for (r, thread) in group.threads.enumerated() { rows[thread.index] = Array(outcome.logits.row(r)) }
        }
        try process(step.workers, rows: rows)
        self.step += 1
    }

    /// Records every write first, so a thread stopped by another's progress still shows what it wrote;
    /// then samples or moves each thread on.
    private func process(_ workers: [RunThread], rows: [Int: [Float]]) throws {
        for thread in workers {
            guard let segment = thread.current else { continue }
            let positions = Array(thread.nextPosition..<(thread.nextPosition + thread.pending.count))
            for pending in thread.pending { segment.append(pending.token, text: pending.text) }
            written += thread.pending.count
            emit(.tokens(TokensWritten(step: step, thread: thread.name, segment: segment.name,
                                       ids: thread.pending.map(\.token), positions: positions,
                                       text: thread.pending.map(\.text).joined(), sampled: thread.pendingSampled)))
            thread.nextPosition += thread.pending.count
            thread.pending = []
            thread.lastLogits = rows[thread.index]
        }
        for thread in workers where !thread.isDone {
            if let decode = thread.decode {
                if let ending = decode.ending {
                    try endDecode(thread, reason: ending)
                } else if let logits = thread.lastLogits {
                    try sampleNext(thread, logits: logits)
                }
            } else {
                try closeSegment(thread)
                thread.phase = .ready
            }
        }
    }

    /// Stops what still runs, extracts the answer and emits the run's end.
    func finishRun() throws -> RunResult {
        guard let main else { throw RunError.stalled("the run was not started") }
        for thread in threads where !thread.isDone { try finish(thread, reason: "run-end") }
        try releaseAll()
        let answer = try extractAnswer(main: main)
        let seconds = Date().timeIntervalSince(began)
        let sampled = threads.reduce(0) { $0 + $1.sampledTotal }
        emit(.end(RunEnd(step: step, answer: answer, sampled: sampled, written: written, ms: seconds * 1000,
                         peakKVBytes: peakKVBytes)))
        return RunResult(answer: answer, finalText: main.own.dropFirst().map(\.text).joined(),
                         threads: threads.map(result(of:)), outputs: outputs(of: main), votes: votes,
                         stats: RunStats(steps: step, forwards: forwards, sampled: sampled, written: written,
                                         seconds: seconds, forwardSeconds: forwardSeconds, peakKVBytes: peakKVBytes))
    }
}
