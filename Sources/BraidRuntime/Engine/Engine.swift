import BraidRandom
import BraidGraph
import BraidPlan
import BraidTransformer
import Foundation

/// Executes a graph on a model: the scheduler loop, forward passes and token bookkeeping.
///
/// Every scheduler step runs one forward pass holding the pending tokens of every live thread (prefill
/// chunks and one sampled token per decoding thread), then lets each thread sample and advance through its
/// program. Control (forks, merges, spawns, votes) happens between forward passes, in thread order, so the
/// trace is the same whether threads are batched together or run one at a time.
final class Engine {
    let model: RuntimeModel
    let graph: Graph
    let options: RunOptions
    let inputs: [String: String]
    let observer: (TraceEvent) -> Void
    var threads: [RunThread] = []
    var forks: [ForkRun] = []
    var step = 0
    var forwards = 0
    var written = 0
    var forwardSeconds = 0.0
    var peakKVBytes = 0
    var segmentNames: Set<String> = []
    var votes: [String: VoteOutcome] = [:]
    var stopReasons: [Int: String] = [:]
    /// When `start()` ran, and the main thread it made (nil before).
    var began = Date()
    var main: RunThread?

    init(model: RuntimeModel, graph: Graph, options: RunOptions, observer: @escaping (TraceEvent) -> Void) throws {
        self.model = model
        self.graph = graph
        self.options = options
        self.observer = observer
        inputs = try Engine.resolveInputs(graph: graph, given: options.inputs)
    }

    /// Graph defaults overridden by the run's values; unknown names and missing required inputs are errors.
    static func resolveInputs(graph: Graph, given: [String: String]) throws -> [String: String] {
        for name in given.keys.sorted() where graph.input(named: name) == nil {
            let known = graph.inputs.map(\.name).joined(separator: ", ")
            throw RunError.badInput("graph '\(graph.name)' has no input '\(name)'" + (known.isEmpty ? "" : " (inputs: \(known))"))
        }
        var values: [String: String] = [:]
        for input in graph.inputs {
            guard let value = given[input.name] ?? input.defaultValue else {
                throw RunError.badInput("graph '\(graph.name)' needs input '\(input.name)': pass --input \(input.name)=VALUE")
            }
            values[input.name] = value
        }
        return values
    }

    func emit(_ event: TraceEvent) { observer(event) }

    // MARK: Threads and segments

