import Foundation
import Yams

/// Walks one YAML document's nodes, converting them to typed values and collecting every problem with
/// its position instead of stopping at the first. One reader per file; `use:` files get their own.
final class Reader {
    /// The file name used in diagnostics.
    let file: String
    /// The source split into lines, for caret displays.
    let lines: [String]
    /// Problems found so far.
    var diagnostics: [Diagnostic] = []
    /// The params after overrides; `{name}` of a param is substituted while reading.
    var params: [String: ParamValue] = [:]
    /// Params and inputs referenced so far (for "never used" warnings).
    var usedNames: Set<String> = []

    init(file: String, text: String) {
        self.file = file
        self.lines = text.split(separator: "\n", omittingEmptySubsequences: false).map {
            $0.hasSuffix("\r") ? String($0.dropLast()) : String($0)
        }
    }

    // MARK: Positions and errors

    /// The location of a YAML mark in this file.
    func location(_ mark: Mark?) -> SourceLocation? {
        mark.map { SourceLocation(file: file, line: $0.line, column: $0.column) }
    }

    /// The location of a node.
    func location(_ node: Node?) -> SourceLocation? { location(node?.mark) }

    /// Records an error at a location.
    func error(_ message: String, at location: SourceLocation?) {
        var line: String?
        if let location, location.line >= 1, location.line <= lines.count { line = lines[location.line - 1] }
        diagnostics.append(Diagnostic(.error, message, at: location, sourceLine: line))
    }

    /// Records a warning: the graph works, but something in it is probably not what was meant.
    func warning(_ message: String, at location: SourceLocation?) {
        var line: String?
        if let location, location.line >= 1, location.line <= lines.count { line = lines[location.line - 1] }
        diagnostics.append(Diagnostic(.warning, message, at: location, sourceLine: line))
    }

    /// Records an error at a node.
    func error(_ message: String, at node: Node?) { error(message, at: location(node)) }

    /// True when at least one error was recorded.
    var hasErrors: Bool { diagnostics.contains { $0.severity == .error } }

    /// Where `needle` appears in the node's source line (at or after the node's column), else the node.
    func location(of needle: String, in node: Node) -> SourceLocation? {
        guard let mark = node.mark, mark.line >= 1, mark.line <= lines.count else { return location(node) }
        let line = Array(lines[mark.line - 1].unicodeScalars)
        let target = Array(needle.unicodeScalars)
        var start = max(0, mark.column - 1)
        while start + target.count <= line.count {
            if Array(line[start..<(start + target.count)]) == target {
                return SourceLocation(file: file, line: mark.line, column: start + 1)
            }
            start += 1
        }
        return location(node)
    }

    // MARK: Shapes

    /// How a node is described in "got ..." messages.
    func describe(_ node: Node) -> String {
        switch node {
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        case .scalar(let s):
            switch s.kind {
            case .null: return "nothing"
            case .int: return "the integer \(s.string)"
            case .float: return "the number \(s.string)"
            case .bool: return "the boolean \(s.string)"
            default: return "the string '\(s.string)'"
            }
        }
    }

    /// The single variable name when a mapping is an unquoted `{name}` (YAML reads it as a mapping).
    func unquotedVariable(_ node: Node) -> String? {
        guard case .mapping(let m) = node, m.count == 1, let first = m.first,
              case .scalar(let key) = first.key, case .scalar(let value) = first.value,
              value.kind == .null, TemplateSyntax.isIdentifier(key.string) else { return nil }
        return key.string
    }

    /// Reports that `node` has the wrong shape for `what`.
    func wrongType(_ node: Node, _ what: String, expected: String) {
        if let name = unquotedVariable(node) {
            error("\(what) must be \(expected), got a mapping; to use the variable, quote it: \"{\(name)}\"", at: node)
        } else {
            error("\(what) must be \(expected), got \(describe(node))", at: node)
        }
    }

    /// A mapping's entries, checked against the allowed and required keys.
    func fields(_ node: Node, _ what: String, allowed: [String], required: [String] = []) -> Fields? {
        guard case .mapping(let mapping) = node else {
            wrongType(node, what, expected: "a mapping")
            return nil
        }
        var entries: [Fields.Entry] = []
        for (key, value) in mapping {
            guard case .scalar(let k) = key, k.kind != .null else {
                error("keys of \(what) must be names, got \(describe(key))", at: key)
                continue
            }
            guard allowed.contains(k.string) else {
                var hint = Suggestions.hint(for: k.string, in: allowed)
                if hint.isEmpty, allowed.contains("generate"), DocumentReader.generationKeys.contains(k.string) {
                    hint = "; it belongs under 'generate'"
                }
                error("unknown key '\(k.string)' in \(what)\(hint)", at: key)
                continue
            }
            entries.append(Fields.Entry(key: k.string, keyNode: key, value: value))
        }
        for name in required where !entries.contains(where: { $0.key == name }) {
            error("\(what) is missing required key '\(name)'", at: node)
        }
        return Fields(node: node, entries: entries)
    }

