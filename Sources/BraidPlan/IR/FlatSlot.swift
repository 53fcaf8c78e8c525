import BraidRules

/// The one definition of a flat fork's slot (ParaThinker's naive flattening, m = l_x + i·l_max + t).
///
/// Branch i of a flat fork starts i slots after the fork point. The slot is fixed *before* any branch
/// decodes, so that every branch knows its positions up front and all of them decode side by side: it is
/// the largest branch *budget*, a budget being the most tokens the branch's first segment can hold — its
/// forced-prefix tokens plus its `max_tokens` (forced text alone for a branch that does not decode).
/// Shorter branches leave gaps; none overlap. The runtime, `MaskExpansion` and `Bounds` all use this rule;
/// the token count of a prefix depends on the model's tokenizer, so callers supply it.
public enum FlatSlot {
    /// The budget of a flat branch: its forced-prefix tokens plus what it may decode (`decodes`, nil when
    /// the branch only writes forced text).
    public static func budget(prefixTokens: Int, decodes maxTokens: Int?) -> Int {
        prefixTokens + (maxTokens ?? 0)
    }

    /// The budget of a flat branch's first segment, given the token count of its forced text.
    public static func budget(of segment: Segment, prefixTokens: Int) -> Int {
        switch segment.content {
        case .generate(let decoding): return budget(prefixTokens: prefixTokens, decodes: decoding.maxTokens)
        case .text(_, let maxTokens): return budget(prefixTokens: maxTokens.map { min($0, prefixTokens) } ?? prefixTokens, decodes: nil)
        case .chat, .splice: return budget(prefixTokens: prefixTokens, decodes: nil)
        }
    }

    /// The forced text at the start of a flat branch's first segment (a template), if any.
    public static func forcedText(of segment: Segment) -> Template? {
        switch segment.content {
        case .generate(let decoding): return decoding.prefix.flatMap { $0.pieces.isEmpty ? nil : $0 }
        case .text(let template, _): return template.pieces.isEmpty ? nil : template
        case .chat, .splice: return nil
        }
    }

    /// The slot length of `fork`: the largest budget of its branches' first segments. `prefixTokens` counts
    /// the tokens of a segment's forced text (see `forcedText(of:)`); it is only called for segments that
    /// have some.
    public static func length(of fork: ForkPlan, in plan: Plan, prefixTokens: (Segment) throws -> Int) rethrows -> Int {
        var slot = 0
        let index = plan.segmentIndex
        for id in fork.segments {
            guard let i = index[id] else { continue }
            let segment = plan.segments[i]
            let forced = forcedText(of: segment) == nil ? 0 : try prefixTokens(segment)
            slot = max(slot, budget(of: segment, prefixTokens: forced))
        }
        return slot
    }
}