    @discardableResult
    func makeThread(name: String, parent: RunThread?, kind: String, depth: Int, program: [Action],
                    variables: [String: String], nextPosition: Int, origin: String?) -> RunThread {
        let parameters = SamplingParameters.greedy
        let random = RandomSource(seed: options.seed, stream: Engine.stableHash(name))
        let thread = RunThread(index: threads.count, name: name, parent: parent?.index, kind: kind, depth: depth,
                               program: program, variables: variables, nextPosition: nextPosition,
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

    /// A segment name not used before in this run (`Naming.unique`), recorded as used.
    func uniqueName(_ name: String) -> String {
        let unique = Naming.unique(name, among: segmentNames)
        segmentNames.insert(unique)
        return unique
    }

    /// The segment name for a step on a thread (`Naming.scoped`: the step id on `main`, else `thread/step`).
    func segmentName(step: String, thread: RunThread) -> String {
        Naming.scoped(step, thread: thread.name)
    }

    /// Opens a new segment at the thread's next position; its view is the thread's view plus itself.
    func openSegment(_ thread: RunThread, name: String, kind: String, step stepID: String) throws -> RunSegment {
        try closeSegment(thread)
        guard thread.nextPosition < model.contextLength else {
            throw RunError.contextOverflow(thread: thread.name, position: thread.nextPosition, context: model.contextLength)
        }
        let unique = uniqueName(name)
        do {
            let kv = try model.makeSegment(thought: thread.thought)
            let segment = RunSegment(name: unique, kv: kv, thread: thread.index, start: thread.nextPosition,
                                     thought: thread.thought, kind: kind, viewNames: thread.view.map(\.name) + [unique])
            segment.reads = thread.view
            segment.view = try model.makeView(thread.view.map(\.kv) + [kv])
            thread.current = segment
            thread.own.append(segment)
            thread.stepSegments[stepID, default: []].append(segment)
            emit(.segment(SegmentOpen(step: step, thread: thread.name, segment: unique, kind: kind,
                                      start: segment.start, view: segment.viewNames, thought: segment.thought)))
            return segment
        } catch let error as RunError {
            throw error
        } catch {
            throw RunError.model(thread: thread.name, reason: "\(error)")
        }
    }

    /// Closes the thread's current segment: it joins the thread's view; a merge's sources leave it.
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
        thread.view.append(segment)
        thread.current = nil
        if !thread.dropAfterCurrent.isEmpty {
            let drop = Set(thread.dropAfterCurrent.map(\.name))
            for source in thread.dropAfterCurrent { try release(source) }
            thread.view.removeAll { drop.contains($0.name) }
            thread.dropAfterCurrent = []
        }
    }

    /// Takes one more KV reference on a segment (a thread or view that reads it).
    func retain(_ segment: RunSegment) throws {
        do {
            try model.retain(segment.kv)
        } catch {
            throw RunError.model(thread: nil, reason: "KV reference count of '\(segment.name)': \(error)")
        }
    }

    /// Drops one KV reference on a segment. A reference-count error is a bug in the run's bookkeeping: it is
    /// surfaced, never ignored.
    func release(_ segment: RunSegment) throws {
        do {
            try model.release(segment.kv)
        } catch {
            throw RunError.model(thread: nil, reason: "KV reference count of '\(segment.name)': \(error)")
        }
    }

    /// Stops a thread: closes its segment, drops its pending work, releases the KV it holds (keeping a
    /// branch's own segments for a later merge), stops its live descendants, and tells its fork or spawn.
    func finish(_ thread: RunThread, reason: String) throws {
        guard !thread.isDone else { return }
        try closeSegment(thread)
        thread.pending = []
        thread.decode = nil
        thread.phase = .done
        stopReasons[thread.index] = reason
        emit(.stop(ThreadStop(step: step, thread: thread.name, reason: reason, lastDecode: thread.lastDecodeEnd,
                              sampled: thread.sampledTotal)))
        let fork = thread.branchOf.map { forks[$0.fork] }
        let ownNames = Set(thread.own.map(\.name))
        for segment in thread.view {
            if let fork, fork.mergedLater, ownNames.contains(segment.name) {
                fork.held.append(segment)
            } else {
                try release(segment)
            }
        }
        thread.view = []
        for other in threads where other.parent == thread.index && !other.isDone {
            try finish(other, reason: "parent-stopped")
        }
        // Branch segments its own forks kept for a merge it will now never run.
        for index in thread.forks.values {
            for segment in forks[index].held { try release(segment) }
            forks[index].held = []
        }
        if let fork, let branch = thread.branchOf?.branch, reason == "done" {
            try branchFinished(fork, branch: branch)
        }
        if let parentIndex = thread.parent, thread.kind == "child" {
            try childFinished(parent: threads[parentIndex])
        }
    }

    // MARK: Decoding

    /// Sampling settings of a generation under the run's options.
    func samplingParameters(_ generation: Generation) -> SamplingParameters {
        let s = generation.sampling
        return SamplingParameters(temperature: Float(options.temperature ?? s.temperature), topK: s.topK, topP: Float(s.topP))
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
        } else if decode.sampled >= decode.generation.maxTokens {
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
        if reason == "stop-string", let context = decode.spawn,
           decode.matchedStop == context.spawn.trigger.render(thread.variables) {
            try beginSpawnRound(thread, decode: decode, context: context)
            return
        }
        try closeSegment(thread)
        thread.phase = .ready
    }
}