    /// The items of a list (a single non-list value is reported).
    func list(_ node: Node, _ what: String) -> [Node]? {
        guard case .sequence(let sequence) = node else {
            wrongType(node, what, expected: "a list")
            return nil
        }
        return Array(sequence)
    }

    // MARK: Scalars

    /// A scalar's text; nil (reported) for mappings and lists. Null reads as nil without a report when
    /// `allowNull`, else is reported.
    func scalarText(_ node: Node, _ what: String, expected: String, allowNull: Bool = false) -> String? {
        guard case .scalar(let scalar) = node else {
            wrongType(node, what, expected: expected)
            return nil
        }
        if scalar.kind == .null, scalar.style == .plain {
            if !allowNull { error("\(what) must be \(expected), got nothing", at: node) }
            return nil
        }
        return scalar.string
    }

    /// The param a whole scalar refers to (`"{paths}"`), if it is exactly one placeholder.
    func wholeReference(_ text: String) -> String? {
        let template = TemplateSyntax.parse(text)
        guard template.pieces.count == 1, case .variable(let name) = template.pieces[0] else { return nil }
        return name
    }

    /// Resolves a scalar that may be a `{param}` reference to its text; nil (reported) for undefined params.
    private func resolvedText(_ node: Node, _ text: String, _ what: String) -> (text: String, param: String?)? {
        guard let name = wholeReference(text) else { return (text, nil) }
        usedNames.insert(name)
        guard let value = params[name] else {
            let hint = Suggestions.hint(for: name, in: Array(params.keys).sorted())
            error("undefined param '\(name)' in \(what)\(hint)", at: location(of: "{\(name)}", in: node))
            return nil
        }
        return (value.description, name)
    }

    private func origin(_ param: String?) -> String {
        param.map { " (from param '\($0)')" } ?? ""
    }

    /// An integer, possibly from a `{param}`, checked against a lower bound.
    func int(_ node: Node, _ what: String, min lower: Int? = 1) -> Int? {
        guard let raw = scalarText(node, what, expected: "an integer"),
              let (text, param) = resolvedText(node, raw, what) else { return nil }
        guard let value = Int(text.trimmingCharacters(in: .whitespaces)) else {
            error("\(what) must be an integer, got '\(text)'\(origin(param))", at: node)
            return nil
        }
        if let lower, value < lower {
            let words = lower == 1 ? "positive" : "at least \(lower)"
            error("\(what) must be \(words), got \(value)\(origin(param))", at: node)
            return nil
        }
        return value
    }

    /// A number in an optional closed range, possibly from a `{param}`.
    func double(_ node: Node, _ what: String, range: ClosedRange<Double>? = nil) -> Double? {
        guard let raw = scalarText(node, what, expected: "a number"),
              let (text, param) = resolvedText(node, raw, what) else { return nil }
        guard let value = Double(text.trimmingCharacters(in: .whitespaces)), value.isFinite else {
            error("\(what) must be a number, got '\(text)'\(origin(param))", at: node)
            return nil
        }
        if let range, !range.contains(value) {
            error("\(what) must be between \(range.lowerBound) and \(range.upperBound), got \(value)\(origin(param))", at: node)
            return nil
        }
        return value
    }

    /// A plain string (no placeholders are interpreted).
    func string(_ node: Node, _ what: String) -> String? {
        scalarText(node, what, expected: "a string")
    }

    /// One of an enum's raw values (or an alias), possibly from a `{param}`.
    func choice<E: RawRepresentable & CaseIterable>(_ node: Node, _ what: String, _ type: E.Type,
                                                    aliases: [String: E] = [:]) -> E? where E.RawValue == String {
        let names = E.allCases.map(\.rawValue)
        guard let raw = scalarText(node, what, expected: "one of \(Suggestions.list(names))"),
              let (text, param) = resolvedText(node, raw, what) else { return nil }
        if let value = E(rawValue: text) ?? aliases[text] { return value }
        let hint = Suggestions.hint(for: text, in: names + aliases.keys.sorted())
        error("unknown \(what) '\(text)'\(origin(param)); expected \(Suggestions.list(names))\(hint)", at: node)
        return nil
    }

