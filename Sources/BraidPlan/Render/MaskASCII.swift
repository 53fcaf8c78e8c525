/// A terminal picture of a mask expansion: one row per query token, one column per key token; a cell shows the
/// key segment's symbol where the query attends and `·` where it doesn't. A legend maps symbols to segments.
public enum MaskASCII {
    /// One symbol per segment: `P` for prompts, `S` for summaries, then letters and digits in write order.
    public static func symbols(for expansion: MaskExpansion) -> [SegmentName: Character] {
        let pool = Array("abcdefghijklmnoqrtuvwxyzABCDEFGHIJKLMNOQRTUVWXYZ0123456789")
        var result: [SegmentName: Character] = [:]
        var next = 0
        var usedP = false
        var usedS = false
        for (segment, _) in expansion.ranges {
            let kind = expansion.plan.segment(segment)?.kind
            if kind == .prompt, !usedP {
                result[segment] = "P"
                usedP = true
            } else if kind == .summary, !usedS {
                result[segment] = "S"
                usedS = true
            } else {
                result[segment] = next < pool.count ? pool[next] : "#"
                next += 1
            }
        }
        return result
    }

    /// Renders the picture with its legend.
    public static func render(_ expansion: MaskExpansion) -> String {
        let symbol = symbols(for: expansion)
        let n = expansion.count
        let nameWidth = max(7, expansion.ranges.map(\.segment.count).max() ?? 0)
        var out = "\(expansion.plan.graph): \(n) tokens (rows = queries, columns = keys; letter = attends to that segment)\n"
        for (segment, range) in expansion.ranges {
            let thread = expansion.plan.segment(segment)?.thread ?? "?"
            let positions = range.isEmpty ? "empty"
                : "positions \(expansion.tokens[range.lowerBound].position)–\(expansion.tokens[range.upperBound - 1].position)"
            out += "  \(symbol[segment] ?? "#") = \(segment) (thread \(thread), \(range.count) tokens, \(positions))\n"
        }
        let prefixWidth = 5 + 5 + nameWidth + 2
        var header = String(repeating: " ", count: prefixWidth)
        var tens = String(repeating: " ", count: prefixWidth - 4) + "pos "
        var ones = pad("  #", 5) + pad(" pos", 5) + pad(" segment", nameWidth + 1) + " "
        for token in expansion.tokens {
            header.append(symbol[token.segment] ?? "#")
            tens.append(token.position >= 10 ? Character(String((token.position / 10) % 10)) : " ")
            ones.append(Character(String(token.position % 10)))
        }
        out += header + "\n" + tens + "\n" + ones + "\n"
        for token in expansion.tokens {
            var line = pad(String(token.index), 4, right: true) + " " + pad(String(token.position), 4, right: true) + " "
                + pad(token.segment, nameWidth) + "  "
            for key in 0..<n {
                line.append(expansion.attends(token.index, key) ? (symbol[expansion.tokens[key].segment] ?? "#") : "·")
            }
            out += line + "\n"
        }
        return out
    }

    /// Pads (or truncates nothing) `text` to `width` columns.
    static func pad(_ text: String, _ width: Int, right: Bool = false) -> String {
        let fill = String(repeating: " ", count: max(0, width - text.count))
        return right ? fill + text : text + fill
    }
}
