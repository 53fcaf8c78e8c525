/// Explains the common reasons a regex fails to compile, since the platform's error says only that it did.
enum RegexHints {
    /// `" (reason)"` or empty.
    static func hint(_ regex: String) -> String {
        var depth = 0
        var inClass = false
        var escaped = false
        for c in regex.unicodeScalars {
            if escaped { escaped = false; continue }
            switch c {
            case "\\": escaped = true
            case "[" where !inClass: inClass = true
            case "]" where inClass: inClass = false
            case "(" where !inClass: depth += 1
            case ")" where !inClass:
                depth -= 1
                if depth < 0 { return " (unbalanced ')')" }
            default: break
            }
        }
        if escaped { return " (it ends with a lone backslash)" }
        if inClass { return " (unclosed '[')" }
        if depth > 0 { return " (unclosed '(')" }
        if let first = regex.unicodeScalars.first, "*+?".unicodeScalars.contains(first) {
            return " (it starts with a quantifier '\(first)' that has nothing to repeat)"
        }
        return ""
    }
}
