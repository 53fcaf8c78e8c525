import BraidTransformer
import Foundation

/// Several runs on one model at once: every scheduler step, the rows of every live run go into one forward
/// pass (`Transformer.forward(parts:kv:)`), each run gets back its own logits, and a run that ends frees its
/// slot for the next request (continuous batching across runs).
///
/// Each run keeps everything that makes it a run of its own: its engine (threads, seeded samplers, trace),
/// its KV segments and accounting (`SharedRunModel`), its memory limit. Its rows' logits are bit-identical to
/// a pass of its rows alone, so its trace is the one it would have alone, but for wall times.
final class MultiRun {
    /// A run in a slot.
    private final class Live {
        let index: Int
        let engine: Engine
        let share: SharedRunModel
        /// Reported as done (finished or failed); its slot frees after this step.
        var ended = false

        init(index: Int, engine: Engine, share: SharedRunModel) {
            self.index = index
            self.engine = engine
            self.share = share
        }
    }

    let host: TransformerModel
    let width: Int
    /// Makes the engine of request `index` on its share of the host, or throws why it can't start.
    let start: (Int, SharedRunModel) throws -> Engine
    /// Told when a request ends, with its result or why it failed; a throw stops everything.
    let done: (Int, Result<RunResult, RunError>) throws -> Void
    let makeShare: () -> SharedRunModel

    init(host: TransformerModel, width: Int, byteLimit: Int?,
         start: @escaping (Int, SharedRunModel) throws -> Engine,
         done: @escaping (Int, Result<RunResult, RunError>) throws -> Void) {
        self.host = host
        self.width = max(1, width)
        self.start = start
        self.done = done
        makeShare = { SharedRunModel(host: host, byteLimit: byteLimit) }
    }

    /// Runs requests `0..<count`, at most `width` at a time, starting them in order.
    func run(count: Int) throws {
        var live: [Live] = []
        var next = 0
        while true {
            while live.count < width, next < count {
                if let run = try begin(next) { live.append(run) }
                next += 1
            }
            if live.isEmpty { return }
            var steps: [(run: Live, step: EngineStep)] = []
            for run in live {
                do {
                    if let step = try run.engine.nextStep() {
                        steps.append((run, step))
                    } else {
                        let result = try run.engine.finishRun()
                        try end(run, .success(result))
                    }
                } catch {
                    try end(run, .failure(Self.runError(error)))
                }
            }
            let outcomes = try forwardAll(steps)
            for (run, step) in steps {
                guard let outcome = outcomes[run.index] else { continue }
                do {
                    try run.engine.complete(step, with: outcome)
                } catch {
                    try end(run, .failure(Self.runError(error)))
                }
            }
            live.removeAll(where: \.ended)
        }
    }

    /// Starts request `index`, or reports why it can't start.
    private func begin(_ index: Int) throws -> Live? {
        let share = makeShare()
        do {
            let engine = try start(index, share)
            try engine.start()
            return Live(index: index, engine: engine, share: share)
        } catch {
            try share.releaseAll()
            try done(index, .failure(Self.runError(error)))
            return nil
        }
    }

    /// Reports a run's end and returns what it still holds in the shared store.
    private func end(_ run: Live, _ result: Result<RunResult, RunError>) throws {
        run.ended = true
        try run.share.releaseAll()
        try done(run.index, result)
    }

    /// The steps' passes: the k-th group of every run's step goes into the k-th pass (one pass when runs batch
    /// their threads). A run over its memory limit fails alone, before the pass; it gets no outcome.
    private func forwardAll(_ steps: [(run: Live, step: EngineStep)]) throws -> [Int: [ForwardOutcome]] {
        var outcomes: [Int: [ForwardOutcome]] = [:]
        for (run, _) in steps { outcomes[run.index] = [] }
        let passes = steps.map(\.step.groups.count).max() ?? 0
        for k in 0..<passes {
            var members: [(run: Live, group: ForwardGroup)] = []
            for (run, step) in steps where k < step.groups.count && outcomes[run.index] != nil {
                let group = step.groups[k]
                do {
                    try run.share.checkBudget(group.tokens)
                    members.append((run, group))
                } catch {
                    outcomes[run.index] = nil
                    try end(run, .failure(.model(thread: group.threads.count == 1 ? group.threads[0].name : nil, reason: "\(error)")))
                }
            }
            guard !members.isEmpty else { continue }
            let parts = members.map { ForwardPart(batch: $0.group.tokens, logitRows: .rows($0.group.logitRows)) }
            let started = Date()
            let logits: [Logits]
            do {
                logits = try host.transformer.forward(parts: parts, kv: host.kv)
            } catch {
                // The runs' rows were checked one by one; a pass that still fails takes all of its runs down.
                for (run, _) in members {
                    outcomes[run.index] = nil
                    try end(run, .failure(.model(thread: nil, reason: "\(error)")))
                }
                continue
            }
            let seconds = Date().timeIntervalSince(started)
            for (member, rows) in zip(members, logits) {
                member.run.share.notePeak()
                outcomes[member.run.index]?.append(ForwardOutcome(logits: rows, seconds: seconds, usage: member.run.share.kvUsage))
            }
        }
        return outcomes
    }

    /// What a run reports: its own `RunError`, or a model error around anything else.
    static func runError(_ error: Error) -> RunError {
        (error as? RunError) ?? .model(thread: nil, reason: "\(error)")
    }
}
