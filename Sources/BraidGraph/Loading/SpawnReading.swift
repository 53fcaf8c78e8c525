import Foundation
import Yams

/// Reading `spawn:` steps.
extension DocumentReader {
    static let spawnKeys = ["generate", "trigger", "opener", "message", "lookups", "child", "join",
                            "max_children", "max_depth", "max_rounds"]

    func spawn(_ node: Node, _ context: StepContext) -> Spawn? {
        guard let f = reader.fields(node, "spawn", allowed: Self.spawnKeys,
                                    required: ["trigger", "message", "child", "join"]) else { return nil }
        let scope = context.scope
        let gen = f["generate"].map { generation($0, "spawn generate", base: defaults, scope: scope) } ?? defaults
        let trigger = f["trigger"].flatMap { reader.template($0, "spawn trigger", scope: scope, allowNull: false) }
        if let t = trigger, t.pieces.isEmpty, let n = f["trigger"] { reader.error("spawn trigger must not be empty", at: n) }
        let opener = f["opener"].map { reader.template($0, "spawn opener", scope: scope, allowNull: false) }
        let message = f["message"].flatMap { reader.pattern($0, "spawn message", scope: scope) }
        var captures = message?.captureNames ?? []
        var lookups: [Lookup] = []
        var lookupsOK = true
        if let l = f["lookups"], let items = reader.list(l, "spawn lookups") {
            for item in items {
                if let lookup = lookup(item, scope: scope.adding(captures)) {
                    lookups.append(lookup)
                    captures += lookup.pattern.captureNames.filter { !captures.contains($0) }
                } else {
                    lookupsOK = false
                }
            }
        }
        for name in captures where reader.params[name] != nil || scope.contains(name) || ["i", "i0", "depth", "result"].contains(name) {
            reader.error("capture group '\(name)' has the name of a param or variable that is already in use; rename the group",
                         at: f["message"].map { reader.location(of: "(?<\(name)>", in: $0) } ?? reader.location(node))
        }
        let childScope = scope.adding(captures + ["i", "i0", "depth"])
        let child = f["child"].flatMap { spawnChild($0, scope: childScope) }
        let join = f["join"].flatMap { spawnJoin($0, scope: childScope) }
        let maxChildren = f["max_children"].map { reader.int($0, "max_children") } ?? 8
        let maxDepth = f["max_depth"].map { reader.int($0, "max_depth") } ?? 1
        let maxRounds = f["max_rounds"].map { reader.int($0, "max_rounds") } ?? 8
        guard let gen, let trigger, opener != .some(nil), let message, lookupsOK, let child, let join,
              let maxChildren, let maxDepth, let maxRounds else { return nil }
        return Spawn(generation: gen, trigger: trigger, opener: opener ?? nil, message: message, lookups: lookups,
                     child: child, join: join, maxChildren: maxChildren, maxDepth: maxDepth, maxRounds: maxRounds)
    }

    func lookup(_ node: Node, scope: Scope) -> Lookup? {
        if case .scalar = node {
            return reader.pattern(node, "a lookup regex", scope: scope).map { Lookup(pattern: $0) }
        }
        guard let f = reader.fields(node, "a lookup", allowed: ["regex", "occurrence", "required"], required: ["regex"]),
              let r = f["regex"] else { return nil }
        let pattern = reader.pattern(r, "lookup regex", scope: scope)
        let occurrence = f["occurrence"].map { reader.choice($0, "occurrence", Occurrence.self) } ?? .last
        var required = false
        if let q = f["required"] {
            switch reader.scalarText(q, "lookup required", expected: "true or false") {
            case "true": required = true
            case "false": required = false
            case let other?: reader.error("lookup required must be true or false, got '\(other)'", at: q)
            case nil: break
            }
        }
        guard let pattern, let occurrence else { return nil }
        return Lookup(pattern: pattern, occurrence: occurrence, required: required)
    }

    func spawnChild(_ node: Node, scope: Scope) -> SpawnChild? {
        let keys = ["prompt", "context", "generate", "steps", "result", "occurrence"]
        guard let f = reader.fields(node, "spawn child", allowed: keys, required: ["prompt"]) else { return nil }
        let prompt = f["prompt"].flatMap { reader.template($0, "child prompt", scope: scope) }
        let context = f["context"].map { reader.choice($0, "child context", ChildContext.self) } ?? .isolated
        var gen: Generation?? = .some(nil)
        if let g = f["generate"] {
            gen = generation(g, "child generate", base: defaults, scope: scope).map { .some($0) }
        } else if !f.has("steps") {
            gen = .some(defaults)
        }
        let steps = f["steps"].map { self.steps($0, "child steps", scope: scope) } ?? []
        let result = f["result"].map { reader.pattern($0, "child result", scope: scope) }
        let occurrence = f["occurrence"].map { reader.choice($0, "occurrence", Occurrence.self) } ?? .last
        guard let prompt, let context, let gen, result != .some(nil), let occurrence else { return nil }
        return SpawnChild(prompt: prompt, context: context, generation: gen, steps: steps, result: result ?? nil,
                          occurrence: occurrence)
    }

    func spawnJoin(_ node: Node, scope: Scope) -> Join? {
        guard let f = reader.fields(node, "spawn join", allowed: ["header", "found", "failed", "footer"],
                                    required: ["found"]) else { return nil }
        let withResult = scope.adding(["result"])
        let empty = Template(pieces: [])
        let header = f["header"].map { reader.template($0, "join header", scope: scope) } ?? empty
        let found = f["found"].flatMap { reader.template($0, "join found", scope: withResult) }
        let failed = f["failed"].map { reader.template($0, "join failed", scope: withResult) } ?? empty
        let footer = f["footer"].map { reader.template($0, "join footer", scope: scope) } ?? empty
        guard let header, let found, let failed, let footer else { return nil }
        return Join(header: header, found: found, failed: failed, footer: footer)
    }
}
