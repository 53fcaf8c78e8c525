import Foundation

/// What `braid bench graph` reports: per path count, the run's wall time and summary time (medians), the
/// ratio to one path, and with reprefill measured, the ratio reprefill/attend.
struct GraphBenchReport: Codable {
    /// One path count.
    struct Row: Codable {
        var paths: Int
        /// Wall time of the run, merge read in place.
        var seconds: BenchFigure
        /// Median wall time over the median wall time at the smallest P measured (normally 1).
        var ratioToFirst: Double
        /// Summary phase (merge + summary decoding), merge read in place.
        var summarySeconds: BenchFigure
        /// Tokens sampled per run (paths and summary).
        var sampled: Int
        /// Generated tokens per second over the whole run (median).
        var tokensPerSecond: Double
        /// Share of the wall time spent in the scheduler's forward passes (median over repeats).
        var forwardShare: Double
        /// Most KV bytes in use at once.
        var peakKVBytes: Int
        /// The same with the merge's sources recomputed (`--compare-reprefill`).
        var reprefillSeconds: BenchFigure?
        var reprefillSummarySeconds: BenchFigure?
        /// Median reprefill wall time / median attend wall time.
        var reprefillRatio: Double?
        /// Median reprefill summary time / median attend summary time.
        var reprefillSummaryRatio: Double?
        /// The `--compare-graph` graph's wall time and summary time.
        var otherSeconds: BenchFigure?
        var otherSummarySeconds: BenchFigure?
        /// Median `--compare-graph` wall time / median attend wall time.
        var otherRatio: Double?
        /// Whether every path wrote exactly the budget in every run.
        var budgetsHeld: Bool
    }

    var graph: String
    /// The `--compare-graph` graph, if any.
    var compareGraph: String?
    var model: String
    var machine: BenchMachine
    var tokensPerPath: Int
    var summaryTokens: Int?
    var repeats: Int
    var rows: [Row]
    var peakResidentBytes: Int?

    init(graph: String, compareGraph: String?, model: String, machine: BenchMachine, tokensPerPath: Int, summaryTokens: Int?, repeats: Int,
         counts: [Int], samples: [Setting: [GraphRunSample]], peakResidentBytes: Int?) {
        self.graph = graph
        self.compareGraph = compareGraph
        self.model = model
        self.machine = machine
        self.tokensPerPath = tokensPerPath
        self.summaryTokens = summaryTokens
        self.repeats = repeats
        self.peakResidentBytes = peakResidentBytes
        var rows: [Row] = []
        var first: Double?
        for p in counts {
            let attend = samples[Setting(paths: p, variant: .attend)] ?? []
            let again = samples[Setting(paths: p, variant: .recompute)]
            let other = samples[Setting(paths: p, variant: .other)]
            let wall = BenchFigure(attend.map(\.seconds))
            let summary = BenchFigure(attend.map(\.summarySeconds))
            if first == nil { first = wall.median }
            let sampled = attend.first?.sampled ?? 0
            var row = Row(paths: p, seconds: wall, ratioToFirst: wall.median / max(first ?? wall.median, 1e-9),
                          summarySeconds: summary, sampled: sampled,
                          tokensPerSecond: Double(sampled) / max(wall.median, 1e-9),
                          forwardShare: BenchFigure(attend.map { $0.forwardSeconds / max($0.seconds, 1e-9) }).median,
                          peakKVBytes: attend.map(\.peakKVBytes).max() ?? 0,
                          budgetsHeld: (attend + (again ?? []) + (other ?? [])).allSatisfy { $0.pathTokens.allSatisfy { $0 == tokensPerPath } })
            if let again, !again.isEmpty {
                let w = BenchFigure(again.map(\.seconds)), s = BenchFigure(again.map(\.summarySeconds))
                row.reprefillSeconds = w
                row.reprefillSummarySeconds = s
                row.reprefillRatio = w.median / max(wall.median, 1e-9)
                row.reprefillSummaryRatio = s.median / max(summary.median, 1e-9)
            }
            if let other, !other.isEmpty {
                let w = BenchFigure(other.map(\.seconds))
                row.otherSeconds = w
                row.otherSummarySeconds = BenchFigure(other.map(\.summarySeconds))
                row.otherRatio = w.median / max(wall.median, 1e-9)
            }
            rows.append(row)
        }
        self.rows = rows
    }

    /// A markdown table.
    var text: String {
        let withReprefill = rows.contains { $0.reprefillSeconds != nil }
        let withOther = rows.contains { $0.otherSeconds != nil }
        var lines = [
            "graph: \(graph), \(tokensPerPath) tokens per path" + (summaryTokens.map { ", summary \($0) tokens" } ?? "")
                + ", finish=all, fixed budgets, \(repeats) repeats (median, min–max)",
            "model: \(model)" + (compareGraph.map { "; compare-graph: \($0)" } ?? ""),
            "machine: \(machine.summary)",
            "",
        ]
        var header = "| P | wall s | ratio to P=\(rows.first?.paths ?? 1) | tok/s | summary s | in forward | peak KV MiB |"
        var rule = "|---|---|---|---|---|---|---|"
        if withReprefill {
            header += " reprefill wall s | reprefill/attend wall | reprefill summary s | reprefill/attend summary |"
            rule += "---|---|---|---|"
        }
        if withOther {
            header += " compare-graph wall s | compare-graph/attend wall | compare-graph summary s |"
            rule += "---|---|---|"
        }
        lines += [header, rule]
        for r in rows {
            var line = "| \(r.paths) | \(r.seconds.text(2)) | " + String(format: "%.2f", r.ratioToFirst)
                + String(format: " | %.1f | ", r.tokensPerSecond) + r.summarySeconds.text(2)
                + String(format: " | %.0f%% | %.1f |", 100 * r.forwardShare, Double(r.peakKVBytes) / 1_048_576)
            if let w = r.reprefillSeconds, let s = r.reprefillSummarySeconds,
               let wr = r.reprefillRatio, let sr = r.reprefillSummaryRatio {
                line += " \(w.text(2)) | " + String(format: "%.2f", wr) + " | \(s.text(2)) | " + String(format: "%.2f |", sr)
            }
            if let w = r.otherSeconds, let s = r.otherSummarySeconds, let ratio = r.otherRatio {
                line += " \(w.text(2)) | " + String(format: "%.2f", ratio) + " | \(s.text(2)) |"
            }
            lines.append(line)
        }
        if rows.contains(where: { !$0.budgetsHeld }) {
            lines.append("")
            lines.append("warning: some paths did not write their whole budget (context window reached?)")
        }
        lines.append("")
        lines.append("peak RSS (VmHWM): " + (peakResidentBytes.map { String(format: "%.1f MiB", Double($0) / 1_048_576) } ?? "unknown"))
        return lines.joined(separator: "\n")
    }
}
