import BraidPlan
import Foundation

/// The eval table: one row per configuration, as a Markdown pipe table whose columns are padded so it reads
/// the same in a terminal and pastes into documentation unchanged.
public enum EvalTable {
    /// The column headers.
    public static let headers = ["graph", "n", "accuracy", "95% CI", "mean s", "p90 s", "mean tokens",
                                 "mean seq. tokens", "peak KV"]

    /// One row's cells.
    public static func cells(_ s: EvalSummary) -> [String] {
        [
            s.config + (s.failed > 0 ? " (\(s.failed) failed)" : ""),
            String(s.n),
            "\(percent(s.accuracy)) (\(s.correct)/\(s.n))",
            "\(percent(s.interval.lower))–\(percent(s.interval.upper))",
            String(format: "%.2f", s.meanSeconds),
            String(format: "%.2f", s.p90Seconds),
            String(format: "%.1f", s.meanTokens),
            String(format: "%.1f", s.meanSequentialTokens),
            ByteCount.format(s.peakKVBytes),
        ]
    }

    /// The table for `summaries`, one row each in order.
    public static func render(_ summaries: [EvalSummary]) -> String {
        let rows = [headers] + summaries.map(cells)
        // At least 2, so a right-aligned column's "-:" fits (n = 2 has a 1-character column).
        var widths = headers.map { _ in 2 }
        for row in rows {
            for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) }
        }
        // Text columns left-aligned, numbers right-aligned (the Markdown alignment row says the same).
        let rightAligned = Set(1..<headers.count)
        func line(_ row: [String]) -> String {
            "| " + row.enumerated().map { i, cell in
                let pad = String(repeating: " ", count: widths[i] - cell.count)
                return rightAligned.contains(i) ? pad + cell : cell + pad
            }.joined(separator: " | ") + " |"
        }
        let rule = "|" + widths.enumerated().map { i, w in
            rightAligned.contains(i) ? " " + String(repeating: "-", count: max(1, w - 1)) + ": " : " " + String(repeating: "-", count: w) + " "
        }.joined(separator: "|") + "|"
        return ([line(headers), rule] + summaries.map { line(cells($0)) }).joined(separator: "\n")
    }

    /// A proportion as a percentage with one decimal (`12.5%`).
    static func percent(_ value: Double) -> String {
        String(format: "%.1f%%", value * 100)
    }
}
