import CBraidKernels

/// Fixed-size KV blocks carved from large chunks, recycled through a free list.
///
/// A block holds `blockTokens` tokens of keys and values for every layer, laid out as
/// `[layer][K or V][slot][kvDim]`, so the keys of one layer in one block are contiguous rows; its
/// elements are f32 or binary16 (`KVPrecision`), which only the store interprets.
/// Chunks are never moved or freed while the pool lives, so block pointers stay valid; freed
/// blocks go back to the free list and are handed out again, so steady-state decoding
/// allocates nothing.
struct BlockPool {
    let bytesPerBlock: Int
    let blocksPerChunk: Int
    private var chunks: [UnsafeMutableRawPointer] = []
    private var free: [Int32] = []
    /// Reference count per block: the number of segments whose block list contains it.
    private(set) var references: [Int32] = []

    init(bytesPerBlock: Int) {
        self.bytesPerBlock = bytesPerBlock
        // About 8 MiB per chunk keeps growth coarse without reserving memory nobody uses; a chunk is allocated in whole
        // 2 MiB pages (`braid_alloc_zeroed_large`), so it takes as many blocks as those pages hold.
        let blocks = max(1, (8 << 20) / max(1, bytesPerBlock))
        blocksPerChunk = max(blocks, braid_large_size(blocks * bytesPerBlock) / max(1, bytesPerBlock))
    }

    /// Total blocks ever carved (in use or free).
    var capacity: Int { references.count }
    /// Blocks currently referenced by at least one segment.
    var inUse: Int { references.count - free.count }

    /// Carves chunks until at least `count` blocks are free; false when the system refuses the memory (the pool is
    /// then as it was, plus any chunk already carved).
    mutating func ensureFree(_ count: Int) -> Bool {
        while free.count < count {
            // Huge pages where the kernel allows (`braid_alloc_zeroed_large`): attention reads every live thread's
            // blocks each step.
            guard let chunk = braid_alloc_zeroed_large(bytesPerBlock * blocksPerChunk) else { return false }
            let first = references.count
            chunks.append(chunk)
            references.append(contentsOf: repeatElement(0, count: blocksPerChunk))
            // Reversed so that blocks are handed out in ascending order.
            free.append(contentsOf: (first..<(first + blocksPerChunk)).reversed().map { Int32($0) })
        }
        return true
    }

    /// Takes a free block (reference count 1); `ensureFree` must have made room for it.
    mutating func take() -> Int32 {
        precondition(!free.isEmpty, "BlockPool.take without ensureFree")
        let block = free.removeLast()
        references[Int(block)] = 1
        return block
    }

    /// Adds a reader to a block.
    mutating func retain(_ block: Int32) { references[Int(block)] += 1 }

    /// Drops a reader; the block returns to the free list when none is left.
    mutating func release(_ block: Int32) {
        references[Int(block)] -= 1
        if references[Int(block)] == 0 { free.append(block) }
    }

    /// Start of a block's storage.
    func base(_ block: Int32) -> UnsafeMutableRawPointer {
        let b = Int(block)
        return chunks[b / blocksPerChunk] + (b % blocksPerChunk) * bytesPerBlock
    }

    /// Frees every chunk; the pool must not be used afterwards.
    func deallocateAll() {
        for chunk in chunks { braid_free_large(chunk) }
    }
}
