/// The JSON form of a mask expansion that `braid mask --format json` prints:
/// `{"tokens":[{"index":0,"segment":"prompt","thread":"main","position":0}, …], "mask":[[1,0,…], …]}`
/// (rows are queries, columns keys, 1 = attends). Written by hand so the key order is exactly this.
public enum MaskJSON {
    /// Renders the expansion, one token and one mask row per line.
    public static func render(_ expansion: MaskExpansion) -> String {
        var out = "{\"tokens\":["
        for (i, token) in expansion.tokens.enumerated() {
            out += i == 0 ? "\n" : ",\n"
            out += "{\"index\":\(token.index),\"segment\":\(JSONText.quote(token.segment)),"
                + "\"thread\":\(JSONText.quote(token.thread)),\"position\":\(token.position)}"
        }
        out += "],\n\"mask\":["
        let n = expansion.count
        for row in 0..<n {
            out += row == 0 ? "\n[" : ",\n["
            var line = ""
            line.reserveCapacity(2 * n)
            for column in 0..<n {
                if column > 0 { line += "," }
                line += expansion.bits[row * n + column] != 0 ? "1" : "0"
            }
            out += line + "]"
        }
        out += "]}\n"
        return out
    }
}

/// Minimal JSON text helpers shared by the hand-written renderers.
enum JSONText {
    /// A JSON string literal for `text`.
    static func quote(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}
