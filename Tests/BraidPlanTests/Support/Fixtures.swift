import Foundation

/// Locates shared fixtures relative to this file (the repository's sibling `shared/` folder).
enum Fixtures {
    /// The repository root.
    static var repositoryRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
    }

    /// `masked_layouts[0]` of the SmolLM2 reference file: (segment owner per token, position per token).
    static func referenceLayout() throws -> (segments: [Int], positions: [Int]) {
        let url = repositoryRoot.deletingLastPathComponent().appendingPathComponent("shared/fixtures/smollm2/reference.json")
        let data = try Data(contentsOf: url)
        guard let root = try JSONSerialization.jsonObject(with: data) as? [String: Any],
              let layouts = root["masked_layouts"] as? [[String: Any]], let first = layouts.first,
              let segments = first["segment"] as? [Int], let positions = first["positions"] as? [Int] else {
            throw FixtureError.malformed(url.path)
        }
        return (segments, positions)
    }

    /// A fixture that could not be read as expected.
    enum FixtureError: Error {
        case malformed(String)
    }
}

/// The two-phase mask rule stated in the reference fixture, written independently of BraidPlan:
/// owner -1 = prompt, seen by all; owner j ≥ 0 = path j, sees the prompt and itself; owner -2 = summary, sees
/// everything before it; always causal in sequence order.
enum ReferenceRule {
    /// Owners and positions for a prompt of `prompt` tokens, paths of `paths` tokens, a summary of `summary`.
    static func layout(prompt: Int, paths: [Int], summary: Int) -> (owners: [Int], positions: [Int]) {
        var owners = Array(repeating: -1, count: prompt)
        var positions = Array(0..<prompt)
        for (j, length) in paths.enumerated() {
            owners += Array(repeating: j, count: length)
            positions += Array(prompt..<(prompt + length))
        }
        let start = prompt + (paths.max() ?? 0)
        owners += Array(repeating: -2, count: summary)
        positions += Array(start..<(start + summary))
        return (owners, positions)
    }

    /// Whether query `q` attends to key `k` under the rule.
    static func visible(_ owners: [Int], _ q: Int, _ k: Int) -> Bool {
        k <= q && (owners[k] == -1 || owners[q] == -2 || owners[q] == owners[k])
    }
}

import BraidGraph
@testable import BraidPlan

/// Library graphs compiled the way `braid plan` does.
enum LibraryGraphs {
    /// `Graphs/<name>.yaml` in the repository.
    static func path(_ name: String) -> String {
        Fixtures.repositoryRoot.appendingPathComponent("Graphs/\(name).yaml").path
    }

    /// Every graph file directly in `Graphs/`.
    static func all() throws -> [String] {
        let directory = Fixtures.repositoryRoot.appendingPathComponent("Graphs")
        return try FileManager.default.contentsOfDirectory(atPath: directory.path)
            .filter { $0.hasSuffix(".yaml") }.sorted().map { directory.appendingPathComponent($0).path }
    }

    /// Loads and compiles a graph with `--set` overrides.
    static func plan(_ name: String, _ overrides: [String: String] = [:]) throws -> Plan {
        try GraphCompiler.compile(try GraphLoader.load(path: path(name), overrides: overrides))
    }
}
