import Foundation
import Yams

/// Reads one graph document into a `Graph`. Problems go to `reader`; reading continues past them so that
/// every problem is reported in one pass.
final class DocumentReader {
    let reader: Reader
    /// The directory `use:` paths resolve against.
    let directory: String
    /// Shared load state (the `use:` chain), handed back to the caller afterwards.
    var context: LoadContext
    /// Step ids seen so far and where.
    var stepIDs: [String: SourceLocation?] = [:]
    /// Per-kind counters for default ids.
    var kindCounts: [String: Int] = [:]
    /// The graph-wide generation defaults.
    var defaults = Generation()
    /// Declared input names, in order.
    var inputNames: [String] = []
    /// Declared input and param names with where, in order (for "never used" warnings).
    var declared: [(String, SourceLocation?)] = []
    /// The explicit ids written in the top-level step list (read or not).
    var topLevelIDs: [String] = []

    /// Keys allowed at the top level.
    static let topKeys = ["name", "description", "inputs", "params", "prompt", "generate", "steps", "answer", "require"]

    init(reader: Reader, directory: String, context: LoadContext) {
        self.reader = reader
        self.directory = directory
        self.context = context
    }

    /// The whole graph, or nil when it has errors.
    func graph(_ root: Node, file: String, overrides: [String: Override]) -> Graph? {
        guard let top = reader.fields(root, "the graph", allowed: Self.topKeys, required: ["steps"]) else { return nil }
        let defaultName = URL(fileURLWithPath: file).deletingPathExtension().lastPathComponent
        let name = top["name"].flatMap { reader.string($0, "name") } ?? defaultName
        let description = top["description"].flatMap { reader.string($0, "description") }
        var inputs = top["inputs"].map { readInputs($0) } ?? []
        var params = top["params"].map { readParams($0) } ?? []
        checkNames(params: params, inputs: inputs, node: top)
        applyOverrides(overrides, params: &params, inputs: &inputs)
        for param in params { reader.params[param.name] = param.value }
        inputNames = inputs.map(\.name)
        let scope = Scope(variables: inputNames)

        if let node = top["generate"] {
            defaults = generation(node, "the top-level generate", base: Generation(), scope: scope) ?? Generation()
        }
        let prompt = top["prompt"].flatMap { readPrompt($0, scope: scope) } ?? .text(Template(pieces: []))
        if let node = top["steps"], case .sequence(let items) = node {
            topLevelIDs = items.compactMap { item in
                guard case .mapping(let m) = item, let id = m["id"], case .scalar(let s) = id else { return nil }
                return s.string
            }
        }
        let steps = top["steps"].map { self.steps($0, "steps", scope: scope) } ?? []
        if let node = top["steps"], steps.isEmpty, case .sequence(let s) = node, s.isEmpty {
            reader.error("steps must hold at least one step", at: node)
        }
        let answer = top["answer"].flatMap { readAnswer($0, steps: steps, scope: scope) } ?? Answer()
        let requiresExact = top["require"].map { readRequire($0) } ?? false
        for (name, location) in declared where !reader.usedNames.contains(name) {
            let kind = inputs.contains { $0.name == name } ? "input" : "param"
            reader.warning("\(kind) '\(name)' is never used", at: location)
        }
        return Graph(name: name, description: description, inputs: inputs, params: params, prompt: prompt,
                     defaults: defaults, steps: steps, answer: answer, requiresExact: requiresExact,
                     location: reader.location(root))
    }

    /// `require: exact` (the only requirement there is); anything else is an error.
    func readRequire(_ node: Node) -> Bool {
        guard let value = reader.string(node, "require") else { return false }
        guard value == "exact" else {
            reader.error("require must be 'exact' (refuse any executor that would lower the graph), got '\(value)'", at: node)
            return false
        }
        return true
    }

    // MARK: Inputs and params

    /// Names the run time fills in; a param or input with one of these names would hide it.
    static let reservedNames = ["i", "i0", "text", "result", "depth", "answer", "votes"]

    /// Inputs and params share one namespace with the run-time variables.
    func checkNames(params: [Param], inputs: [Input], node top: Fields) {
        for (name, location) in declared {
            if Self.reservedNames.contains(name) {
                reader.error("'\(name)' is a run-time variable name and cannot name an input or a param", at: location)
            }
        }
        let inputNames = Set(inputs.map(\.name))
        for (name, location) in declared where inputNames.contains(name) && params.contains(where: { $0.name == name }) {
            if let first = declared.first(where: { $0.0 == name })?.1, first.line == location?.line, first.column == location?.column {
                continue
            }
            reader.error("'\(name)' is both an input and a param; give them different names", at: location)
        }
    }

