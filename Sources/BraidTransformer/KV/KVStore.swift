import CBraidKernels

/// The paged, reference-counted key/value cache that every query token attends through.
///
/// Tokens' keys and values live in *segments*: ordered runs of tokens appended by one writer
/// (a prompt, a reasoning path, a summary). A segment is a list of fixed-size blocks; several
/// segments may share blocks (`fork`), and any number of views may read a segment, so a prompt
/// is stored once and read by every path. Keys are stored already rotated (RoPE at each
/// token's own position), which is what lets a segment sit at any position and be read from
/// anywhere without recomputation.
///
/// Lifetimes: a segment starts with one reference (its maker). `retain`/`release` add and drop
/// references; a view holds one reference to each of its segments until `releaseView`. When a
/// segment's last reference goes, its blocks return to the free list.
///
/// Not thread-safe: one owner (the runtime's scheduler) drives it together with a `Transformer`.
public final class KVStore {
    struct Segment {
        var blocks: [Int32] = []
        var length = 0
        var thought: Int
        var references = 1
    }

    /// Number of transformer layers stored per token.
    public let layers: Int
    /// Width of one token's keys (or values) in one layer: KV heads × head size.
    public let kvDim: Int
    /// Tokens per block.
    public let blockTokens: Int
    /// Upper bound on `bytesInUse`; `nil` for no bound.
    public let byteLimit: Int?
    /// How keys and values are stored: f32 (exact, the default) or binary16.
    public let precision: KVPrecision

    var pool: BlockPool
    private var segments: [Int: Segment] = [:]
    private var views: [Int: [SegmentID]] = [:]
    private var nextSegment = 0
    private var nextView = 0
    /// The most bytes that were ever in use at once.
    public private(set) var peakBytes = 0

    /// Creates an empty store for a model with `layers` layers of `kvDim`-wide keys and values,
    /// stored with `precision`.
    public init(layers: Int, kvDim: Int, blockTokens: Int = 16, byteLimit: Int? = nil, precision: KVPrecision = .f32) {
        self.layers = max(1, layers)
        self.kvDim = max(1, kvDim)
        self.blockTokens = max(1, blockTokens)
        self.byteLimit = byteLimit
        self.precision = precision
        pool = BlockPool(bytesPerBlock: self.layers * 2 * self.blockTokens * self.kvDim * precision.bytes)
    }

    /// Creates an empty store shaped for `config`.
    public convenience init(config: ModelConfig, blockTokens: Int = 16, byteLimit: Int? = nil,
                            precision: KVPrecision = .f32) {
        self.init(layers: config.layers, kvDim: config.kvDim, blockTokens: blockTokens, byteLimit: byteLimit,
                  precision: precision)
    }

    deinit { pool.deallocateAll() }

    // MARK: Accounting

    /// Bytes of one block (all layers, keys and values).
    public var bytesPerBlock: Int { pool.bytesPerBlock }
    /// Bytes one token occupies (all layers, keys and values).
    public var bytesPerToken: Int { layers * 2 * kvDim * precision.bytes }
    /// Blocks referenced by at least one segment.
    public var blocksInUse: Int { pool.inUse }
    /// Bytes of the blocks in use.
    public var bytesInUse: Int { pool.inUse * bytesPerBlock }
    /// Bytes the pool has allocated (in use plus free blocks kept for reuse).
    public var bytesAllocated: Int { pool.capacity * bytesPerBlock }
    /// Number of live segments.
    public var segmentCount: Int { segments.count }

    // MARK: Segments

    /// Makes an empty segment whose tokens carry thought index `thought` (0 = prompt/summary).
    public func makeSegment(thought: Int = 0) throws -> SegmentID {
        guard thought >= 0 else { throw KVError.invalidThought(thought) }
        let id = SegmentID(raw: nextSegment)
        nextSegment += 1
        segments[id.raw] = Segment(thought: thought)
        return id
    }

    /// Adds a reference to a segment.
    public func retain(_ id: SegmentID) throws {
        guard segments[id.raw] != nil else { throw KVError.unknownSegment(id) }
        segments[id.raw]?.references += 1
    }

