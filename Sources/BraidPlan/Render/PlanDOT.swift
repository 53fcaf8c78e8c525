/// A Graphviz picture of a plan: one box per segment (kind, position rule, thought index), grouped by thread;
/// solid edges for what a segment attends to, dotted edges to position anchors it does not attend to.
public enum PlanDOT {
    /// Renders the plan as a `digraph`.
    public static func render(_ plan: Plan) -> String {
        let colors = Palette.colors(for: plan)
        var out = "digraph \(quote(plan.graph)) {\n  rankdir=LR;\n  node [shape=box, style=\"rounded,filled\", fontname=\"Helvetica\"];\n"
        for (t, thread) in plan.threads.enumerated() where !thread.segments.isEmpty {
            out += "  subgraph cluster_\(t) {\n    label=\(quote("thread " + thread.id));\n    color=\"#bbbbbb\";\n"
            for id in thread.segments {
                guard let segment = plan.segment(id) else { continue }
                let color = (colors[id] ?? RGB(0x88, 0x88, 0x88)).lighter(0.55).hex
                let thought = segment.thought == 0 ? "" : "\\nthought \(segment.thought)"
                let rule = segment.placement.rule == .continue ? "" : " · \(segment.placement.rule.rawValue)"
                out += "    \(quote(id)) [label=\(quote("\(id)\\n\(segment.kind.rawValue)\(rule)\(thought)")), fillcolor=\"\(color)\"];\n"
            }
            out += "  }\n"
        }
        for segment in plan.segments {
            // Only edges to segments not already seen through the previous segment of the view keep the picture sparse.
            // Position edges carry `xlabel`s: Graphviz crashes laying out `label`s on edges between clusters.
            for seen in directlyRead(segment, in: plan) {
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

    /// The view entries of `segment` that its own thread's previous segment did not already read.
    static func directlyRead(_ segment: Segment, in plan: Plan) -> [SegmentID] {
        let own = segment.view.dropLast()
        guard let thread = plan.thread(segment.thread), let at = thread.segments.firstIndex(of: segment.id), at > 0,
              let previous = plan.segment(thread.segments[at - 1]) else {
            return own.isEmpty ? [] : [own.last].compactMap { $0 } + own.dropLast().filter { candidate in
                !own.contains { other in other != candidate && (plan.segment(other)?.view.contains(candidate) ?? false) }
            }
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
