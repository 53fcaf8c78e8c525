/// Parsing `--set name=value` command-line assignments.
public enum OverrideSyntax {
    /// A malformed assignment (a usage error, not an invalid graph).
    public struct Malformed: Error, Sendable, CustomStringConvertible {
        /// The assignment as given.
        public let assignment: String
        /// What is wrong with it.
        public var description: String { "--set expects name=value, got '\(assignment)'" }
    }

    /// Turns `["paths=16", "finish=half"]` into a dictionary; the last assignment to a name wins.
    /// The value may contain `=`; the name must be an identifier.
    public static func parse(_ assignments: [String]) throws -> [String: String] {
        var out: [String: String] = [:]
        for assignment in assignments {
            guard let eq = assignment.firstIndex(of: "=") else { throw Malformed(assignment: assignment) }
            let name = String(assignment[..<eq]).trimmingWhitespace()
            guard TemplateSyntax.isIdentifier(name), !name.contains(".") else { throw Malformed(assignment: assignment) }
            out[name] = String(assignment[assignment.index(after: eq)...])
        }
        return out
    }
}

extension String {
    func trimmingWhitespace() -> String {
        var s = Substring(self)
        while s.first?.isWhitespace == true { s = s.dropFirst() }
        while s.last?.isWhitespace == true { s = s.dropLast() }
        return String(s)
    }
}
