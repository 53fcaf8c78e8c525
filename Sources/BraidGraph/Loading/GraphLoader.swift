import Foundation
import Yams

/// Loads reasoning graphs from YAML: parses with positions, resolves params, `--set` overrides and
/// `use:` files, fills defaults and validates, reporting every problem at once.
public enum GraphLoader {
    /// Loads the graph file at `path`; `overrides` are `--set name=value` pairs for params (or input defaults).
    /// Throws `GraphError` with every problem found (warnings included) when there is at least one error.
    public static func load(path: String, overrides: [String: String] = [:]) throws -> Graph {
        try analyze(path: path, overrides: overrides).get()
    }

    /// Loads a graph from text. `file` names it in diagnostics; `use:` paths resolve against `baseDirectory`
    /// (default: the current directory).
    public static func load(text: String, file: String = "<graph>", overrides: [String: String] = [:],
                            baseDirectory: String? = nil) throws -> Graph {
        try analyze(text: text, file: file, overrides: overrides, baseDirectory: baseDirectory).get()
    }

    /// Loads the graph file at `path` and returns it (nil when it has errors) with every diagnostic,
    /// warnings included.
    public static func analyze(path: String, overrides: [String: String] = [:]) -> LoadResult {
        var context = LoadContext()
        return context.load(path: path, overrides: overrides.mapValues { Override(value: $0, location: nil, sourceLine: nil) },
                            requestedBy: nil)
    }

    /// Loads a graph from text and returns it (nil when it has errors) with every diagnostic.
    public static func analyze(text: String, file: String = "<graph>", overrides: [String: String] = [:],
                               baseDirectory: String? = nil) -> LoadResult {
        var context = LoadContext()
        let base = baseDirectory ?? FileManager.default.currentDirectoryPath
        return context.load(text: text, file: file, directory: base,
                            overrides: overrides.mapValues { Override(value: $0, location: nil, sourceLine: nil) })
    }

    /// Checks a graph file and returns its diagnostics, errors and warnings (empty when the graph is clean).
    public static func check(path: String, overrides: [String: String] = [:]) -> [Diagnostic] {
        analyze(path: path, overrides: overrides).diagnostics
    }
}

/// A loaded graph, or nil when there were errors, with every diagnostic found.
public struct LoadResult: Sendable {
    /// The graph; nil when at least one diagnostic is an error.
    public var graph: Graph?
    /// Errors and warnings, in the order found.
    public var diagnostics: [Diagnostic]

    /// Creates a result.
    public init(graph: Graph?, diagnostics: [Diagnostic]) {
        self.graph = graph
        self.diagnostics = diagnostics
    }

    /// The warnings only.
    public var warnings: [Diagnostic] { diagnostics.filter { $0.severity == .warning } }

    /// The graph, or `GraphError` with every diagnostic.
    public func get() throws -> Graph {
        guard let graph else {
            var all = diagnostics
            if !all.contains(where: { $0.severity == .error }) {
                all.append(Diagnostic(.error, "the graph could not be loaded", at: nil))
            }
            throw GraphError(diagnostics: all)
        }
        return graph
    }

    static func failure(_ diagnostics: [Diagnostic]) -> LoadResult { LoadResult(graph: nil, diagnostics: diagnostics) }
}

/// A `--set` or `with:` value, with where it came from.
struct Override {
    let value: String
    let location: SourceLocation?
    let sourceLine: String?
}

/// State shared across the files of one load: the chain of files being loaded (to catch `use:` cycles).
struct LoadContext {
    /// Standardized paths of the files currently being loaded, outermost first.
    var stack: [String] = []

    mutating func load(path: String, overrides: [String: Override], requestedBy: (Reader, Node)?) -> LoadResult {
        let url = URL(fileURLWithPath: path).standardizedFileURL
        let display = path
        if let (reader, node) = requestedBy, stack.contains(url.path) {
            let chain = (stack + [url.path]).map { URL(fileURLWithPath: $0).lastPathComponent }.joined(separator: " -> ")
            reader.error("use cycle: \(chain)", at: node)
            return .failure([])
        }
        guard let data = FileManager.default.contents(atPath: url.path) else {
            let message = "cannot read graph file '\(display)'"
            if let (reader, node) = requestedBy {
                reader.error(message, at: node)
                return .failure([])
            }
            return .failure([Diagnostic(.error, message, at: nil)])
        }
        guard let text = String(data: data, encoding: .utf8) else {
            return .failure([Diagnostic(.error, "graph file is not UTF-8 text", at: SourceLocation(file: display, line: 1, column: 1))])
        }
        stack.append(url.path)
        defer { stack.removeLast() }
        return load(text: text, file: display, directory: url.deletingLastPathComponent().path, overrides: overrides)
    }