    /// Drops a reference; the last one frees the segment and returns its blocks.
    public func release(_ id: SegmentID) throws {
        guard var s = segments[id.raw] else { throw KVError.unknownSegment(id) }
        s.references -= 1
        if s.references > 0 {
            segments[id.raw] = s
            return
        }
        for block in s.blocks { pool.release(block) }
        segments[id.raw] = nil
    }

    /// Whether the segment is live.
    public func contains(_ id: SegmentID) -> Bool { segments[id.raw] != nil }

    /// Number of tokens stored in a segment.
    public func length(of id: SegmentID) throws -> Int { try segment(id).length }

    /// The thought index a segment's tokens carry.
    public func thought(of id: SegmentID) throws -> Int { try segment(id).thought }

    /// Number of references held on a segment.
    public func referenceCount(of id: SegmentID) throws -> Int { try segment(id).references }

    /// Drops every token past `length` (the runtime splices and rolls back with it).
    public func truncate(_ id: SegmentID, to length: Int) throws {
        guard var s = segments[id.raw] else { throw KVError.unknownSegment(id) }
        guard length >= 0, length <= s.length else {
            throw KVError.invalidLength(id, requested: length, length: s.length)
        }
        let keep = (length + blockTokens - 1) / blockTokens
        while s.blocks.count > keep { pool.release(s.blocks.removeLast()) }
        s.length = length
        segments[id.raw] = s
    }

    // MARK: Views

    /// Registers the ordered list of segments a token attends to (its own segment last).
    /// The view holds a reference to each segment until `releaseView`.
    public func makeView(_ list: [SegmentID]) throws -> ViewID {
        guard !list.isEmpty else { throw KVError.invalidView(reason: "a view lists at least its own segment") }
        guard Set(list).count == list.count else { throw KVError.invalidView(reason: "segments \(list) repeat") }
        for id in list where segments[id.raw] == nil { throw KVError.unknownSegment(id) }
        for id in list { segments[id.raw]?.references += 1 }
        let view = ViewID(raw: nextView)
        nextView += 1
        views[view.raw] = list
        return view
    }

    /// The segments of a view, own segment last.
    public func segments(of view: ViewID) throws -> [SegmentID] {
        guard let list = views[view.raw] else { throw KVError.unknownView(view) }
        return list
    }

    /// Forgets a view and drops its references to its segments.
    public func releaseView(_ view: ViewID) throws {
        guard let list = views.removeValue(forKey: view.raw) else { throw KVError.unknownView(view) }
        for id in list { try release(id) }
    }

    // MARK: Writing (used by the forward pass)

    /// Appends `count` empty slots to a segment and returns the first slot's index. Blocks are
    /// taken from the pool; a shared partial last block is copied first so other readers of
    /// it never see this segment's new tokens.
    func reserve(_ id: SegmentID, count: Int) throws -> Int {
        guard var s = segments[id.raw] else { throw KVError.unknownSegment(id) }
        let start = s.length
        let needed = (start + count + blockTokens - 1) / blockTokens - s.blocks.count
        let sharedTail = start % blockTokens != 0 && s.blocks.last.map { pool.references[Int($0)] > 1 } == true
        let extra = try blocksToAppend(count, to: id)
        if let limit = byteLimit, extra > 0, (pool.inUse + extra) * bytesPerBlock > limit {
            throw KVError.outOfMemory(requestedBytes: extra * bytesPerBlock, inUseBytes: bytesInUse, limitBytes: limit)
        }
        guard pool.ensureFree(extra) else {
            throw KVError.allocationFailed(requestedBytes: extra * bytesPerBlock, inUseBytes: bytesInUse)
        }
        if sharedTail, let last = s.blocks.last {
            let copy = pool.take()
            pool.base(copy).copyMemory(from: pool.base(last), byteCount: pool.bytesPerBlock)
            pool.release(last)
            s.blocks[s.blocks.count - 1] = copy
        }
        for _ in 0..<max(0, needed) { s.blocks.append(pool.take()) }
        s.length += count
        segments[id.raw] = s
        peakBytes = max(peakBytes, bytesInUse)
        return start
    }