    // MARK: Templates and patterns

    /// A template; params are substituted, other variables must be in `scope`.
    func template(_ node: Node, _ what: String, scope: Scope, allowNull: Bool = true) -> Template? {
        guard let text = scalarText(node, what, expected: "a string", allowNull: allowNull) else {
            return node.isNullScalar && allowNull ? Template(pieces: []) : nil
        }
        var ok = true
        var pieces: [Template.Piece] = []
        for piece in TemplateSyntax.parse(text).pieces {
            switch piece {
            case .text:
                pieces.append(piece)
            case .variable(let name), .optional(let name, _):
                usedNames.insert(name)
                if let value = params[name] {
                    let rendered = value.description
                    if case .optional(_, let suffix) = piece {
                        pieces.append(.text(rendered.isEmpty ? "" : rendered + suffix))
                    } else {
                        pieces.append(.text(rendered))
                    }
                } else if scope.contains(name) {
                    pieces.append(piece)
                } else {
                    ok = false
                    let candidates = scope.variables + params.keys.sorted()
                    let available = candidates.isEmpty ? "" : " (available: \(candidates.joined(separator: ", ")))"
                    let hint = Suggestions.hint(for: name, in: candidates)
                    error("undefined variable '{\(name)}' in \(what)\(hint)\(hint.isEmpty ? available : "")",
                          at: location(of: "{\(name)", in: node))
                }
            }
        }
        return ok ? Template(pieces: pieces) : nil
    }

    /// A regex template, compile-checked with every variable replaced by a literal.
    func pattern(_ node: Node, _ what: String, scope: Scope) -> Pattern? {
        guard let template = template(node, what, scope: scope, allowNull: false) else { return nil }
        let probe = template.render { _ in "x" }
        let result = Pattern(template: template)
        for name in result.captureNames where !name.unicodeScalars.allSatisfy({ $0.isASCII && CharacterSet.alphanumerics.contains($0) })
            || !(name.unicodeScalars.first.map { CharacterSet.letters.contains($0) } ?? false) {
            self.error("capture group name '\(name)' in \(what) must be ASCII letters and digits, starting with a letter",
                       at: location(of: "(?<\(name)>", in: node))
            return nil
        }
        do {
            _ = try NSRegularExpression(pattern: probe)
        } catch {
            self.error("\(what) is not a valid regular expression\(RegexHints.hint(probe)): \(probe)", at: node)
            return nil
        }
        return result
    }

    /// A list of templates; a single string is a list of one.
    func templates(_ node: Node, _ what: String, scope: Scope) -> [Template]? {
        if case .sequence(let sequence) = node {
            var out: [Template] = []
            var ok = true
            for item in sequence {
                if let t = template(item, "an entry of \(what)", scope: scope, allowNull: false) { out.append(t) } else { ok = false }
            }
            return ok ? out : nil
        }
        return template(node, what, scope: scope, allowNull: false).map { [$0] }
    }
}

/// The checked entries of one YAML mapping.
struct Fields {
    /// One entry.
    struct Entry {
        let key: String
        let keyNode: Node
        let value: Node
    }

    /// The mapping itself.
    let node: Node
    /// Entries with allowed keys, in source order.
    let entries: [Entry]

    /// The value under `key`.
    subscript(_ key: String) -> Node? { entries.first { $0.key == key }?.value }

    /// The node of the key itself (for positions).
    func keyNode(_ key: String) -> Node? { entries.first { $0.key == key }?.keyNode }

    /// True when the key is present.
    func has(_ key: String) -> Bool { entries.contains { $0.key == key } }
}

/// The run-time variables a template may use at some place in the graph (params are always usable).
struct Scope {
    /// Variable names, in the order they were introduced.
    var variables: [String]

    /// True when the name is in scope.
    func contains(_ name: String) -> Bool { variables.contains(name) }

    /// This scope plus more names.
    func adding(_ names: [String]) -> Scope {
        var copy = self
        for name in names where !copy.variables.contains(name) { copy.variables.append(name) }
        return copy
    }
}

extension Node {
    /// True for an empty/null plain scalar (`key:` with nothing after it).
    var isNullScalar: Bool {
        if case .scalar(let s) = self { return s.kind == .null && s.style == .plain }
        return false
    }
}

extension Node.Scalar {
    /// The scalar's resolved tag (plain scalars are resolved as YAML 1.1 core types; quoted ones are strings).
    var kind: Tag.Name { Tag.Name(rawValue: Node.scalar(self).tag.rawValue) }
}