    func readInputs(_ node: Node) -> [Input] {
        guard case .mapping(let mapping) = node else {
            reader.wrongType(node, "inputs", expected: "a mapping from input names to defaults")
            return []
        }
        var out: [Input] = []
        for (key, value) in mapping {
            guard let name = identifier(key, "an input name") else { continue }
            declared.append((name, reader.location(key)))
            switch value {
            case .mapping:
                guard let f = reader.fields(value, "input '\(name)'", allowed: ["default", "description"]) else { continue }
                let def = f["default"].flatMap { reader.scalarText($0, "the default of input '\(name)'", expected: "a string", allowNull: true) }
                let about = f["description"].flatMap { reader.string($0, "the description of input '\(name)'") }
                out.append(Input(name: name, defaultValue: def, description: about))
            case .scalar:
                let def = reader.scalarText(value, "the default of input '\(name)'", expected: "a string", allowNull: true)
                out.append(Input(name: name, defaultValue: def))
            default:
                reader.wrongType(value, "input '\(name)'", expected: "a default string or a mapping")
            }
        }
        return out
    }

    func readParams(_ node: Node) -> [Param] {
        guard case .mapping(let mapping) = node else {
            reader.wrongType(node, "params", expected: "a mapping from param names to values")
            return []
        }
        var out: [Param] = []
        for (key, value) in mapping {
            guard let name = identifier(key, "a param name") else { continue }
            declared.append((name, reader.location(key)))
            var valueNode = value
            var about: String?
            if case .mapping = value {
                guard let f = reader.fields(value, "param '\(name)'", allowed: ["default", "description"], required: ["default"]),
                      let d = f["default"] else { continue }
                valueNode = d
                about = f["description"].flatMap { reader.string($0, "the description of param '\(name)'") }
            }
            guard case .scalar(let scalar) = valueNode else {
                reader.wrongType(valueNode, "param '\(name)'", expected: "a number, boolean or string")
                continue
            }
            let typed: ParamValue
            switch scalar.kind {
            case .int:
                guard let v = Int(scalar.string) else {
                    reader.error("param '\(name)' must be an integer that fits in 64 bits, got \(scalar.string)", at: valueNode)
                    continue
                }
                typed = .int(v)
            case .float:
                guard let v = Double(scalar.string), v.isFinite else {
                    reader.error("param '\(name)' must be a finite number, got \(scalar.string)", at: valueNode)
                    continue
                }
                typed = .double(v)
            case .bool: typed = .bool(["true", "yes", "on"].contains(scalar.string.lowercased()))
            case .null:
                reader.error("param '\(name)' needs a value", at: valueNode)
                continue
            default: typed = .string(scalar.string)
            }
            out.append(Param(name: name, value: typed, description: about))
        }
        return out
    }

    /// A mapping key that must be an identifier (input and param names).
    func identifier(_ key: Node, _ what: String) -> String? {
        guard case .scalar(let scalar) = key, TemplateSyntax.isIdentifier(scalar.string) else {
            reader.error("\(what) must be an identifier (letters, digits, '_'), got \(reader.describe(key))", at: key)
            return nil
        }
        return scalar.string
    }

    func applyOverrides(_ overrides: [String: Override], params: inout [Param], inputs: inout [Input]) {
        for (name, override) in overrides.sorted(by: { $0.key < $1.key }) {
            let report: (String) -> Void = { message in
                self.reader.diagnostics.append(Diagnostic(.error, message, at: override.location, sourceLine: override.sourceLine))
            }
            if let index = params.firstIndex(where: { $0.name == name }) {
                let text = override.value
                switch params[index].value {
                case .int:
                    guard let v = Int(text.trimmingCharacters(in: .whitespaces)) else {
                        report("param '\(name)' is an integer; cannot set it to '\(text)'")
                        continue
                    }
                    params[index].value = .int(v)
                case .double:
                    guard let v = Double(text.trimmingCharacters(in: .whitespaces)), v.isFinite else {
                        report("param '\(name)' is a number; cannot set it to '\(text)'")
                        continue
                    }
                    params[index].value = .double(v)
                case .bool:
                    switch text.lowercased() {
                    case "true", "yes", "on": params[index].value = .bool(true)
                    case "false", "no", "off": params[index].value = .bool(false)
                    default:
                        report("param '\(name)' is a boolean; cannot set it to '\(text)'")
                        continue
                    }
                case .string:
                    params[index].value = .string(text)
                }
            } else if let index = inputs.firstIndex(where: { $0.name == name }) {
                inputs[index].defaultValue = override.value
            } else {
                let names = params.map(\.name) + inputs.map(\.name)
                report("no param or input named '\(name)' to set\(Suggestions.hint(for: name, in: names))")
            }
        }
    }

