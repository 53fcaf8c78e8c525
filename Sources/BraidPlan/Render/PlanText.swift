/// The readable form of a plan that `braid plan` prints: segments with positions, views and lifetimes, then
/// forks, merges, spawns and bounds.
public enum PlanText {
    /// Renders the plan; `markdown` gives Markdown tables (for Docs/graphs.md).
    public static func render(_ plan: Plan, bounds: Bounds? = nil, markdown: Bool = false) -> String {
        var out = markdown ? "" : "plan for \(plan.graph)"
        if !markdown {
            let params = plan.params.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
            out += params.isEmpty ? "\n" : " (\(params.joined(separator: ", ")))\n"
        }
        out += (markdown ? "" : "\nsegments, in write order:\n") + segmentTable(plan, bounds: bounds).render(markdown: markdown)
        let structure = structureLines(plan)
        if !structure.isEmpty {
            out += "\n" + structure.map { markdown ? "- \($0)" : "  \($0)" }.joined(separator: "\n") + "\n"
        }
        if let bounds {
            out += "\n" + boundsLines(bounds).map { markdown ? "- \($0)" : "  \($0)" }.joined(separator: "\n") + "\n"
        }
        return out
    }

    /// One row per segment.
    static func segmentTable(_ plan: Plan, bounds: Bounds?) -> TextTable {
        var table = TextTable(headers: ["segment", "kind", "thread", "stage", "starts at", "thought", "tokens ≤", "view", "KV released"])
        let limits = Dictionary((bounds?.segments ?? []).map { ($0.segment, $0) }) { first, _ in first }
        for segment in plan.segments {
            let bound = limits[segment.id]
            table.rows.append([
                segment.id, segment.kind.rawValue, segment.thread, String(segment.stage),
                positionText(segment.placement, maxStart: bound?.maxStart),
                segment.thought == 0 ? "-" : String(segment.thought),
                bound.map { Count.format($0.maxTokens) } ?? budgetText(segment.content),
                abbreviated(segment.view, separator: " "),
                lifetimeText(segment),
            ])
        }
        return table
    }

    /// At most `PlanText.listLimit` ids: a long list (a summary's view of 4,000 paths) keeps its first and last
    /// few and says how many there are. Printing every id in every row would make the table's width, padded on every
    /// row, grow with the list, and the output quadratic in the number of paths.
    static func abbreviated(_ ids: [String], separator: String) -> String {
        guard ids.count > listLimit else { return ids.joined(separator: separator) }
        let shown = listLimit / 2
        return (ids.prefix(shown) + ["…"] + ids.suffix(shown)).joined(separator: separator) + " (\(Count.format(ids.count)))"
    }

    /// The most ids a table cell lists in full.
    static let listLimit = 16

    /// `shared: end of prompt (≤ 264)` and similar.
    static func positionText(_ placement: Placement, maxStart: Int?) -> String {
        let bound = maxStart.map { " (≤ \(Count.format($0)))" } ?? ""
        switch placement.rule {
        case .start: return "0"
        case .continue, .shared, .flat:
            var text = "\(placement.rule.rawValue): end of \(placement.after.isEmpty ? "nothing" : abbreviated(placement.after, separator: ", "))"
            if !placement.plus.isEmpty { text += " + \(placement.plus.count) branch lengths" }
            if let slot = placement.slot, slot > 0 { text += " + \(slot) × l_max" }
            return text + bound
        case .afterLongest:
            return "after longest of \(placement.after.count)" + bound
        }
    }

    /// The budget of a decoded segment, `text` otherwise.
    static func budgetText(_ content: SegmentContent) -> String {
        switch content {
        case .generate(let generation): return "\(generation.maxTokens) new"
        case .text, .chat: return "text"
        case .splice(let splice): return "\(splice.sources.count) texts"
        }
    }

    /// When the KV goes.
    static func lifetimeText(_ segment: Segment) -> String {
        let lifetime = segment.lifetime
        var text: String
        switch lifetime.reason {
        case .runEnd: text = "at run end"
        case .ownEnd: text = "when it ends"
        case .lastReader: text = "after \(lifetime.lastReader)"
        case .textTaken: text = "text taken by \(lifetime.lastReader)"
        }
        if lifetime.freedWhenKilled { text += "; at once if killed" }
        return text
    }

    /// Forks, merges, spawns, votes and the answer rule, one line each.
    static func structureLines(_ plan: Plan) -> [String] {
        var lines: [String] = []
        for fork in plan.forks {
            lines.append("fork \(fork.id): \(fork.branches.count) branches of \(fork.parent)"
                + (fork.at.map { " after \($0)" } ?? "") + ", context \(fork.context.rawValue), finish \(fork.finish.label)")
        }
        for merge in plan.merges {
            lines.append("merge \(merge.id): \(merge.mode.rawValue) over \(merge.fork) (\(merge.sources.count) segments) → "
                + merge.segments.joined(separator: ", "))
        }
        for spawn in plan.spawns {
            lines.append("spawn \(spawn.id): \(spawn.parent) may spawn from \(spawn.trigger), up to \(spawn.maxChildren) "
                + "\(spawn.context.rawValue) children × \(spawn.maxRounds) rounds, depth ≤ \(spawn.maxDepth), "
                + "child budget \(spawn.child.maxTokens); children's text joined as \(spawn.joinSegment(round: 0)), …")
        }
        for vote in plan.votes {
            lines.append("vote \(vote.id): majority over \(vote.fork)'s \(vote.sources.count) segments, ties: \(vote.tie.rawValue)")
        }
        if let answer = plan.answer {
            lines.append("answer: " + (answer.pattern.map { "/\($0)/" } ?? "the text") + (answer.from.map { " from \($0)" } ?? ""))
        }
        return lines
    }

    /// The bounds, one line each.
    static func boundsLines(_ bounds: Bounds) -> [String] {
        let model = bounds.model
        let element = model.kvBytesPerElement == 2 ? "f16" : model.kvBytesPerElement == 4 ? "f32" : "\(model.kvBytesPerElement)-byte"
        var lines = [
            "model: \(model.layers) layers × \(model.kvHeads) KV heads × \(model.headDim), \(element) KV "
                + "→ \(Count.format(bounds.kvBytesPerToken)) bytes per token; context \(Count.format(model.contextLength))",
            "peak live tokens: \(Count.format(bounds.peakLiveTokens)) (stage \(bounds.peakStage)) "
                + "→ peak KV \(ByteCount.format(bounds.peakKVBytes)) (\(Count.format(bounds.peakKVBytes)) bytes)",
        ]
        if let longest = bounds.longestView {
            lines.append("longest view: \(longest.segment), \(Count.format(longest.viewTokens)) tokens of \(Count.format(model.contextLength))")
        }
        lines.append("largest position: \(Count.format(max(0, bounds.maxPositionEnd - 1))) (context \(Count.format(model.contextLength)))")
        return lines
    }
}
