import Foundation

/// The serving-lowering report as text (`braid plan GRAPH --backend openai`) or JSON.
public enum ServingLoweringText {
    /// The report: lowered rules, then the request pattern.
    public static func render(_ report: ServingLowering, markdown: Bool = false) -> String {
        var out = "serving lowering for \(report.graph) (OpenAI-style /v1/completions: flat prompt text, causal mask, positions 0…n)\n\n"
        if report.changes.isEmpty {
            out += "lowered: nothing; the served run means what the plan means\n"
        } else {
            out += "lowered (\(report.changes.count)):\n"
            var table = TextTable(headers: ["rule", "step", "plan", "served as"])
            for change in report.changes {
                table.rows.append([change.kind.rawValue, change.step, change.planSays, change.servedAs])
            }
            out += table.render(markdown: markdown)
        }
        out += "\nrequests (\(report.requests.count)), one per decoded segment (identical siblings: one request with n); a stage's requests are in flight together:\n"
        var requests = TextTable(headers: ["stage", "segment", "thread", "prompt = text of", "prefix shared with earlier requests", "with"])
        for request in report.requests {
            let siblings = report.requests.filter { $0.fork != nil && $0.fork == request.fork }.count
            requests.rows.append([
                String(request.stage), request.segment, request.thread,
                request.context.isEmpty ? "-" : request.context.joined(separator: " + "),
                request.sharedPrefix.isEmpty ? "-" : request.sharedPrefix.joined(separator: " + "),
                request.fork.map { fork in
                    request.n.map { "fork \(fork): one request, n=\($0) (identical siblings)" } ?? "fork \(fork): \(siblings) requests at once"
                } ?? "-",
            ])
        }
        out += requests.render(markdown: markdown)
        for spawn in report.spawns {
            out += "\nspawn \(spawn.id) (thread \(spawn.parent)), per round, at most \(spawn.maxRounds) rounds:\n"
            out += "  1. the parent's request stops at \(quoted(spawn.stopAt)); Braid reads the spawn block from its text\n"
            let fresh = spawn.childContext == .isolated
                ? "each from its own prompt (isolated: no prefix shared with the parent)"
                : "each prompted with the parent's text (shared prefix) and its message"
            out += "  2. up to \(spawn.maxChildren) child requests in flight together, \(fresh)\n"
            out += "  3. one join request: the parent's text cut before the spawn block, plus the join block of the children's results; it shares the parent's text as prefix and decodes on\n"
        }
        return out
    }

    /// The report as JSON (sorted keys, stable for diffs).
    public static func json(_ report: ServingLowering) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(report), as: UTF8.self) + "\n"
    }

    /// Text in quotes with newlines shown as `\n`.
    static func quoted(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\n", with: "\\n") + "\""
    }
}
