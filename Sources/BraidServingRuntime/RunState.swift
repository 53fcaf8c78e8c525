import BraidPlan
import Foundation

/// What a served run has written so far, shared by its concurrent threads: the plan (spawn rounds are instantiated
/// into it as they happen), each segment's text, each thread's variables and segments, votes and the requests.
actor RunState {
    /// The plan as it stands (spawn rounds added).
    private(set) var plan: Plan
    private var texts: [SegmentName: String] = [:]
    private var threadOrder: [ThreadID] = []
    private var threads: [ThreadID: ThreadRecord] = [:]
    private(set) var votes: [String: ServedVote] = [:]
    private(set) var requests: [RequestRecord] = []
    private var requestCount = 0
    /// The run's inputs, defaults filled in (what spawned children's variables start from).
    private(set) var inputs: [String: String] = [:]
    /// Set when a request fails: the streams cancelled after that are the failure's, not a finish rule's.
    private(set) var failed = false
    /// Seeds given to threads by their fork (identical siblings draw with seed + i), over the default per thread.
    private var seeds: [ThreadID: UInt64] = [:]
    /// Set when the server refused a request with `n`: later identical siblings are sent one request each.
    private(set) var refusesN = false
    /// Set when the server refused a prompt sent as token ids: later prompts are sent as text.
    private(set) var refusesIDs = false
    /// What the run did differently from the plain plan, for the user (a server that refused `n` or token ids).
    private(set) var notes: [String] = []
    /// Each thread's sequential tokens so far (see `raiseSequential`).
    private var sequential: [ThreadID: Int] = [:]
    /// The most tokens generated along any chain of dependencies so far: the run's critical path in tokens, as the
    /// local executor's trace counts it (`CriticalPath` in BraidEval).
    private(set) var sequentialTokens = 0
    let began = Date()
    private let observer: (@Sendable (RequestRecord) -> Void)?

    /// A thread as the run sees it.
    struct ThreadRecord {
        var parent: ThreadID?
        var kind: String
        var depth: Int
        var variables: [String: String]
        var segments: [SegmentName] = []
        var stopReason: String?
    }

    init(plan: Plan, observer: (@Sendable (RequestRecord) -> Void)?) {
        self.plan = plan
        self.observer = observer
    }

    // MARK: Threads

    /// Records a thread as started.
    func startThread(_ id: ThreadID, parent: ThreadID?, kind: String, depth: Int, variables: [String: String]) {
        guard threads[id] == nil else { return }
        threadOrder.append(id)
        threads[id] = ThreadRecord(parent: parent, kind: kind, depth: depth, variables: variables)
        sequential[id] = parent.flatMap { sequential[$0] } ?? 0
    }

    /// Records the run's inputs.
    func setInputs(_ values: [String: String]) { inputs = values }

    /// Records why a thread stopped (the first reason counts).
    func stop(_ id: ThreadID, reason: String) {
        if threads[id]?.stopReason == nil { threads[id]?.stopReason = reason }
    }

    func variables(of id: ThreadID) -> [String: String] { threads[id]?.variables ?? [:] }
    func depth(of id: ThreadID) -> Int { threads[id]?.depth ?? 0 }

    /// The thread's whole text so far (its segments in write order).
    func text(ofThread id: ThreadID) -> String {
        (threads[id]?.segments ?? []).map { texts[$0] ?? "" }.joined()
    }

    /// The texts of the thread's segments whose kind is not `excluded`.
    func text(ofThread id: ThreadID, excluding kind: SegmentKind) -> String {
        let index = plan.segmentIndex
        return (threads[id]?.segments ?? []).filter { name in
            index[name].map { plan.segments[$0].kind != kind } ?? true
        }.map { texts[$0] ?? "" }.joined()
    }

    // MARK: Segments

    /// Sets a segment's text, opening it on `thread` the first time.
    func setText(_ segment: SegmentName, _ text: String, thread: ThreadID) {
        if texts[segment] == nil { threads[thread]?.segments.append(segment) }
        texts[segment] = text
    }

    func text(of segment: SegmentName) -> String? { texts[segment] }

    /// The text of segments one after another (a segment never written counts as empty).
    func text(of segments: some Sequence<SegmentName>) -> String {
        segments.map { texts[$0] ?? "" }.joined()
    }

    // MARK: Spawns

    /// Instantiates the next round of a spawn in the plan.
    func instantiate(_ template: SpawnTemplate, round: Int, children: Int) throws -> SpawnInstance {
        try plan.instantiateSpawn(template.id, round: round, children: children)
    }

    // MARK: Votes and requests

    func recordVote(_ id: String, _ vote: ServedVote) { votes[id] = vote }

    /// The next request's number (1, 2, …).
    func nextRequestNumber() -> Int {
        requestCount += 1
        return requestCount
    }

    /// Records an ended request; its generated tokens lengthen its thread's sequential chain.
    func record(_ request: RequestRecord) {
        requests.append(request)
        raiseSequential(request.thread, to: (sequential[request.thread] ?? 0) + Self.generatedTokens(request))
        observer?(request)
    }

    /// The tokens a request generated: the server's count, else one per streamed chunk (llama-server, vLLM and
    /// SGLang stream one token per chunk; a stream Braid closed at a stop string, or cancelled, has no count). A
    /// choice of a request with `n` counts its chunks: vLLM and SGLang report only the whole request's count.
    static func generatedTokens(_ request: RequestRecord) -> Int {
        request.n == nil ? request.completionTokens ?? request.chunks : request.chunks
    }

    /// Raises a thread's sequential tokens to `value` (a token generated, or a merge, vote or join reading other
    /// threads: the thread can continue only after the longest of them), as the local trace's counter does.
    func raiseSequential(_ thread: ThreadID, to value: Int) {
        sequential[thread] = max(sequential[thread] ?? 0, value)
        sequentialTokens = max(sequentialTokens, value)
    }

    /// Raises `thread` to the longest sequential chain among `others` (the branches a merge or vote reads, the
    /// children a join waits for).
    func raiseSequential(_ thread: ThreadID, toLongestOf others: [ThreadID]) {
        raiseSequential(thread, to: others.compactMap { sequential[$0] }.max() ?? 0)
    }

    func markFailed() { failed = true }

    /// Gives `thread` the seed its requests send (when its segment has none of its own).
    func setSeed(_ seed: UInt64, of thread: ThreadID) { seeds[thread] = seed }
    func seed(of thread: ThreadID) -> UInt64? { seeds[thread] }

    /// Records that the server refused `n`, with the note the run reports.
    func refuseN(_ note: String) {
        refusesN = true
        notes.append(note)
    }

    /// Records that the server refused a prompt of token ids, with the note the run reports.
    func refuseIDs(_ note: String) {
        refusesIDs = true
        notes.append(note)
    }

    /// Seconds since the run began.
    func elapsed() -> Double { Date().timeIntervalSince(began) }

    // MARK: Results

    /// Every thread's record, in the order they started.
    func servedThreads() -> [ServedThread] {
        threadOrder.compactMap { id in
            guard let record = threads[id] else { return nil }
            return ServedThread(name: id, parent: record.parent, kind: record.kind, stopReason: record.stopReason ?? "done",
                                segments: record.segments.map { ServedSegment(name: $0, text: texts[$0] ?? "") })
        }
    }

    /// A step's output: a vote's winner, else the text of the step's segments on the root thread, else on the
    /// first other thread that wrote any (as the local executor reads `answer: {from: STEP}`).
    func output(of step: String, root: ThreadID) -> String? {
        if let vote = votes[step] { return vote.winner ?? "" }
        let index = plan.segmentIndex
        for id in [root] + threadOrder.filter({ $0 != root }) {
            let own = (threads[id]?.segments ?? []).filter { name in index[name].map { plan.segments[$0].step == step } ?? false }
            if !own.isEmpty { return own.map { texts[$0] ?? "" }.joined() }
        }
        return nil
    }
}
