import Foundation

/// Small helpers for writing SVG and HTML by hand (the trace viewer and the eval plots): escaping, compact
/// numbers, and axis ticks at round values.
public enum SVGMarkup {
    /// Escapes text for an XML/HTML text node or a double-quoted attribute.
    public static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            // Control characters are not allowed in XML 1.0; show them as a replacement character.
            case _ where scalar.value < 0x20 && scalar != "\n" && scalar != "\t": out += "\u{FFFD}"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// A coordinate or size with at most two decimals and no trailing zeros (`12`, `12.5`, `0.25`).
    public static func num(_ value: Double) -> String {
        guard value.isFinite else { return "0" }
        let rounded = (value * 100).rounded() / 100
        if rounded == rounded.rounded() { return String(Int(rounded)) }
        return String(format: "%.2f", rounded).replacingOccurrences(of: #"0+$"#, with: "", options: .regularExpression)
    }

    /// Round tick values from `low` to at least `high`: steps of 1, 2 or 5 × 10^k, about `count` of them.
    public static func ticks(from low: Double, to high: Double, count: Int = 5) -> [Double] {
        guard high > low, count > 0, low.isFinite, high.isFinite else { return [low] }
        let raw = (high - low) / Double(count)
        let magnitude = pow(10, floor(log10(raw)))
        let step = [1.0, 2, 5, 10].map { $0 * magnitude }.first { $0 >= raw } ?? 10 * magnitude
        var values: [Double] = []
        var value = (low / step).rounded(.down) * step
        while value <= high + step * 1e-9 {
            if value >= low - step * 1e-9 { values.append(value) }
            value += step
        }
        return values
    }

    /// Round ticks from 0 that reach at least `high` (the last tick is the axis end), e.g. 0, 20, 40, 60 for 51.6.
    public static func coveringTicks(upTo high: Double, count: Int = 5) -> [Double] {
        guard high > 0, high.isFinite else { return [0, 1] }
        var values = ticks(from: 0, to: high, count: count)
        if let last = values.last, last < high, values.count >= 2 {
            values.append(last + (values[1] - values[0]))
        }
        return values
    }

    /// A tick label: integers plainly, fractions with up to two decimals.
    public static func label(_ value: Double) -> String {
        if abs(value) >= 1e4, value == value.rounded() { return String(format: "%.0f", value) }
        return num(value)
    }
}