    // MARK: Prompt, generation, answer

    func readPrompt(_ node: Node, scope: Scope) -> Prompt? {
        if case .scalar = node {
            return reader.template(node, "prompt", scope: scope).map { .text($0) }
        }
        guard let items = reader.list(node, "prompt") else { return nil }
        var messages: [ChatMessage] = []
        let roles = ChatRole.allCases.map(\.rawValue)
        for item in items {
            guard let f = reader.fields(item, "a prompt message", allowed: roles) else { continue }
            guard f.entries.count == 1, let entry = f.entries.first else {
                if f.entries.count > 1, let second = f.entries.dropFirst().first {
                    reader.error("a prompt message has one role (\(Suggestions.list(roles))), got also '\(second.key)'", at: second.keyNode)
                } else if f.entries.isEmpty, case .mapping(let m) = item, m.isEmpty {
                    reader.error("a prompt message needs a role: \(Suggestions.list(roles))", at: item)
                }
                continue
            }
            guard let role = ChatRole(rawValue: entry.key),
                  let content = reader.template(entry.value, "the \(entry.key) message", scope: scope) else { continue }
            messages.append(ChatMessage(role: role, content: content))
        }
        return .chat(messages)
    }

    static let generationKeys = ["max_tokens", "stop", "temperature", "top_p", "top_k", "seed"]

    /// Generation settings from a mapping (or null for all defaults), overlaid on `base`.
    func generation(_ node: Node, _ what: String, base: Generation, scope: Scope, extraKeys: [String] = []) -> Generation? {
        if node.isNullScalar { return base }
        guard let f = reader.fields(node, what, allowed: Self.generationKeys + extraKeys) else { return nil }
        return generation(f, what, base: base, scope: scope)
    }

    /// Generation settings from already checked fields.
    func generation(_ f: Fields, _ what: String, base: Generation, scope: Scope) -> Generation {
        var g = base
        if let n = f["max_tokens"], let v = reader.int(n, "max_tokens") { g.maxTokens = v }
        if let n = f["stop"], let v = reader.templates(n, "stop", scope: scope) {
            let items: [Node]
            if case .sequence(let s) = n { items = Array(s) } else { items = [n] }
            for (item, template) in zip(items, v) where template.pieces.isEmpty {
                reader.error("stop strings must not be empty", at: item)
            }
            g.stop = v
        }
        if let n = f["temperature"], let v = reader.double(n, "temperature", range: 0...100) { g.sampling.temperature = v }
        if let n = f["top_p"], let v = reader.double(n, "top_p", range: 0...1) {
            if v == 0 { reader.error("top_p must be greater than 0", at: n) } else { g.sampling.topP = v }
        }
        if let n = f["top_k"], let v = reader.int(n, "top_k", min: 0) { g.sampling.topK = v }
        if let n = f["seed"], let v = reader.int(n, "seed", min: 0) { g.sampling.seed = UInt64(v) }
        return g
    }

    func readAnswer(_ node: Node, steps: [Step], scope: Scope) -> Answer? {
        guard let f = reader.fields(node, "answer", allowed: ["from", "regex", "occurrence"]) else { return nil }
        var answer = Answer()
        if let n = f["from"], let id = reader.string(n, "answer from") {
            if let step = steps.first(where: { $0.id == id }) {
                if case .fork = step.kind {
                    reader.error("answer reads fork '\(id)', which has many texts; read a vote or a merge of it instead", at: n)
                }
                answer.from = id
            } else if topLevelIDs.contains(id) {
                // The step is there but could not be read; its own errors say why.
            } else {
                let ids = steps.map(\.id)
                let nested = stepIDs[id] != nil ? " (it is nested; answer reads a top-level step)" : ""
                reader.error("answer reads undefined step '\(id)'\(nested)\(Suggestions.hint(for: id, in: ids))", at: n)
            }
        }
        if let n = f["regex"] { answer.regex = reader.pattern(n, "answer regex", scope: scope) }
        if let n = f["occurrence"], let v = reader.choice(n, "occurrence", Occurrence.self) { answer.occurrence = v }
        return answer
    }
}
