/// A text with `{name}` placeholders, filled at run time.
///
/// Syntax: `{name}` (an identifier, dots allowed inside) is a variable; `{name?suffix}` renders the
/// variable followed by `suffix` when the variable is non-empty and nothing otherwise (for lists such
/// as APR's `Operations: [{ops?, }'{op}']`); `{{` is a literal `{`. Any other brace is literal text, so
/// regex quantifiers (`\d{3}`) and `\boxed{}` need no escaping.
///
/// After loading, params are already substituted; what remains are run-time variables: inputs
/// (`{question}`), the branch index (`{i}`, `{i0}`), spawn captures, `{text}`, `{result}`, `{answer}`.
public struct Template: Sendable, Hashable, CustomStringConvertible {
    /// One piece of a template.
    public enum Piece: Sendable, Hashable {
        /// Literal text.
        case text(String)
        /// A variable, replaced by its value.
        case variable(String)
        /// A variable followed by `suffix`, both omitted when the variable's value is empty.
        case optional(String, suffix: String)
    }

    /// The pieces in order; adjacent text pieces are merged.
    public var pieces: [Piece]

    /// Creates a template from pieces (adjacent text pieces are merged, empty ones dropped).
    public init(pieces: [Piece]) {
        var merged: [Piece] = []
        for piece in pieces {
            if case .text(let s) = piece {
                if s.isEmpty { continue }
                if case .text(let previous)? = merged.last {
                    merged[merged.count - 1] = .text(previous + s)
                    continue
                }
            }
            merged.append(piece)
        }
        self.pieces = merged
    }

    /// A template that is only literal text.
    public init(literal: String) {
        self.init(pieces: [.text(literal)])
    }

    /// The variable names used, in order of first use.
    public var variables: [String] {
        var seen: [String] = []
        for piece in pieces {
            switch piece {
            case .text: continue
            case .variable(let name), .optional(let name, _):
                if !seen.contains(name) { seen.append(name) }
            }
        }
        return seen
    }

    /// The text when the template has no variables, else nil.
    public var literalText: String? {
        var out = ""
        for piece in pieces {
            guard case .text(let s) = piece else { return nil }
            out += s
        }
        return out
    }

    /// Renders the template; `value` returns a variable's value (nil renders as empty text).
    public func render(_ value: (String) -> String?) -> String {
        var out = ""
        for piece in pieces {
            switch piece {
            case .text(let s): out += s
            case .variable(let name): out += value(name) ?? ""
            case .optional(let name, let suffix):
                let v = value(name) ?? ""
                if !v.isEmpty { out += v + suffix }
            }
        }
        return out
    }

    /// Renders with a dictionary of values.
    public func render(_ values: [String: String]) -> String {
        render { values[$0] }
    }

    /// The template written back in the language's syntax (parses to an equal template).
    public var description: String { TemplateSyntax.write(self) }
}
