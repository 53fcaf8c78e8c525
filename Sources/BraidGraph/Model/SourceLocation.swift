/// Where something was written: a file and a 1-based line and column (columns count Unicode scalars).
///
/// Locations ride along in the graph so that later stages (the compiler, the runtime) can point back at
/// the YAML that caused a problem. They never take part in equality: two graphs are equal when they
/// mean the same thing, wherever they were written (this is what makes `graph show` round-trip).
public struct SourceLocation: Sendable, Hashable, CustomStringConvertible {
    /// The file path as given to the loader (or a label such as `<command line>`).
    public var file: String
    /// 1-based line.
    public var line: Int
    /// 1-based column, in Unicode scalars.
    public var column: Int

    /// Creates a location.
    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    /// `file:line:column`, the form compilers and editors understand.
    public var description: String { "\(file):\(line):\(column)" }

    /// Always true: locations are provenance, not meaning.
    public static func == (lhs: SourceLocation, rhs: SourceLocation) -> Bool { true }

    /// Contributes nothing, consistent with `==`.
    public func hash(into hasher: inout Hasher) {}
}

/// Storage for an optional location that never affects equality (not even nil against a location), so
/// that a graph built in code equals the same graph loaded from a file.
public struct Provenance: Sendable, Hashable {
    /// The location, if known.
    public var location: SourceLocation?

    /// Wraps a location.
    public init(_ location: SourceLocation?) { self.location = location }

    /// Always true.
    public static func == (lhs: Provenance, rhs: Provenance) -> Bool { true }

    /// Contributes nothing, consistent with `==`.
    public func hash(into hasher: inout Hasher) {}
}
