import BraidRandom
import BraidPlan
import BraidRules
import BraidTransformer
import Foundation

/// Executes a plan on a model: the scheduler loop, forward passes and token bookkeeping.
///
/// Each thread walks its program in the plan (`PlanThread.program`, see Engine+Program). Every scheduler step runs one forward pass holding the pending tokens of every live thread (prefill
/// chunks and one sampled token per decoding thread), then lets each thread sample and advance through its
/// program. Control (forks, merges, spawns, votes) happens between forward passes, in thread order, so the
/// trace is the same whether threads are batched together or run one at a time.
final class Engine {
    let model: RuntimeModel
    /// The compiled plan the run executes: where every segment starts, what it reads, its thought index. Spawn
    /// rounds are instantiated into it as they happen.
    var plan: Plan
    /// Index of each plan segment in `plan.segments` (rebuilt when a spawn round adds segments).
    var planIndex: [SegmentName: Int]
    /// Every segment the run has opened, by name (a plan segment never opened has 0 tokens).
    var opened: [SegmentName: RunSegment] = [:]
    /// Slot lengths of flat forks, fixed when their first branch opens.
    var slots: [String: Int] = [:]
    /// For each plan segment, the segments whose views read it (rebuilt with `planIndex`).
    var readers: [SegmentName: [SegmentName]] = [:]
    /// Each plan thread's parent thread (rebuilt with `planIndex`).
    var planParents: [ThreadID: ThreadID?] = [:]
    /// The segments whose KV the engine still holds (one reference each), until their plan lifetime runs out.
    var live: [SegmentName: RunSegment] = [:]
    /// Threads that have stopped (their unopened plan segments will never be written).
    var stoppedThreads: Set<ThreadID> = []
    let options: RunOptions
    /// The model's shape and memory limit each run-time spawn round is checked against as it is instantiated
    /// (nil: rounds are not checked; the runtime still stops threads at the context window).
    let roundCheck: Preflight?
    let inputs: [String: String]
    let observer: (TraceEvent) -> Void
    var threads: [RunThread] = []
    var forks: [ForkRun] = []
    var step = 0
    var forwards = 0
    var written = 0
    var forwardSeconds = 0.0
    var peakKVBytes = 0
    var votes: [String: VoteOutcome] = [:]
    var stopReasons: [Int: String] = [:]
    /// When `start()` ran, and the main thread it made (nil before).
    var began = Date()
    var main: RunThread?

    init(model: RuntimeModel, plan: Plan, options: RunOptions,
         roundCheck: Preflight? = nil, observer: @escaping (TraceEvent) -> Void) throws {
        self.model = model
        self.roundCheck = roundCheck
        self.plan = plan
        planIndex = [:]
        self.options = options
        self.observer = observer
        inputs = try Engine.inputValues { try plan.inputValues(options.inputs) }
        indexPlan()
    }

    /// The run's input values (`Plan.inputValues`), an input error as `RunError.badInput`.
    static func inputValues(_ resolve: () throws -> [String: String]) throws -> [String: String] {
        do {
            return try resolve()
        } catch let error as InputError {
            throw RunError.badInput(error.description)
        }
    }

    func emit(_ event: TraceEvent) { observer(event) }

    // MARK: Threads and segments

    @discardableResult
    func makeThread(name: String, parent: RunThread?, kind: String, depth: Int, program: [Action],
                    variables: [String: String], origin: String?) -> RunThread {
        let parameters = SamplingParameters.greedy
        let random = RandomSource(seed: options.seed, stream: Engine.stableHash(name))
        let thread = RunThread(index: threads.count, name: name, parent: parent?.index, kind: kind, depth: depth,
                               program: program, variables: variables,
                               sampler: Sampler(parameters: parameters, random: random),
                               textDecoder: model.makeTextDecoder())
        threads.append(thread)
        emit(.thread(ThreadStart(step: step, thread: name, parent: parent?.name, kind: kind, origin: origin, depth: depth)))
        return thread
    }

    /// FNV-1a of a thread's name: its random stream, independent of scheduling order.
    static func stableHash(_ name: String) -> UInt64 {
        fnv1a(name)
    }

