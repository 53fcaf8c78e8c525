import Foundation
import Yams

/// Reading `fork:` steps.
extension DocumentReader {
    static let forkKeys = ["branches", "prefix", "positions", "sees", "thought", "finish", "generate", "steps"]

    func fork(_ node: Node, _ context: StepContext) -> Fork? {
        guard let f = reader.fields(node, "fork", allowed: Self.forkKeys, required: ["branches"]) else { return nil }
        let branchScope = context.scope.adding(["i", "i0"])
        var count: Int?
        var prefix: BranchPrefix? = .template(Template(pieces: []))
        if let b = f["branches"] {
            if case .sequence(let items) = b {
                var list: [Template] = []
                for item in items {
                    if let t = reader.template(item, "a branch prefix", scope: branchScope) { list.append(t) } else { prefix = nil }
                }
                if items.isEmpty { reader.error("branches must list at least one branch prefix", at: b) }
                if let k = f.keyNode("prefix") {
                    reader.error("give either 'prefix' or a list of branch prefixes in 'branches', not both", at: k)
                }
                count = items.isEmpty ? nil : list.count
                if prefix != nil { prefix = .list(list) }
            } else {
                count = reader.int(b, "branches")
            }
        }
        if let p = f["prefix"], case .template = prefix ?? .list([]) {
            prefix = reader.template(p, "fork prefix", scope: branchScope).map { .template($0) }
        }
        let positions = f["positions"].map { reader.choice($0, "fork positions", ForkPositions.self) } ?? .shared
        let sees = f["sees"].map { reader.choice($0, "fork sees", BranchView.self) } ?? .parent
        let thought = f["thought"].map { thoughtEmbedding($0) } ?? ThoughtEmbedding.none
        let finish = f["finish"].map { finishPolicy($0, branches: count, scope: context.scope) } ?? .all
        let steps = f["steps"].map { self.steps($0, "fork steps", scope: branchScope) } ?? []
        var gen: Generation?? = .some(nil)
        if let g = f["generate"] {
            gen = generation(g, "fork generate", base: defaults, scope: branchScope).map { .some($0) }
        } else if !f.has("steps") {
            gen = .some(defaults)
        }
        guard let count, let prefix, let positions, let sees, let thought, let finish, let gen else { return nil }
        if count > 1, steps.isEmpty, let g = gen, g.sampling.temperature == 0, case .template(let t) = prefix,
           t.literalText != nil {
            reader.warning("the \(count) branches of fork '\(context.id)' start from the same text and decode greedily "
                           + "(temperature 0), so they will be identical; set a temperature or a prefix with {i}", at: reader.location(node))
        }
        return Fork(count: count, prefix: prefix, positions: positions, sees: sees, thought: thought,
                    finish: finish, generation: gen, steps: steps)
    }

    func thoughtEmbedding(_ node: Node) -> ThoughtEmbedding? {
        guard var text = reader.scalarText(node, "thought", expected: "'branch', 'none' or an embedding index") else { return nil }
        if let name = reader.wholeReference(text), name != "i" {
            reader.usedNames.insert(name)
            guard let value = reader.params[name] else {
                reader.error("undefined param '\(name)' in thought\(Suggestions.hint(for: name, in: reader.params.keys.sorted()))",
                             at: reader.location(of: "{\(name)}", in: node))
                return nil
            }
            text = value.description
        }
        switch text {
        case "branch", "{i}": return .branch
        case "none": return ThoughtEmbedding.none
        default:
            if let v = Int(text), v >= 0 { return .fixed(v) }
            let hint = Suggestions.hint(for: text, in: ["branch", "none"])
            reader.error("unknown thought '\(text)'; expected 'branch', 'none' or an embedding index\(hint)", at: node)
            return nil
        }
    }

    func finishPolicy(_ node: Node, branches: Int?, scope: Scope) -> FinishPolicy? {
        let names = ["first", "half", "all", "last"]
        if case .mapping = node {
            guard let f = reader.fields(node, "finish", allowed: ["count", "agree", "extract"]) else { return nil }
            if let c = f["count"] {
                for key in ["agree", "extract"] {
                    if let k = f.keyNode(key) { reader.error("finish has either 'count' or 'agree', not both ('\(key)' here)", at: k) }
                }
                guard let k = reader.int(c, "finish count") else { return nil }
                if let branches, k > branches {
                    reader.error("finish count \(k) exceeds the fork's \(branches) branches", at: c)
                    return nil
                }
                return .count(k)
            }
            guard let a = f["agree"] else {
                reader.error("finish needs 'count: k' or 'agree: k' with 'extract'", at: node)
                return nil
            }
            guard let e = f["extract"] else {
                reader.error("finish 'agree' needs 'extract', a regex that reads each branch's answer", at: node)
                return nil
            }
            let k = reader.int(a, "finish agree")
            let extract = reader.pattern(e, "finish extract", scope: scope)
            guard let k, let extract else { return nil }
            if let branches, k > branches {
                reader.error("finish agree \(k) exceeds the fork's \(branches) branches", at: a)
                return nil
            }
            return .agree(k, extract: extract)
        }
        guard let raw = reader.scalarText(node, "finish", expected: "first, half, all, {count: k} or {agree: k, extract: regex}") else {
            return nil
        }
        var text = raw
        var param = ""
        if let name = reader.wholeReference(raw) {
            reader.usedNames.insert(name)
            guard let value = reader.params[name] else {
                reader.error("undefined param '\(name)' in finish\(Suggestions.hint(for: name, in: reader.params.keys.sorted()))",
                             at: reader.location(of: "{\(name)}", in: node))
                return nil
            }
            text = value.description
            param = " (from param '\(name)')"
        }
        switch text {
        case "first": return .first
        case "half": return .half
        case "all", "last": return .all
        default:
            reader.error("unknown finish policy '\(text)'\(param); expected first, half, all (or last), {count: k} or {agree: k, extract: regex}\(Suggestions.hint(for: text, in: names))",
                         at: node)
            return nil
        }
    }
}
