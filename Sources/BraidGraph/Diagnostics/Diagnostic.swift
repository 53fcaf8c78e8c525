/// One problem found in a graph, with where it is.
public struct Diagnostic: Sendable, Hashable, CustomStringConvertible {
    /// How bad it is.
    public enum Severity: String, Sendable, Hashable {
        /// The graph cannot be used.
        case error
        /// The graph works but something looks wrong.
        case warning
    }

    /// How bad it is.
    public var severity: Severity
    /// What is wrong, in one sentence.
    public var message: String
    /// Where; nil for problems without a place in a file (e.g. a `--set` on the command line).
    public var location: SourceLocation?
    /// The source line the location points into, for the caret display.
    public var sourceLine: String?

    /// Creates a diagnostic.
    public init(_ severity: Severity = .error, _ message: String, at location: SourceLocation?, sourceLine: String? = nil) {
        self.severity = severity
        self.message = message
        self.location = location
        self.sourceLine = sourceLine
    }

    /// `file:line:column: error: message`, then the source line and a caret under the column.
    public var description: String {
        var out = ""
        if let location {
            out = "\(location.file):\(location.line):\(location.column): \(severity.rawValue): \(message)"
        } else {
            out = "\(severity.rawValue): \(message)"
        }
        if let sourceLine, let location {
            let (line, caret) = Diagnostic.excerpt(of: sourceLine.replacingTabs(), column: location.column)
            out += "\n" + line + "\n" + String(repeating: " ", count: caret) + "^"
        }
        return out
    }
}

extension Diagnostic {
    /// The widest source excerpt shown; longer lines are cut to a window around the column.
    static let excerptWidth = 120

    /// The part of `line` to show and the caret's offset in it (both in Unicode scalars).
    static func excerpt(of line: String, column: Int) -> (String, Int) {
        let scalars = Array(line.unicodeScalars)
        let target = max(0, column - 1)
        guard scalars.count > excerptWidth else { return (line, target) }
        let start = max(0, min(target - excerptWidth / 2, scalars.count - excerptWidth))
        let end = min(scalars.count, start + excerptWidth)
        var text = String(String.UnicodeScalarView(scalars[start..<end]))
        var caret = target - start
        if start > 0 {
            text = "…" + text
            caret += 1
        }
        if end < scalars.count { text += "…" }
        return (text, caret)
    }
}

/// The error a graph loader throws: every problem found, in source order.
public struct GraphError: Error, Sendable, CustomStringConvertible {
    /// The problems (at least one error).
    public var diagnostics: [Diagnostic]

    /// Creates the error.
    public init(diagnostics: [Diagnostic]) {
        self.diagnostics = diagnostics
    }

    /// All diagnostics, rendered, one after another.
    public var description: String {
        diagnostics.map(\.description).joined(separator: "\n")
    }
}

extension String {
    /// Tabs become single spaces so the caret (counted in characters) lines up.
    func replacingTabs() -> String {
        String(unicodeScalars.map { $0 == "\t" ? " " : Character($0) })
    }
}
