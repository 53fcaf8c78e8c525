import Foundation
import BraidGraph

/// The settings a graph is evaluated at: `--sweep name=v1,v2,…` (repeatable; every combination), on top of
/// the `--set` overrides every run gets.
public struct EvalSweep: Sendable, Equatable {
    /// Each swept param with its values, in command-line order.
    public var axes: [(name: String, values: [String])]

    /// Parses `["path_tokens=32,64", "paths=2,4"]`; a malformed entry, an empty value or a param swept twice
    /// is an ``EvalError``.
    public init(_ specs: [String]) throws(EvalError) {
        var axes: [(name: String, values: [String])] = []
        for spec in specs {
            guard let eq = spec.firstIndex(of: "="), eq != spec.startIndex else {
                throw EvalError("--sweep expects name=v1,v2,…, got '\(spec)'")
            }
            let name = String(spec[..<eq]).trimmingCharacters(in: .whitespaces)
            let values = spec[spec.index(after: eq)...].split(separator: ",", omittingEmptySubsequences: false)
                .map { $0.trimmingCharacters(in: .whitespaces) }
            guard !values.contains(where: \.isEmpty) else { throw EvalError("--sweep \(spec): a value is empty") }
            guard !axes.contains(where: { $0.name == name }) else { throw EvalError("--sweep: '\(name)' is swept twice") }
            axes.append((name, values))
        }
        self.axes = axes
    }

    /// Every combination as (label such as `path_tokens=32 paths=2`, overrides); one empty setting without axes.
    public var settings: [(label: String, overrides: [String: String])] {
        axes.reduce([("", [:])]) { partial, axis in
            partial.flatMap { label, overrides in
                axis.values.map { value in
                    let part = "\(axis.name)=\(value)"
                    return (label.isEmpty ? part : "\(label) \(part)", overrides.merging([axis.name: value]) { _, new in new })
                }
            }
        }
    }

    /// Loads each graph at each setting, in graph order then setting order.
    ///
    /// With several graphs, a `--set` override or a swept param applies to the graphs that declare it (so
    /// `--sweep tokens=64,128 --sweep path_tokens=32,64` gives the sequential graph two budgets and ParaThinker
    /// two others); one that no graph declares is an error, as a typo would be.
    public func configurations(graphs: [String], overrides: [String: String]) throws -> [EvalConfiguration] {
        var declaredAnywhere: Set<String> = []
        var out: [EvalConfiguration] = []
        for path in graphs {
            let plain = try GraphLoader.load(path: path)
            let declared = Set(plain.params.map(\.name) + plain.inputs.map(\.name))
            declaredAnywhere.formUnion(declared)
            let own = EvalSweep(axes: axes.filter { declared.contains($0.name) })
            let fixed = overrides.filter { declared.contains($0.key) }
            for setting in own.settings {
                let graph = try GraphLoader.load(path: path, overrides: fixed.merging(setting.overrides) { _, new in new })
                out.append(EvalConfiguration(graph: graph, setting: setting.label))
            }
        }
        let unknown = (Array(overrides.keys) + axes.map(\.name)).filter { !declaredAnywhere.contains($0) }
        if let name = unknown.sorted().first {
            throw EvalError("no graph declares a param or input named '\(name)' (from --set or --sweep)")
        }
        return out
    }

    private init(axes: [(name: String, values: [String])]) {
        self.axes = axes
    }

    /// Equal when the axes are.
    public static func == (a: EvalSweep, b: EvalSweep) -> Bool {
        a.axes.map(\.name) == b.axes.map(\.name) && a.axes.map(\.values) == b.axes.map(\.values)
    }
}
