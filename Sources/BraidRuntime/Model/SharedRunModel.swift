import BraidTransformer

/// One run's share of a `TransformerModel` that several runs use at once (`MultiRun`): the host's weights,
/// tokenizer and one KV store, with this run's own KV accounting and byte limit.
///
/// The run sees exactly what it would see with a model of its own: its segments are its own (runs never read
/// each other's), its usage counts only its blocks, and its `--memory-limit` applies to its blocks alone,
/// checked before each forward pass with the same numbers and message as a store of its own. When the run
/// ends, `releaseAll()` returns whatever it still holds.
final class SharedRunModel: RuntimeModel {
    let host: TransformerModel
    /// The most KV bytes this run may hold; nil: no limit.
    let byteLimit: Int?
    private var segments: [SegmentID] = []
    private var views: Set<ViewID> = []
    private var peakBytes = 0

    init(host: TransformerModel, byteLimit: Int?) {
        self.host = host
        self.byteLimit = byteLimit
    }

    var vocabularySize: Int { host.vocabularySize }
    var contextLength: Int { host.contextLength }
    var beginOfSequence: Int32? { host.beginOfSequence }
    func encode(_ text: String) -> [Int32] { host.encode(text) }
    func makeTextDecoder() -> any TokenTextDecoder { host.makeTextDecoder() }
    func isEndOfGeneration(_ token: Int32) -> Bool { host.isEndOfGeneration(token) }
    func chatPrompt(_ messages: [(role: String, content: String)], continueLast: Bool) throws -> String {
        try host.chatPrompt(messages, continueLast: continueLast)
    }

    func makeSegment(thought: Int) throws -> SegmentID {
        let id = try host.makeSegment(thought: thought)
        segments.append(id)
        return id
    }
    func retain(_ segment: SegmentID) throws { try host.retain(segment) }
    func release(_ segment: SegmentID) throws { try host.release(segment) }
    func truncate(_ segment: SegmentID, to length: Int) throws { try host.truncate(segment, to: length) }
    func makeView(_ list: [SegmentID]) throws -> ViewID {
        let view = try host.makeView(list)
        views.insert(view)
        return view
    }
    func releaseView(_ view: ViewID) throws {
        try host.releaseView(view)
        views.remove(view)
    }

    /// A pass of this run's tokens alone (the multi-run driver forwards several runs together instead).
    func forward(_ batch: [QueryToken], logitRows: LogitRows) throws -> Logits {
        try checkBudget(batch)
        let logits = try host.forward(batch, logitRows: logitRows)
        notePeak()
        return logits
    }

    /// Throws what a store of this run's own with `byteLimit` would throw for writing `batch`: segments are
    /// reserved in order of first appearance, each against the run's bytes so far.
    func checkBudget(_ batch: [QueryToken]) throws {
        guard let byteLimit else { return }
        var counts: [SegmentID: Int] = [:]
        var order: [SegmentID] = []
        for q in batch {
            if counts[q.segment] == nil { order.append(q.segment) }
            counts[q.segment, default: 0] += 1
        }
        let blockBytes = host.kv.bytesPerBlock
        var inUse = blocksInUse()
        for segment in order {
            let extra = try host.kv.blocksToAppend(counts[segment] ?? 0, to: segment)
            if extra > 0, (inUse + extra) * blockBytes > byteLimit {
                throw KVError.outOfMemory(requestedBytes: extra * blockBytes, inUseBytes: inUse * blockBytes, limitBytes: byteLimit)
            }
            inUse += extra
        }
    }

    /// Records the run's usage after a pass that wrote its tokens (its peak is always right after one).
    func notePeak() {
        peakBytes = max(peakBytes, blocksInUse() * host.kv.bytesPerBlock)
    }

    /// Blocks of the run's live segments (a block belongs to one segment: the store shares none between runs).
    private func blocksInUse() -> Int {
        segments.removeAll { !host.kv.contains($0) }
        return segments.reduce(0) { $0 + (host.kv.blockCount(of: $1) ?? 0) }
    }

    var kvUsage: KVUsage {
        let blocks = blocksInUse()
        return KVUsage(blocks: blocks, bytes: blocks * host.kv.bytesPerBlock, peakBytes: peakBytes)
    }

    /// Drops every view and segment reference the run still holds, returning its blocks to the shared store.
    func releaseAll() throws {
        for view in views { try host.releaseView(view) }
        views = []
        for segment in segments {
            while host.kv.contains(segment) { try host.release(segment) }
        }
        segments = []
    }
}
