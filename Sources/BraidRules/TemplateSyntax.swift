/// Parsing and writing the `{name}` template syntax (see `Template`).
public enum TemplateSyntax {
    /// Parses template text. Never fails: anything that is not a placeholder is literal text.
    public static func parse(_ source: String) -> Template {
        let chars = Array(source.unicodeScalars)
        var pieces: [Template.Piece] = []
        var text = String.UnicodeScalarView()
        var index = 0
        while index < chars.count {
            let c = chars[index]
            if c == "{" {
                if index + 1 < chars.count, chars[index + 1] == "{" {
                    text.append("{")
                    index += 2
                    continue
                }
                if let (piece, length) = placeholder(chars, at: index) {
                    pieces.append(.text(String(text)))
                    text = String.UnicodeScalarView()
                    pieces.append(piece)
                    index += length
                    continue
                }
            }
            text.append(c)
            index += 1
        }
        pieces.append(.text(String(text)))
        return Template(pieces: pieces)
    }

    /// Writes a template so that `parse(write(t)) == t`.
    public static func write(_ template: Template) -> String {
        var out = ""
        let pieces = template.pieces
        for (n, piece) in pieces.enumerated() {
            switch piece {
            case .variable(let name):
                out += "{\(name)}"
            case .optional(let name, let suffix):
                out += "{\(name)?\(suffix)}"
            case .text(let s):
                let chars = Array(s.unicodeScalars)
                let nextIsPlaceholder = n + 1 < pieces.count
                for (k, c) in chars.enumerated() {
                    if c == "{" {
                        let rest = Array(chars[(k + 1)...])
                        let ambiguous: Bool
                        if rest.isEmpty {
                            ambiguous = nextIsPlaceholder
                        } else if rest[0] == "{" {
                            ambiguous = true
                        } else {
                            ambiguous = placeholder([c] + rest, at: 0) != nil
                        }
                        out += ambiguous ? "{{" : "{"
                    } else {
                        out.unicodeScalars.append(c)
                    }
                }
            }
        }
        return out
    }

    /// True for a name usable as a variable: a letter or `_`, then letters, digits, `_` or inner dots.
    public static func isIdentifier(_ name: String) -> Bool {
        let chars = Array(name.unicodeScalars)
        guard let first = chars.first, isIdentifierStart(first), chars.last != "." else { return false }
        return chars.dropFirst().allSatisfy { isIdentifierBody($0) }
    }

    /// Recognises `{name}` or `{name?suffix}` at `start`; returns the piece and its length in scalars.
    static func placeholder(_ chars: [Unicode.Scalar], at start: Int) -> (Template.Piece, Int)? {
        var index = start + 1
        guard index < chars.count, isIdentifierStart(chars[index]) else { return nil }
        var name = String.UnicodeScalarView()
        while index < chars.count, isIdentifierBody(chars[index]) {
            name.append(chars[index])
            index += 1
        }
        guard index < chars.count, name.last != "." else { return nil }
        if chars[index] == "}" {
            return (.variable(String(name)), index + 1 - start)
        }
        guard chars[index] == "?" else { return nil }
        index += 1
        var suffix = String.UnicodeScalarView()
        while index < chars.count, chars[index] != "}" {
            if chars[index] == "{" { return nil }
            suffix.append(chars[index])
            index += 1
        }
        guard index < chars.count else { return nil }
        return (.optional(String(name), suffix: String(suffix)), index + 1 - start)
    }

    private static func isIdentifierStart(_ c: Unicode.Scalar) -> Bool {
        (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || c == "_"
    }

    private static func isIdentifierBody(_ c: Unicode.Scalar) -> Bool {
        isIdentifierStart(c) || (c >= "0" && c <= "9") || c == "."
    }
}