    /// Command-line problems first, then this file's in source order, then those of used files as found.
    static func ordered(_ diagnostics: [Diagnostic], file: String) -> [Diagnostic] {
        let unplaced = diagnostics.filter { $0.location == nil }
        let here = diagnostics.enumerated().filter { $0.element.location?.file == file }.sorted { a, b in
            let x = a.element.location, y = b.element.location
            return (x?.line ?? 0, x?.column ?? 0, a.offset) < (y?.line ?? 0, y?.column ?? 0, b.offset)
        }.map(\.element)
        let elsewhere = diagnostics.filter { $0.location != nil && $0.location?.file != file }
        return unplaced + here + elsewhere
    }

    mutating func load(text: String, file: String, directory: String, overrides: [String: Override]) -> LoadResult {
        let reader = Reader(file: file, text: text)
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch {
            reader.error(YAMLErrors.message(error), at: YAMLErrors.location(error, file: file))
            return .failure(reader.diagnostics)
        }
        guard let root else {
            reader.error("the graph file is empty", at: SourceLocation(file: file, line: 1, column: 1))
            return .failure(reader.diagnostics)
        }
        let document = DocumentReader(reader: reader, directory: directory, context: self)
        let graph = document.graph(root, file: file, overrides: overrides)
        self = document.context
        reader.diagnostics = Self.ordered(reader.diagnostics, file: file)
        guard let graph, !reader.hasErrors else {
            if !reader.hasErrors {
                reader.error("the graph could not be read", at: reader.location(root))
            }
            return .failure(reader.diagnostics)
        }
        return LoadResult(graph: graph, diagnostics: reader.diagnostics)
    }
}

/// Turns Yams errors into positioned messages.
enum YAMLErrors {
    static func location(_ error: Error, file: String) -> SourceLocation {
        guard let yaml = error as? YamlError else { return SourceLocation(file: file, line: 1, column: 1) }
        switch yaml {
        case .scanner(_, _, let mark, _), .parser(_, _, let mark, _), .composer(_, _, let mark, _):
            return SourceLocation(file: file, line: mark.line, column: mark.column)
        case .duplicatedKeysInMapping(_, let context):
            return SourceLocation(file: file, line: context.mark.line, column: context.mark.column)
        case .reader(_, let offset, _, let text):
            return offsetLocation(offset, in: text, file: file)
        default:
            return SourceLocation(file: file, line: 1, column: 1)
        }
    }

    static func message(_ error: Error) -> String {
        guard let yaml = error as? YamlError else { return "YAML error: \(error)" }
        switch yaml {
        case .scanner(let context, let problem, _, _), .parser(let context, let problem, _, _),
             .composer(let context, let problem, _, _):
            let while_ = context.map { " (\($0.text))" } ?? ""
            return "YAML syntax error: \(problem)\(while_)"
        case .duplicatedKeysInMapping(let duplicates, _):
            return "duplicate key\(duplicates.count > 1 ? "s" : "") \(duplicates.sorted().map { "'\($0)'" }.joined(separator: ", ")) in mapping"
        case .reader(let problem, _, _, _):
            return "YAML read error: \(problem)"
        default:
            return "YAML error: \(yaml)"
        }
    }

    private static func offsetLocation(_ offset: Int?, in text: String, file: String) -> SourceLocation {
        guard let offset else { return SourceLocation(file: file, line: 1, column: 1) }
        var line = 1, column = 1
        for (n, c) in text.utf8.enumerated() {
            if n >= offset { break }
            if c == UInt8(ascii: "\n") { line += 1; column = 1 } else if c & 0xC0 != 0x80 { column += 1 }
        }
        return SourceLocation(file: file, line: line, column: column)
    }
}
