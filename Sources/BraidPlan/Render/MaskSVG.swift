/// An SVG picture of a mask expansion: query rows against key columns, attended cells coloured by the key's
/// segment, segment bands and position ids on both axes, and a legend.
public enum MaskSVG {
    /// Approximate width of one monospace character at the picture's font size.
    static let charWidth = 7

    /// Renders the picture.
    public static func render(_ expansion: MaskExpansion) -> String {
        let plan = expansion.plan
        let colors = Palette.colors(for: plan)
        let segmentNames = expansion.ranges.map(\.segment)
        var segmentOfToken = [Int](repeating: 0, count: expansion.count)
        for (i, entry) in expansion.ranges.enumerated() {
            for token in entry.range { segmentOfToken[token] = i }
        }
        let labelWidth = (segmentNames.map(\.count).max() ?? 6) * charWidth
        let layout = MaskLayout(tokens: expansion.count, segments: segmentNames.count, labelWidth: labelWidth, charWidth: charWidth)
        let gx = layout.gridX, gy = layout.gridY, size = layout.gridSize, cell = layout.cell
        var out = """
        <svg xmlns="http://www.w3.org/2000/svg" width="\(layout.width)" height="\(layout.height)" \
        viewBox="0 0 \(layout.width) \(layout.height)" font-family="DejaVu Sans Mono, Menlo, monospace" font-size="11">
        <rect width="100%" height="100%" fill="#ffffff"/>
        <text x="12" y="22" font-size="14" font-weight="bold">\(escape(plan.graph)): attention mask, \(expansion.count) tokens</text>
        <text x="12" y="38" fill="#555555">rows = queries, columns = keys; a coloured cell = the query attends to that key</text>
        <rect x="\(gx)" y="\(gy)" width="\(size)" height="\(size)" fill="#f3f3f3" stroke="#999999"/>

        """
        // Cells, one rect per run of equally coloured cells in a row.
        for row in 0..<expansion.count {
            for run in maskRuns(expansion, row: row, segmentIndexOfToken: segmentOfToken) where run.segment >= 0 {
                let color = colors[segmentNames[run.segment]] ?? RGB(0x88, 0x88, 0x88)
                out += "<rect x=\"\(gx + layout.offset(run.start))\" y=\"\(gy + layout.offset(row))\" "
                    + "width=\"\((run.end - run.start) * cell)\" height=\"\(cell)\" fill=\"\(color.hex)\"/>\n"
            }
        }
        // Segment boundaries and bands on both axes.
        for (i, entry) in expansion.ranges.enumerated() where !entry.range.isEmpty {
            let color = colors[entry.segment] ?? RGB(0x88, 0x88, 0x88)
            let a = layout.offset(entry.range.lowerBound), length = entry.range.count * cell
            if i > 0 {
                out += "<line x1=\"\(gx + a)\" y1=\"\(gy)\" x2=\"\(gx + a)\" y2=\"\(gy + size)\" stroke=\"#ffffff\" stroke-width=\"1\"/>\n"
                out += "<line x1=\"\(gx)\" y1=\"\(gy + a)\" x2=\"\(gx + size)\" y2=\"\(gy + a)\" stroke=\"#ffffff\" stroke-width=\"1\"/>\n"
            }
            out += "<rect x=\"\(gx + a)\" y=\"\(gy - 8)\" width=\"\(length)\" height=\"6\" fill=\"\(color.hex)\"/>\n"
            out += "<rect x=\"\(gx - 8)\" y=\"\(gy + a)\" width=\"6\" height=\"\(length)\" fill=\"\(color.hex)\"/>\n"
            out += "<text x=\"\(gx - 4 * charWidth - 14)\" y=\"\(gy + a + min(length, 14) - 3)\" text-anchor=\"end\" "
                + "fill=\"\(color.hex)\">\(escape(entry.segment))</text>\n"
        }
        // Position ids along both axes.
        for token in expansion.tokens where token.index % layout.tick == 0 {
            let center = layout.offset(token.index) + cell / 2
            out += "<text x=\"\(gx - 12)\" y=\"\(gy + center + 4)\" text-anchor=\"end\" font-size=\"10\" fill=\"#333333\">\(token.position)</text>\n"
            out += "<text transform=\"translate(\(gx + center + 4) \(gy - 12)) rotate(-90)\" font-size=\"10\" fill=\"#333333\">\(token.position)</text>\n"
        }
        out += "<text x=\"\(gx - 12)\" y=\"\(gy - 12)\" text-anchor=\"end\" font-size=\"10\" fill=\"#777777\">pos</text>\n"
        // Legend.
        for (i, entry) in expansion.ranges.enumerated() {
            let y = layout.legendY + i * layout.legendLine
            let color = colors[entry.segment] ?? RGB(0x88, 0x88, 0x88)
            out += "<rect x=\"12\" y=\"\(y)\" width=\"12\" height=\"12\" fill=\"\(color.hex)\"/>\n"
            out += "<text x=\"30\" y=\"\(y + 10)\">\(escape(legendText(entry.segment, entry.range, expansion)))</text>\n"
        }
        return out + "</svg>\n"
    }

    /// `think[0]  thread think[0], thought 1, 6 tokens, positions 12–17`.
    static func legendText(_ segment: SegmentName, _ range: Range<Int>, _ expansion: MaskExpansion) -> String {
        let info = expansion.plan.segment(segment)
        var text = "\(segment): \(info?.kind.rawValue ?? "?"), thread \(info?.thread ?? "?")"
        if let thought = info?.thought, thought != 0 { text += ", thought \(thought)" }
        text += ", \(range.count) tokens"
        if !range.isEmpty {
            text += ", positions \(expansion.tokens[range.lowerBound].position)–\(expansion.tokens[range.upperBound - 1].position)"
        }
        return text
    }

    /// Escapes text for XML.
    static func escape(_ text: String) -> String {
        var out = ""
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default: out.append(character)
            }
        }
        return out
    }
}
