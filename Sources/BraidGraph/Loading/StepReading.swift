import Foundation
import Yams

/// Reading `steps:` lists and the simple step kinds.
extension DocumentReader {
    /// The step kinds, as written in YAML.
    static let stepKinds = ["generate", "text", "fork", "merge", "spawn", "vote", "use"]

    /// A list of steps run in order in one context; `scope` holds the variables visible there.
    func steps(_ node: Node, _ what: String, scope: Scope) -> [Step] {
        guard let items = reader.list(node, what) else { return [] }
        let listIDs: [String] = items.compactMap { item in
            guard case .mapping(let m) = item, let id = m["id"], case .scalar(let s) = id else { return nil }
            return s.string
        }
        var out: [Step] = []
        var failed: [String] = []
        for item in items {
            let before = out.count
            if let step = step(item, scope: scope, earlier: out, listIDs: listIDs, failed: failed) { out.append(step) }
            if out.count == before, case .mapping(let m) = item, let id = m["id"], case .scalar(let s) = id {
                failed.append(s.string)
            }
        }
        let read = Set(out.compactMap { step -> String? in
            switch step.kind {
            case .merge(let m): return m.from
            case .vote(let v): return v.from
            default: return nil
            }
        })
        for step in out where !read.contains(step.id) {
            if case .fork = step.kind {
                reader.warning("fork '\(step.id)' is never merged or voted on; what follows sees none of its branches",
                               at: step.location)
            }
        }
        return out
    }

    /// One step.
    func step(_ item: Node, scope: Scope, earlier: [Step], listIDs: [String], failed: [String]) -> Step? {
        let allowed = ["id", "with"] + Self.stepKinds
        guard let f = reader.fields(item, "a step", allowed: allowed) else { return nil }
        let kinds = f.entries.filter { Self.stepKinds.contains($0.key) }
        guard let kindEntry = kinds.first else {
            reader.error("a step needs one of \(Suggestions.list(Self.stepKinds))", at: item)
            return nil
        }
        if kinds.count > 1 {
            reader.error("a step has one kind, but this one has both '\(kindEntry.key)' and '\(kinds[1].key)'; split it into two steps",
                         at: kinds[1].keyNode)
        }
        if kindEntry.key != "use", let with = f.keyNode("with") {
            reader.error("'with' gives params to a 'use' step; this step is '\(kindEntry.key)'", at: with)
        }
        let id = stepID(f, kind: kindEntry.key, listIDs: listIDs)
        let here = reader.location(item)
        let context = StepContext(id: id, scope: scope, earlier: earlier, listIDs: listIDs, failed: failed)
        let value = kindEntry.value
        let kind: StepKind?
        switch kindEntry.key {
        case "generate": kind = generateStep(value, scope: scope).map { .generate($0) }
        case "text": kind = textStep(value, scope: scope).map { .text($0) }
        case "fork": kind = fork(value, context).map { .fork($0) }
        case "merge": kind = merge(value, context).map { .merge($0) }
        case "spawn": kind = spawn(value, context).map { .spawn($0) }
        case "vote": kind = vote(value, context).map { .vote($0) }
        default: kind = use(value, with: f["with"], context)
        }
        guard let kind else { return nil }
        return Step(id: id, kind: kind, location: here)
    }

    /// The explicit id (checked for shape and uniqueness) or a fresh default one.
    func stepID(_ f: Fields, kind: String, listIDs: [String]) -> String {
        if let node = f["id"], let id = reader.string(node, "step id") {
            if !isStepID(id) {
                reader.error("step id '\(id)' must start with a letter and hold only letters, digits, '_' and '-'", at: node)
            } else if let previous = stepIDs[id] {
                let at = previous.map { " (first defined at line \($0.line))" } ?? ""
                reader.error("duplicate step id '\(id)'\(at)", at: node)
            }
            stepIDs[id] = reader.location(node)
            return id
        }
        var n = kindCounts[kind, default: 0]
        var id: String
        repeat {
            n += 1
            id = "\(kind)\(n)"
        } while stepIDs[id] != nil || listIDs.contains(id)
        kindCounts[kind] = n
        stepIDs[id] = .some(nil)
        return id
    }

    func isStepID(_ id: String) -> Bool {
        let scalars = Array(id.unicodeScalars)
        guard let first = scalars.first, CharacterSet.letters.contains(first) else { return false }
        return scalars.allSatisfy { CharacterSet.alphanumerics.contains($0) || $0 == "_" || $0 == "-" }
    }