    /// The blocks that appending `count` tokens to a segment takes from the pool (new blocks, plus a copy of
    /// a shared partial last block). Lets an owner of several segments check its own byte budget first.
    public func blocksToAppend(_ count: Int, to id: SegmentID) throws -> Int {
        let s = try segment(id)
        let needed = (s.length + count + blockTokens - 1) / blockTokens - s.blocks.count
        let sharedTail = s.length % blockTokens != 0 && s.blocks.last.map { pool.references[Int($0)] > 1 } == true
        return max(0, needed) + (sharedTail ? 1 : 0)
    }

    /// Blocks a segment holds; nil when it is not live (never made, or freed).
    public func blockCount(of id: SegmentID) -> Int? { segments[id.raw]?.blocks.count }

    /// The block list of a live segment.
    func blocks(of id: SegmentID) throws -> [Int32] { try segment(id).blocks }

    /// Where layer `layer`'s keys (`value == false`) or values of a block start (elements of `precision`).
    ///
    /// Values are rows: `[slot][kvDim]`. Keys are stored transposed per KV head,
    /// `[kvHead][dim][slot]`, so one query's scores against all keys of a block are a run of
    /// vector FMAs over contiguous slots (no horizontal sums); see `AttentionJob`.
    @inline(__always)
    func rows(block: Int32, layer: Int, value: Bool) -> UnsafeMutableRawPointer {
        pool.base(block) + ((layer * 2 + (value ? 1 : 0)) * blockTokens) * kvDim * precision.bytes
    }

    /// `rows(block:layer:value:)` moved on by `elements` elements.
    @inline(__always)
    func rows(block: Int32, layer: Int, value: Bool, offset elements: Int) -> UnsafeMutableRawPointer {
        rows(block: block, layer: layer, value: value) + elements * precision.bytes
    }

    /// Asks for layer `layer`'s keys and values of `block` (contiguous: both halves, every KV head) ahead of use: a hint
    /// that changes no result.
    @inline(__always)
    func prefetch(block: Int32, layer: Int) {
        braid_prefetch_rows(rows(block: block, layer: layer, value: false), 1, 2 * blockTokens * kvDim * precision.bytes, 0)
    }

    /// Stores one token's rotated key (`kvDim` values) at `slot` of a block,
    /// in the transposed key layout.
    @inline(__always)
    func writeKey(_ key: UnsafePointer<Float>, block: Int32, slot: Int, layer: Int) {
        write(key, to: rows(block: block, layer: layer, value: false, offset: slot), stride: blockTokens)
    }

    /// Stores one token's values (`kvDim` of them) at `slot` of a block.
    @inline(__always)
    func writeValue(_ value: UnsafePointer<Float>, block: Int32, slot: Int, layer: Int) {
        write(value, to: rows(block: block, layer: layer, value: true, offset: slot * kvDim), stride: 1)
    }

    /// `kvDim` floats to `target`, `stride` elements apart, in the store's precision.
    private func write(_ x: UnsafePointer<Float>, to target: UnsafeMutableRawPointer, stride: Int) {
        switch precision {
        case .f32:
            let t = target.assumingMemoryBound(to: Float.self)
            for j in 0..<kvDim { t[j * stride] = x[j] }
        case .f16:
            braid_store_f16(x, kvDim, stride, target.assumingMemoryBound(to: UInt16.self))
        }
    }

    /// Element `index` of a KV row in the store's precision, widened to f32 (the scalar paths).
    @inline(__always)
    func element(_ p: UnsafeRawPointer, _ index: Int) -> Float {
        precision == .f16 ? Float(p.load(fromByteOffset: index * 2, as: Float16.self))
            : p.load(fromByteOffset: index * 4, as: Float.self)
    }

    private func segment(_ id: SegmentID) throws -> Segment {
        guard let s = segments[id.raw] else { throw KVError.unknownSegment(id) }
        return s
    }
}
