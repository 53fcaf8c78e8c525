import Foundation
import Yams

/// A small ordered document tree that `GraphPrinter` builds from a graph and writes as YAML or JSON.
/// Keys keep their order so the output reads like a hand-written graph.
public indirect enum ShowValue: Sendable, Hashable {
    /// A string.
    case string(String)
    /// An integer.
    case int(Int)
    /// A number.
    case double(Double)
    /// A boolean.
    case bool(Bool)
    /// A list.
    case list([ShowValue])
    /// An ordered mapping.
    case map([(String, ShowValue)])

    /// Equality compares structure and values, keeping key order.
    public static func == (lhs: ShowValue, rhs: ShowValue) -> Bool {
        switch (lhs, rhs) {
        case (.string(let a), .string(let b)): return a == b
        case (.int(let a), .int(let b)): return a == b
        case (.double(let a), .double(let b)): return a == b
        case (.bool(let a), .bool(let b)): return a == b
        case (.list(let a), .list(let b)): return a == b
        case (.map(let a), .map(let b)): return a.map(\.0) == b.map(\.0) && a.map(\.1) == b.map(\.1)
        default: return false
        }
    }

    /// Hashes consistently with `==`.
    public func hash(into hasher: inout Hasher) {
        switch self {
        case .string(let v): hasher.combine(v)
        case .int(let v): hasher.combine(v)
        case .double(let v): hasher.combine(v)
        case .bool(let v): hasher.combine(v)
        case .list(let v): hasher.combine(v)
        case .map(let v):
            for (k, x) in v {
                hasher.combine(k)
                hasher.combine(x)
            }
        }
    }

    /// The value as a Yams node, with string styles chosen so every string reads back as a string.
    var node: Node {
        switch self {
        case .string(let s): return ShowValue.stringNode(s)
        case .int(let v): return Node(String(v), Tag(.int))
        case .double(let v): return Node(ShowValue.number(v), Tag(.float))
        case .bool(let v): return Node(v ? "true" : "false", Tag(.bool))
        case .list(let items):
            let flow = items.allSatisfy { if case .string = $0 { return true }; return false } && items.count <= 4
            return Node(items.map(\.node), Tag(.seq), flow ? .flow : .block)
        case .map(let pairs):
            return Node(pairs.map { (ShowValue.stringNode($0.0), $0.1.node) }, Tag(.map), .block)
        }
    }

    static func number(_ v: Double) -> String {
        v == v.rounded() && abs(v) < 1e15 ? String(format: "%.1f", v) : String(v)
    }

    static let reservedWords: Set<String> = ["true", "false", "yes", "no", "on", "off", "y", "n", "null", "~"]

    static func stringNode(_ s: String) -> Node {
        let scalars = s.unicodeScalars
        let plain = !s.isEmpty && scalars.allSatisfy { CharacterSet.alphanumerics.contains($0) || "_-.<>/".unicodeScalars.contains($0) }
            && scalars.first.map { CharacterSet.letters.contains($0) } == true
            && !reservedWords.contains(s.lowercased())
        if plain { return Node(s, Tag(.str), .plain) }
        let needsEscapes = scalars.contains { $0.value < 0x20 || $0.value == 0x7F }
        return Node(s, Tag(.str), needsEscapes ? .doubleQuoted : .singleQuoted)
    }

    /// The value as a YAML document.
    public var yaml: String {
        (try? Yams.serialize(node: node, width: -1, allowUnicode: true, sortKeys: false)) ?? json
    }

    /// The value as JSON (keys in order, two-space indentation).
    public var json: String {
        var out = ""
        writeJSON(into: &out, indent: 0)
        return out + "\n"
    }

    private func writeJSON(into out: inout String, indent: Int) {
        let pad = String(repeating: "  ", count: indent + 1)
        let close = String(repeating: "  ", count: indent)
        switch self {
        case .string(let s): out += ShowValue.jsonString(s)
        case .int(let v): out += String(v)
        case .double(let v): out += ShowValue.number(v)
        case .bool(let v): out += v ? "true" : "false"
        case .list(let items):
            if items.isEmpty { out += "[]"; return }
            out += "[\n"
            for (n, item) in items.enumerated() {
                out += pad
                item.writeJSON(into: &out, indent: indent + 1)
                out += n + 1 < items.count ? ",\n" : "\n"
            }
            out += close + "]"
        case .map(let pairs):
            if pairs.isEmpty { out += "{}"; return }
            out += "{\n"
            for (n, (key, value)) in pairs.enumerated() {
                out += pad + ShowValue.jsonString(key) + ": "
                value.writeJSON(into: &out, indent: indent + 1)
                out += n + 1 < pairs.count ? ",\n" : "\n"
            }
            out += close + "}"
        }
    }

    static func jsonString(_ s: String) -> String {
        var out = "\""
        for c in s.unicodeScalars {
            switch c {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if c.value < 0x20 || c.value == 0x7F || c.value == 0x2028 || c.value == 0x2029 {
                    out += String(format: "\\u%04x", c.value)
                } else {
                    out.unicodeScalars.append(c)
                }
            }
        }
        return out + "\""
    }
}
