/// A growable scratch buffer of `Float`s that keeps its memory between uses.
///
/// The forward pass needs many temporary matrices whose size depends on the batch. Allocating
/// them per step would put `malloc`/page faults on the hot path, so each buffer grows
/// geometrically when a larger batch arrives and is otherwise reused as is. The contents are
/// not preserved across a growth: callers treat the buffer as uninitialised scratch.
final class FloatBuffer {
    /// Start of the storage; valid for `capacity` elements.
    private(set) var pointer: UnsafeMutablePointer<Float>
    /// Number of `Float`s the storage holds.
    private(set) var capacity: Int

    /// Creates a buffer with room for `capacity` elements (at least one).
    init(capacity: Int = 1) {
        self.capacity = max(1, capacity)
        pointer = .allocate(capacity: self.capacity)
    }

    deinit { pointer.deallocate() }

    /// Makes room for `count` elements and returns the start of the storage.
    ///
    /// Growth doubles the capacity (at least), so a sequence of slowly growing requests costs
    /// amortised O(1) allocations.
    @discardableResult
    func reserve(_ count: Int) -> UnsafeMutablePointer<Float> {
        if count > capacity {
            let newCapacity = max(count, capacity * 2)
            pointer.deallocate()
            pointer = .allocate(capacity: newCapacity)
            capacity = newCapacity
        }
        return pointer
    }
}
