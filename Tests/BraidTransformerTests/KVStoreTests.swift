import Testing
@testable import BraidTransformer

/// The paged KV store's bookkeeping: blocks, reference counts, sharing, truncation, limits.
@Suite struct KVStoreTests {
    func store(blockTokens: Int = 4, byteLimit: Int? = nil) -> KVStore {
        KVStore(layers: 2, kvDim: 8, blockTokens: blockTokens, byteLimit: byteLimit)
    }

    @Test("blocks are freed when the last reference to a segment is released")
    func lastReleaseFrees() throws {
        let kv = store()
        let s = try kv.makeSegment()
        _ = try kv.reserve(s, count: 10)  // 3 blocks of 4
        #expect(kv.blocksInUse == 3)
        let view = try kv.makeView([s])
        try kv.retain(s)
        #expect(try kv.referenceCount(of: s) == 3)
        try kv.release(s)
        try kv.release(s)
        #expect(kv.blocksInUse == 3, "the view still reads the segment")
        try kv.releaseView(view)
        #expect(kv.blocksInUse == 0)
        #expect(!kv.contains(s))
        #expect(throws: KVError.unknownSegment(s)) { try kv.length(of: s) }
        #expect(kv.peakBytes == 3 * kv.bytesPerBlock)
    }

    @Test("a prompt shared by eight paths is stored once")
    func sharedPromptStoredOnce() throws {
        let kv = store()
        let prompt = try kv.makeSegment()
        _ = try kv.reserve(prompt, count: 12)
        let before = kv.blocksInUse
        var views: [ViewID] = []
        for j in 1...8 {
            let path = try kv.makeSegment(thought: j)
            _ = try kv.reserve(path, count: 5)
            views.append(try kv.makeView([prompt, path]))
            try kv.release(path)  // the view keeps it alive
        }
        #expect(before == 3)
        #expect(kv.blocksInUse == 3 + 8 * 2)
        #expect(kv.bytesInUse == kv.blocksInUse * kv.bytesPerBlock)
        for v in views { try kv.releaseView(v) }
        #expect(kv.blocksInUse == 3)
        try kv.release(prompt)
        #expect(kv.blocksInUse == 0)
    }

    @Test("freed blocks are reused instead of allocating more")
    func freeListReuse() throws {
        let kv = store()
        for _ in 0..<50 {
            let s = try kv.makeSegment()
            _ = try kv.reserve(s, count: 7)
            try kv.release(s)
        }
        #expect(kv.blocksInUse == 0)
        #expect(kv.peakBytes == 2 * kv.bytesPerBlock)
        #expect(kv.bytesAllocated == kv.pool.capacity * kv.bytesPerBlock)
        #expect(kv.pool.capacity == kv.pool.blocksPerChunk, "one chunk served every segment")
    }

    @Test("truncate drops tokens and returns whole blocks")
    func truncateReturnsBlocks() throws {
        let kv = store()
        let s = try kv.makeSegment()
        _ = try kv.reserve(s, count: 9)
        try kv.truncate(s, to: 4)
        #expect(try kv.length(of: s) == 4)
        #expect(kv.blocksInUse == 1)
        #expect(try kv.reserve(s, count: 1) == 4)
        #expect(throws: KVError.self) { try kv.truncate(s, to: 6) }
        #expect(throws: KVError.self) { try kv.truncate(s, to: -1) }
    }

    @Test("a byte limit refuses growth with a clear error and leaves the segment as it was")
    func byteLimit() throws {
        let probe = store()
        let kv = store(byteLimit: 2 * probe.bytesPerBlock)
        let s = try kv.makeSegment()
        _ = try kv.reserve(s, count: 8)
        #expect(throws: KVError.self) { try kv.reserve(s, count: 1) }
        #expect(try kv.length(of: s) == 8)
        do {
            _ = try kv.reserve(s, count: 1)
        } catch let error as KVError {
            #expect(error.description.contains("limit"))
        }
    }

    @Test("views must be non-empty, without repeats, over live segments")
    func viewValidation() throws {
        let kv = store()
        let s = try kv.makeSegment()
        #expect(throws: KVError.self) { try kv.makeView([]) }
        #expect(throws: KVError.self) { try kv.makeView([s, s]) }
        #expect(throws: KVError.unknownSegment(SegmentID(raw: 9))) { try kv.makeView([SegmentID(raw: 9)]) }
        #expect(throws: KVError.invalidThought(-1)) { try kv.makeSegment(thought: -1) }
        let v = try kv.makeView([s])
        #expect(try kv.segments(of: v) == [s])
        try kv.releaseView(v)
        #expect(throws: KVError.unknownView(v)) { try kv.releaseView(v) }
    }
}
