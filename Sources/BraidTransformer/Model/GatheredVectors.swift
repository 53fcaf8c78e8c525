import CBraidKernels

/// Query or probability vectors gathered from many tokens for one KV block, with where each one's results go, so
/// that the block is loaded (and widened from f16) once for all of its readers (`KVStore.blockScores(_:keys:)`).
/// Lives in stack memory for the duration of `with`; holds at most `capacity` vectors.
struct GatheredVectors {
    /// Vectors one call takes at least: 64 is 21 tokens' three query heads (SmolLM2's group), far more than a tile of
    /// eight.
    static let defaultCapacity = 64

    /// Vectors it holds at most.
    let capacity: Int
    private let inputs: UnsafeMutablePointer<UnsafePointer<Float>?>
    private let outputs: UnsafeMutablePointer<UnsafeMutablePointer<Float>?>
    private let counts: UnsafeMutablePointer<Int32>
    /// Vectors gathered so far.
    private(set) var count = 0

    /// Whether `more` further vectors fit.
    func hasRoom(for more: Int) -> Bool { count + more <= capacity }

    /// Adds a vector read from `input`, its results written from `output` on, over the block's first `slots` slots.
    mutating func append(_ input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, slots: Int) {
        inputs[count] = input
        outputs[count] = output
        counts[count] = Int32(slots)
        count += 1
    }

    /// Forgets every vector.
    mutating func removeAll() { count = 0 }

    /// Runs `body` with an empty gathering in stack memory that holds at least `minimum` vectors (a token's query
    /// heads of one KV head must fit at once, however many a model groups).
    static func with<R>(minimum: Int, _ body: (inout GatheredVectors) throws -> R) rethrows -> R {
        let capacity = max(defaultCapacity, minimum)
        let pointerBytes = capacity * MemoryLayout<UnsafeRawPointer>.stride
        return try withUnsafeTemporaryAllocation(byteCount: 2 * pointerBytes + capacity * 4,
                                                 alignment: MemoryLayout<UnsafeRawPointer>.alignment) { raw in
            let base = raw.baseAddress.unsafelyUnwrapped
            var gathered = GatheredVectors(
                capacity: capacity,
                inputs: base.bindMemory(to: UnsafePointer<Float>?.self, capacity: capacity),
                outputs: (base + pointerBytes).bindMemory(to: UnsafeMutablePointer<Float>?.self, capacity: capacity),
                counts: (base + 2 * pointerBytes).bindMemory(to: Int32.self, capacity: capacity))
            return try body(&gathered)
        }
    }

    /// The kernels' view: inputs, outputs, slot counts and how many.
    func withKernelArguments<R>(_ body: (UnsafePointer<UnsafePointer<Float>?>, UnsafePointer<UnsafeMutablePointer<Float>?>,
                                         UnsafePointer<Int32>, Int32) -> R) -> R {
        body(inputs, outputs, counts, Int32(count))
    }
}

extension KVStore {
    /// `blockScores` for every gathered query vector: vector i's scores against the block's first `slots` slots at
    /// its output, each formed exactly as `blockScores` forms it (16-slot blocks).
    @inline(__always)
    func blockScores(_ gathered: GatheredVectors, headDim: Int, keys: UnsafeRawPointer, scale: Float) {
        gathered.withKernelArguments { q, rows, n, count in
            switch precision {
            case .f32:
                braid_block_scores_many(q, rows, n, count, Int32(headDim), keys.assumingMemoryBound(to: Float.self), scale)
            case .f16:
                braid_block_scores_many_f16(q, rows, n, count, Int32(headDim), keys.assumingMemoryBound(to: UInt16.self),
                                            scale)
            }
        }
    }

    /// `blockValues(_:pStride:heads:values:count:headDim:columns:into:)` for every gathered probability row: its
    /// output columns [0, columns) summed over the block's first `slots` value rows, whose columns start at `values`.
    @inline(__always)
    func blockValues(_ gathered: GatheredVectors, values: UnsafeRawPointer, columns: Int) {
        gathered.withKernelArguments { p, out, n, count in
            switch precision {
            case .f32:
                braid_block_values_many(p, out, n, count, values.assumingMemoryBound(to: Float.self), kvDim, Int32(columns))
            case .f16:
                braid_block_values_many_f16(p, out, n, count, values.assumingMemoryBound(to: UInt16.self), kvDim,
                                            Int32(columns))
            }
        }
    }
}