    /// Opens the plan's segment `name` on the thread: it starts where the plan's placement puts it over the real
    /// ends written so far, reads the plan's view (mapped to the KV handles of the segments the run wrote) and
    /// carries the plan's thought index. A name the plan does not have, one opened before, or a view the thread
    /// does not hold, is a disagreement between run and plan and fails the run.
    func openSegment(_ thread: RunThread, name unique: SegmentName, step stepID: String) throws -> RunSegment {
        try closeSegment(thread)
        guard opened[unique] == nil else {
            throw RunError.planMismatch(segment: unique, reason: "thread '\(thread.name)' opens it a second time")
        }
        guard let index = planIndex[unique] else {
            throw RunError.planMismatch(segment: unique, reason: "thread '\(thread.name)' opens it, but the plan has no such segment")
        }
        let planned = plan.segments[index]
        let start: Int
        do {
            start = try plan.start(of: unique, index: planIndex, written: { self.opened[$0].map { ($0.start, $0.count) } },
                                   slotLength: { self.slotLength(of: $0, variables: thread.variables) })
        } catch let error as PlanError {
            throw RunError.planMismatch(segment: unique, reason: "\(error)")
        }
        let reads = planned.view.dropLast().compactMap { opened[$0] }  // a segment never opened has no tokens
        if let gone = reads.first(where: { live[$0.name] == nil }) {
            throw RunError.planMismatch(segment: unique, reason: "its view reads '\(gone.name)', whose KV the plan's lifetimes already released")
        }
        guard start < model.contextLength else {
            throw RunError.contextOverflow(thread: thread.name, position: start, context: model.contextLength)
        }
        thread.nextPosition = start
        do {
            let kv = try model.makeSegment(thought: planned.thought)
            let segment = RunSegment(name: unique, kv: kv, thread: thread.index, start: start,
                                     thought: planned.thought, kind: planned.kind.rawValue, viewNames: planned.view)
            segment.reads = reads
            segment.view = try model.makeView(reads.map(\.kv) + [kv])
            opened[unique] = segment
            live[unique] = segment
            thread.current = segment
            thread.own.append(segment)
            thread.stepSegments[stepID, default: []].append(segment)
            emit(.segment(SegmentOpen(step: step, thread: thread.name, segment: unique, kind: segment.kind,
                                      start: segment.start, view: segment.viewNames, thought: segment.thought)))
            // A merge or join that takes its sources' text: their KV is no longer needed.
            if case .splice(let splice) = planned.content { try releaseExpired(splice.sources) }
            return segment
        } catch let error as RunError {
            throw error
        } catch {
            throw RunError.model(thread: thread.name, reason: "\(error)")
        }
    }

    /// The slot of a flat fork (`FlatSlot`: its largest branch budget), counting forced text with the model's
    /// tokenizer; fixed the first time a branch of the fork opens.
    func slotLength(of fork: ForkPlan, variables: [String: String]) -> Int {
        if let known = slots[fork.id] { return known }
        let slot = FlatSlot.length(of: fork, in: plan) { segment in
            model.encode(FlatSlot.forcedText(of: segment)?.render(variables) ?? "").count
        }
        slots[fork.id] = slot
        return slot
    }

    /// Everything the thread's current segment sees, as text (its plan view; what spawn lookups search).
    func visibleText(of thread: RunThread) -> String {
        (thread.current?.viewNames ?? []).compactMap { opened[$0]?.text }.joined()
    }

    /// Where the plan's segment `name` would start now (for trace events written before it opens).
    func plannedStart(of name: SegmentName, thread: RunThread) throws -> Int {
        do {
            return try plan.start(of: name, index: planIndex, written: { self.opened[$0].map { ($0.start, $0.count) } },
                                  slotLength: { self.slotLength(of: $0, variables: thread.variables) })
        } catch let error as PlanError {
            throw RunError.planMismatch(segment: name, reason: "\(error)")
        }
    }

