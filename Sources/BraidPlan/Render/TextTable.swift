/// A plain-text table with left-aligned columns, for terminal output and Markdown-friendly docs.
struct TextTable {
    /// Column headers.
    var headers: [String]
    /// Rows of cells (shorter rows are padded).
    var rows: [[String]] = []

    /// Renders with two spaces between columns; as a Markdown table when `markdown` is true.
    func render(markdown: Bool = false) -> String {
        let columns = headers.count
        let cells = rows.map { $0 + Array(repeating: "", count: max(0, columns - $0.count)) }
        if markdown {
            var out = "| " + headers.joined(separator: " | ") + " |\n"
            out += "|" + String(repeating: "---|", count: columns) + "\n"
            for row in cells {
                out += "| " + row.map { $0.replacingPipes() }.joined(separator: " | ") + " |\n"
            }
            return out
        }
        var widths = headers.map(\.count)
        for row in cells {
            for (i, cell) in row.enumerated() where i < columns { widths[i] = max(widths[i], cell.count) }
        }
        func line(_ row: [String]) -> String {
            var text = ""
            for (i, cell) in row.prefix(columns).enumerated() {
                text += i == columns - 1 ? cell : cell + String(repeating: " ", count: widths[i] - cell.count + 2)
            }
            return "  " + text
        }
        return ([line(headers)] + cells.map(line)).joined(separator: "\n") + "\n"
    }
}

extension String {
    /// Escapes `|` for a Markdown table cell.
    func replacingPipes() -> String {
        var out = ""
        for character in self { out += character == "|" ? "\\|" : String(character) }
        return out
    }
}

/// Thousands separators for readable counts (`46,080`).
enum Count {
    /// `n` with commas every three digits.
    static func format(_ n: Int) -> String {
        let digits = String(n.magnitude)
        var out = ""
        for (i, digit) in digits.enumerated() {
            if i > 0, (digits.count - i) % 3 == 0 { out += "," }
            out.append(digit)
        }
        return n < 0 ? "-" + out : out
    }
}
