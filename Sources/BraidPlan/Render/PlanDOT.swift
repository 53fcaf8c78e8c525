/// A Graphviz picture of a plan: one box per segment (kind, position rule, thought index), grouped by thread;
/// solid edges for what a segment attends to, dotted edges to position anchors it does not attend to.
public enum PlanDOT {
    /// Renders the plan as a `digraph`.
    public static func render(_ plan: Plan) -> String {
        let colors = Palette.colors(for: plan)
        let index = plan.segmentIndex
        var out = "digraph \(quote(plan.graph)) {\n  rankdir=LR;\n  node [shape=box, style=\"rounded,filled\", fontname=\"Helvetica\"];\n"
        for (t, thread) in plan.threads.enumerated() where !thread.segments.isEmpty {
            out += "  subgraph cluster_\(t) {\n    label=\(quote("thread " + thread.id));\n    color=\"#bbbbbb\";\n"
            for id in thread.segments {
                guard let segment = index[id].map({ plan.segments[$0] }) else { continue }
                let color = (colors[id] ?? RGB(0x88, 0x88, 0x88)).lighter(0.55).hex
                let thought = segment.thought == 0 ? "" : "\\nthought \(segment.thought)"
                let rule = segment.placement.rule == .continue ? "" : " · \(segment.placement.rule.rawValue)"
                out += "    \(quote(id)) [label=\(quote("\(id)\\n\(segment.kind.rawValue)\(rule)\(thought)")), fillcolor=\"\(color)\"];\n"
            }
            out += "  }\n"
        }
        // The segment each one continues in its own thread (`nil`: the thread's first).
        var previousInThread: [SegmentName: SegmentName] = [:]
        for thread in plan.threads {
            for (earlier, later) in zip(thread.segments, thread.segments.dropFirst()) { previousInThread[later] = earlier }
        }
        for segment in plan.segments {
            // Only edges to segments not already seen through the previous segment of the view keep the picture sparse.
            // Position edges carry `xlabel`s: Graphviz crashes laying out `label`s on edges between clusters.
            let previous = previousInThread[segment.id].flatMap { index[$0] }.map { plan.segments[$0] }
            for seen in directlyRead(segment, previous: previous, in: plan, index: index) {
                out += "  \(quote(seen)) -> \(quote(segment.id));\n"
            }
            for anchor in segment.placement.anchors where !segment.view.contains(anchor) {
                out += "  \(quote(anchor)) -> \(quote(segment.id)) [style=dotted, xlabel=\(quote(segment.placement.rule.rawValue)), fontsize=9];\n"
            }
        }
        for spawn in plan.spawns {
            let node = "spawn:" + spawn.id
            out += "  \(quote(node)) [shape=octagon, label=\(quote("spawn \(spawn.id)\\n≤ \(spawn.maxChildren) × \(spawn.maxRounds)")), fillcolor=\"#eeeeee\"];\n"
            out += "  \(quote(spawn.trigger)) -> \(quote(node)) [style=dashed];\n"
        }
        return out + "}\n"
    }

    /// The view entries of `segment` that its own thread's previous segment did not already read; for a thread's
    /// first segment, the entries no other entry's view already reads (plus the last one).
    static func directlyRead(_ segment: Segment, previous: Segment?, in plan: Plan, index: [SegmentName: Int]) -> [SegmentName] {
        let own = segment.view.dropLast()
        guard let previous else {
            guard let last = own.last else { return [] }
            // A view names only earlier segments and ends with its own, so what others read is their views' heads.
            var readByOthers = Set<SegmentName>()
            for other in own { if let at = index[other] { readByOthers.formUnion(plan.segments[at].view.dropLast()) } }
            return [last] + own.dropLast().filter { !readByOthers.contains($0) }
        }
        let inherited = Set(previous.view)
        return own.filter { !inherited.contains($0) || $0 == previous.id }
    }

    /// A DOT string literal.
    static func quote(_ text: String) -> String {
        "\"" + text.replacingDoubleQuotes() + "\""
    }
}

extension String {
    /// Escapes `"` for DOT.
    func replacingDoubleQuotes() -> String {
        var out = ""
        for character in self { out += character == "\"" ? "\\\"" : String(character) }
        return out
    }
}
