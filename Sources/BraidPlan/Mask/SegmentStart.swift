extension Plan {
    /// Where segment `id` starts in a run that has written the segments `written` knows about (their start and
    /// length so far): the one placement rule, as `MaskExpansion.layOut` applies it to given lengths.
    ///
    /// The start is the largest end of the placement's `after` anchors, plus the lengths of its `plus` segments,
    /// plus `slot` × the fork's slot (`FlatSlot`, via `slotLength`). An anchor the run has not written (a stopped
    /// branch's later step) has 0 tokens and ends where its own placement would start it, as in the mask
    /// expansion with length 0. `index` maps segment ids to their index in `segments`.
    public func start(of id: SegmentName, index: [SegmentName: Int],
                      written: (SegmentName) -> (start: Int, length: Int)?,
                      slotLength: (ForkPlan) throws -> Int) throws -> Int {
        var memo: [SegmentName: Int] = [:]
        func startOf(_ id: SegmentName, depth: Int) throws -> Int {
            if let known = memo[id] { return known }
            guard let i = index[id] else {
                throw PlanError.inconsistent(segment: id, reason: "no segment with this id in the plan")
            }
            // Anchors always come earlier in write order, so the recursion is bounded by the plan's size.
            guard depth <= segments.count else {
                throw PlanError.inconsistent(segment: id, reason: "its position anchors form a cycle")
            }
            let placement = segments[i].placement
            var ends: [SegmentName: Int] = [:]
            var lengths: [SegmentName: Int] = [:]
            for anchor in placement.after {
                if let w = written(anchor) {
                    ends[anchor] = w.start + w.length
                } else {
                    ends[anchor] = try startOf(anchor, depth: depth + 1)
                }
            }
            for segment in placement.plus { lengths[segment] = written(segment)?.length ?? 0 }
            var slot = 0
            if placement.slot != nil, let fork = fork(containing: id) { slot = try slotLength(fork) }
            guard let start = placement.start(ends: ends, lengths: lengths, slotLength: slot) else {
                throw PlanError.inconsistent(segment: id, reason: "its position anchors are not placed before it")
            }
            memo[id] = start
            return start
        }
        return try startOf(id, depth: 0)
    }
}