    /// Closes the thread's current segment (its model view goes) and releases what the plan lets go once it is
    /// written.
    func closeSegment(_ thread: RunThread) throws {
        guard let segment = thread.current else { return }
        if let view = segment.view {
            do {
                try model.releaseView(view)
            } catch {
                throw RunError.model(thread: thread.name, reason: "releasing the view of '\(segment.name)': \(error)")
            }
        }
        segment.view = nil
        thread.current = nil
        try releaseExpired(segment.viewNames)
    }

    /// Stops a thread: closes its segment, drops its pending work, stops its live descendants, releases what the
    /// plan's lifetimes let go (see Engine+Lifetimes), and tells its fork or spawn.
    func finish(_ thread: RunThread, reason: String) throws {
        guard !thread.isDone else { return }
        try closeSegment(thread)
        thread.pending = []
        thread.decode = nil
        thread.phase = .done
        stopReasons[thread.index] = reason
        emit(.stop(ThreadStop(step: step, thread: thread.name, reason: reason, lastDecode: thread.lastDecodeEnd,
                              sampled: thread.sampledTotal)))
        stoppedThreads.insert(thread.name)
        let fork = thread.branchOf.map { forks[$0.fork] }
        for other in threads where other.parent == thread.index && !other.isDone {
            try finish(other, reason: "parent-stopped")
        }
        // KV goes as the plan's lifetimes say: a killed branch's unread segments at once, and whatever only this
        // thread's unwritten segments would have read.
        if reason == "finish-policy" { try releaseKilled(thread) }
        try releaseExpired(live.keys.sorted())
        if let fork, let branch = thread.branchOf?.branch, reason == "done" {
            try branchFinished(fork, branch: branch)
        }
        if let parentIndex = thread.parent, thread.kind == "child" {
            try childFinished(parent: threads[parentIndex])
        }
    }

    // MARK: Decoding

    /// A plan segment's sampling settings under the run's options; a field the plan leaves open takes the graph
    /// language's built-in default (greedy, top-p 1, top-k off), which compiled plans always fill in.
    func samplingParameters(_ s: SamplingSettings) -> SamplingParameters {
        SamplingParameters(temperature: Float(options.temperature ?? s.temperature ?? 0), topK: s.topK ?? 0,
                           topP: Float(s.topP ?? 1))
    }

    /// Samples the thread's next token from `logits` and decides whether decoding ends with it.
    func sampleNext(_ thread: RunThread, logits: [Float]) throws {
        guard var decode = thread.decode else { return }
        let token = thread.sampler.sample(logits)
        if !options.fixedBudgets, model.isEndOfGeneration(token) {
            try endDecode(thread, reason: "eos")
            return
        }
        let piece = thread.textDecoder.feed(token)
        decode.sampled += 1
        thread.sampledTotal += 1
        // A stop string may straddle tokens: look at the new text plus the longest stop's length before it.
        let longestStop = decode.stops.map(\.utf8.count).max() ?? 0
        let searchFrom = max(0, decode.text.utf8.count - max(0, longestStop - 1))
        decode.text += piece
        thread.pending = [(token, piece)]
        thread.pendingSampled = true
        let tail = String(decoding: Array(decode.text.utf8.dropFirst(searchFrom)), as: UTF8.self)
        if !options.fixedBudgets, let stop = decode.stops.first(where: { !$0.isEmpty && tail.contains($0) }) {
            decode.ending = "stop-string"
            decode.matchedStop = stop
        } else if decode.sampled >= decode.decoding.maxTokens {
            decode.ending = "budget"
        } else if thread.nextPosition + 1 >= model.contextLength {
            decode.ending = "context"
        }
        thread.decode = decode
    }

    /// Ends the current decoding: a spawn trigger starts a spawn round; anything else closes the segment.
    func endDecode(_ thread: RunThread, reason: String) throws {
        guard let decode = thread.decode else { return }
        thread.decode = nil
        thread.lastDecodeEnd = reason
        if reason == "stop-string", let context = decode.spawn, let trigger = decode.trigger, decode.matchedStop == trigger {
            try beginSpawnRound(thread, decode: decode, context: context)
            return
        }
        try closeSegment(thread)
        thread.phase = .ready
    }
}