    /// Reads a `from:` that must name an earlier fork in the same list.
    func forkReference(_ node: Node, _ kind: String, _ context: StepContext) -> String? {
        guard let id = reader.string(node, "\(kind) from") else { return nil }
        if id == context.id {
            reader.error("\(kind) '\(id)' reads itself; it must read an earlier fork", at: node)
            return nil
        }
        if let step = context.earlier.first(where: { $0.id == id }) {
            guard case .fork = step.kind else {
                reader.error("\(kind) reads '\(id)', which is a \(step.kind.name) step, not a fork", at: node)
                return nil
            }
            return id
        }
        if context.failed.contains(id) {
            // The step is there but could not be read; its own errors say why.
        } else if context.listIDs.contains(id) {
            reader.error("\(kind) reads fork '\(id)', which comes after it; a step can only read earlier steps", at: node)
        } else if stepIDs[id] != nil {
            reader.error("\(kind) reads '\(id)', which is not in the same step list; a \(kind) reads a fork that precedes it in its own list", at: node)
        } else {
            let forks = context.earlier.compactMap { step -> String? in
                if case .fork = step.kind { return step.id }
                return nil
            }
            reader.error("\(kind) reads undefined fork '\(id)'\(Suggestions.hint(for: id, in: forks))", at: node)
        }
        return nil
    }

    func generateStep(_ node: Node, scope: Scope) -> GenerateStep? {
        if node.isNullScalar { return GenerateStep(generation: defaults) }
        guard let f = reader.fields(node, "generate", allowed: Self.generationKeys + ["prefix"]) else { return nil }
        let prefix = f["prefix"].flatMap { reader.template($0, "prefix", scope: scope) }
        return GenerateStep(prefix: prefix, generation: generation(f, "generate", base: defaults, scope: scope))
    }

    func textStep(_ node: Node, scope: Scope) -> TextStep? {
        if case .scalar = node {
            return reader.template(node, "text", scope: scope, allowNull: false).map { TextStep(text: $0) }
        }
        guard let f = reader.fields(node, "text", allowed: ["content", "max_tokens"], required: ["content"]),
              let c = f["content"], let content = reader.template(c, "text content", scope: scope, allowNull: false) else { return nil }
        let limit = f["max_tokens"].flatMap { reader.int($0, "max_tokens", min: 0) }
        return TextStep(text: content, maxTokens: limit)
    }

    func vote(_ node: Node, _ context: StepContext) -> Vote? {
        guard let f = reader.fields(node, "vote", allowed: ["from", "extract", "occurrence", "tie", "text"],
                                    required: ["from", "extract"]) else { return nil }
        let from = f["from"].flatMap { forkReference($0, "vote", context) }
        let extract = f["extract"].flatMap { reader.pattern($0, "vote extract", scope: context.scope) }
        let occurrence = f["occurrence"].map { reader.choice($0, "occurrence", Occurrence.self) } ?? .last
        let tie = f["tie"].map { reader.choice($0, "tie rule", TieRule.self) } ?? .firstBranch
        let text = f["text"].map { reader.template($0, "vote text", scope: context.scope.adding(["answer", "votes"])) }
        guard let from, let extract, let occurrence, let tie, text != .some(nil) else { return nil }
        return Vote(from: from, extract: extract, occurrence: occurrence, tie: tie, text: text ?? nil)
    }

    func merge(_ node: Node, _ context: StepContext) -> Merge? {
        let keys = ["from", "mode", "each", "separator", "prefix", "positions", "generate"]
        guard let f = reader.fields(node, "merge", allowed: keys, required: ["from"]) else { return nil }
        let from = f["from"].flatMap { forkReference($0, "merge", context) }
        let mode = f["mode"].map { reader.choice($0, "merge mode", MergeMode.self) } ?? .attend
        let eachScope = context.scope.adding(["text", "i", "i0"])
        let each = f["each"].map { reader.template($0, "merge each", scope: eachScope) } ?? Template(pieces: [.variable("text")])
        let separator = f["separator"].map { reader.scalarText($0, "merge separator", expected: "a string", allowNull: true) ?? "" } ?? ""
        if mode == .attend {
            for key in ["each", "separator"] {
                if let k = f.keyNode(key) { reader.error("'\(key)' lays out branch text; it has no effect on an attend merge", at: k) }
            }
        }
        let prefix = f["prefix"].map { reader.template($0, "merge prefix", scope: context.scope) }
        let positions = f["positions"].map { reader.choice($0, "merge positions", MergePositions.self) } ?? .afterLongest
        let gen = f["generate"].map { generation($0, "merge generate", base: defaults, scope: context.scope) }
        guard let from, let mode, let each, let positions, prefix != .some(nil), gen != .some(nil) else { return nil }
        return Merge(from: from, mode: mode, each: each, separator: separator, prefix: prefix ?? nil,
                     positions: positions, generation: gen ?? nil)
    }
}

/// Where a step sits: its id, the variables in scope, and its siblings (for `from:` checks).
struct StepContext {
    let id: String
    let scope: Scope
    let earlier: [Step]
    let listIDs: [String]
    /// Ids of earlier steps in the list that could not be read (references to them add no error).
    let failed: [String]
}
