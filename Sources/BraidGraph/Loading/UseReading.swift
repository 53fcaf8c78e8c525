import Foundation
import Yams

/// Reading `use:` steps: another graph file, loaded with its own params, run in place.
extension DocumentReader {
    func use(_ node: Node, with: Node?, _ context: StepContext) -> StepKind? {
        guard let path = reader.string(node, "use") else { return nil }
        var overrides: [String: Override] = [:]
        var params: [Param] = []
        var ok = true
        if let with, case .mapping(let mapping) = with {
            for (key, value) in mapping {
                guard let name = identifier(key, "a param name in with") else { ok = false; continue }
                guard let template = reader.template(value, "with \(name)", scope: Scope(variables: []), allowNull: false),
                      let text = template.literalText else { ok = false; continue }
                let location = reader.location(value)
                let line = location.flatMap { $0.line <= reader.lines.count ? reader.lines[$0.line - 1] : nil }
                overrides[name] = Override(value: text, location: location, sourceLine: line)
                params.append(Param(name: name, value: .string(text)))
            }
        } else if let with {
            reader.wrongType(with, "with", expected: "a mapping from param names to values")
            ok = false
        }
        guard ok else { return nil }
        let full = path.hasPrefix("/") ? path : (directory as NSString).appendingPathComponent(path)
        let before = reader.diagnostics.count
        let loaded = self.context.load(path: full, overrides: overrides, requestedBy: (reader, node))
        reader.diagnostics += loaded.diagnostics
        guard let graph = loaded.graph else {
            if reader.diagnostics.count == before {
                reader.error("the graph used here is invalid", at: node)
            }
            return nil
        }
        // Params given with `with:` take the used graph's types.
        let typed = params.map { p in graph.param(named: p.name) ?? p }
        for input in graph.inputs where !context.scope.contains(input.name) {
            reader.error("'\(path)' needs input '{\(input.name)}', which is not a variable here (available: \(context.scope.variables.joined(separator: ", ")))",
                         at: node)
            return nil
        }
        let steps = StepRenaming.prefix(graph.steps, with: context.id + ".")
        for id in StepRenaming.ids(steps) { stepIDs[id] = .some(nil) }
        return .use(Use(path: path, params: typed, graphName: graph.name, steps: steps))
    }
}

/// Renames step ids (and the `from:` references to them) when a used graph is inlined.
enum StepRenaming {
    static func prefix(_ steps: [Step], with prefix: String) -> [Step] {
        steps.map { step in
            var step = step
            step.id = prefix + step.id
            switch step.kind {
            case .fork(var fork):
                fork.steps = Self.prefix(fork.steps, with: prefix)
                step.kind = .fork(fork)
            case .merge(var merge):
                merge.from = prefix + merge.from
                step.kind = .merge(merge)
            case .vote(var vote):
                vote.from = prefix + vote.from
                step.kind = .vote(vote)
            case .spawn(var spawn):
                spawn.child.steps = Self.prefix(spawn.child.steps, with: prefix)
                step.kind = .spawn(spawn)
            case .use(var use):
                use.steps = Self.prefix(use.steps, with: prefix)
                step.kind = .use(use)
            case .generate, .text:
                break
            }
            return step
        }
    }

    static func ids(_ steps: [Step]) -> [String] {
        steps.flatMap { [$0.id] + ids($0.nestedSteps) }
    }
}
