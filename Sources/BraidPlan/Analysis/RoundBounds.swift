/// The check of one run-time spawn round, made when a run instantiates it into its plan.
///
/// The static bounds (`Bounds.compute`) count every spawn at its worst; a run whose worst case does not fit is
/// still started, and each round is checked here as it is instantiated, before any child token is decoded: the
/// round's children at their budgets, over the lengths the run has written so far.
extension Bounds {
    /// The first way the round's new `segments` can't fit: a position or view past the model's context window, or
    /// the KV held while they are written over `memoryLimit` bytes. Bounds the plan as it stands (`compute(instantiated:)`,
    /// the same placement, lengths and liveness as the static check), with `estimate.lengths` holding what the run
    /// has written. Returns the segment at fault and the error naming it; nil when the round fits.
    public static func roundViolation(_ plan: Plan, segments: Set<SegmentName>, model: ModelShape,
                                      estimate: LengthEstimate, memoryLimit: Int?) -> (segment: SegmentName, error: PlanError)? {
        var bounds = compute(instantiated: plan, model: model, estimate: estimate) { segments.contains($0) }
        bounds.segments = bounds.segments.filter(\.runTime)
        for violation in bounds.violations() {
            if case .contextOverflow(let segment, _, _, _) = violation.error { return (segment, violation.error) }
        }
        guard let memoryLimit else { return nil }
        let lengths = clamped(estimate.maxTokens(in: plan), segments: plan.segments.count, bytesPerToken: model.kvBytesPerToken)
        let live = Liveness.liveTokensPerStage(in: plan, lengths: lengths)
        let stages = Set(plan.segments.filter { segments.contains($0.id) }.map(\.stage)).sorted()
        for stage in stages where live.indices.contains(stage) {
            let bytes = live[stage].multiplying(model.kvBytesPerToken)
            guard bytes > memoryLimit else { continue }
            let writers = plan.stages[stage].segments.filter(segments.contains)
            let largest = writers.max { (lengths[$0] ?? 0) < (lengths[$1] ?? 0) } ?? plan.stages[stage].step
            return (largest, .memoryOverLimit(segment: largest, bytes: bytes, limit: memoryLimit, stage: plan.stages[stage].step))
        }
        return nil
    }
}
