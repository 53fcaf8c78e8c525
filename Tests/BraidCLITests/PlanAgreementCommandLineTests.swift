import Foundation
import Testing

/// The plan is what runs, checked as a user would: `braid run --trace`, then `braid mask --lengths` with every
/// segment id set to the length the run produced (0 for segments it never wrote) and the same `--set`, gives
/// every token the position the run used and every segment the view the run gave it — for every library
/// graph without spawns, on the default model.
@Suite struct PlanAgreementCommandLineTests {
    /// Library graphs without spawns, with budgets small enough to draw the mask.
    static let graphs: [(file: String, set: [String])] = [
        ("parathinker.yaml", ["paths=3", "path_tokens=6", "summary_tokens=4"]),
        ("parathinker-flat.yaml", ["paths=2", "path_tokens=6", "summary_tokens=4"]),
        ("parathinker-flat.yaml", ["paths=3", "path_tokens=5", "summary_tokens=3", "finish=all"]),
        ("parathinker-reprefill.yaml", ["paths=2", "path_tokens=6", "summary_tokens=4"]),
        ("self-consistency.yaml", ["samples=3", "tokens=6"]),
        ("sequential.yaml", ["tokens=8"]),
        ("tree.yaml", ["plan_tokens=4", "work_tokens=4", "pick_tokens=4", "summary_tokens=4"]),
        ("tunnel-vision.yaml", ["prefix_tokens=8", "tokens=6"]),
        ("two-round.yaml", ["paths=2", "path_tokens=5", "interim_tokens=4", "summary_tokens=4"]),
        ("multiverse.yaml", ["goal_tokens=4", "path_tokens=5", "conclusion_tokens=4"]),
    ]

    @Test(arguments: graphs.indices)
    func runLayoutEqualsTheMask(_ index: Int) throws {
        let (file, set) = Self.graphs[index]
        let sets = set.flatMap { ["--set", $0] }
        let trace = FileManager.default.temporaryDirectory.appendingPathComponent("braid-agree-\(UUID().uuidString).jsonl").path
        defer { try? FileManager.default.removeItem(atPath: trace) }
        let run = try BraidProcess.run(["run", "Graphs/\(file)", "--trace", trace, "-q"] + sets)
        try #require(run.status == 0, "braid run: \(run.error)")
        var positions: [String: [Int]] = [:]
        var views: [String: [String]] = [:]
        for line in try String(contentsOfFile: trace, encoding: .utf8).split(separator: "\n") {
            let event = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            guard let segment = event["segment"] as? String else { continue }
            if event["event"] as? String == "segment" { views[segment] = event["view"] as? [String] ?? [] }
            if event["event"] as? String == "tokens" { positions[segment, default: []] += event["positions"] as? [Int] ?? [] }
        }
        let planned = try BraidProcess.run(["plan", "Graphs/\(file)", "--format", "json"] + sets)
        try #require(planned.status == 0, "braid plan: \(planned.error)")
        let plan = try JSONSerialization.jsonObject(with: Data(planned.output.utf8)) as? [String: Any]
        let segments = try #require((plan?["plan"] as? [String: Any])?["segments"] as? [[String: Any]]).compactMap { $0["id"] as? String }
        for opened in views.keys { #expect(segments.contains(opened), "\(file): the run opened '\(opened)', which the plan lacks") }
        let lengths = segments.map { "\($0)=\(positions[$0]?.count ?? 0)" }.joined(separator: ",")
        let mask = try BraidProcess.run(["mask", "Graphs/\(file)", "--lengths", lengths, "--format", "json"] + sets)
        try #require(mask.status == 0, "braid mask: \(mask.error)")
        let expansion = try #require(try JSONSerialization.jsonObject(with: Data(mask.output.utf8)) as? [String: Any])
        let tokens = try #require(expansion["tokens"] as? [[String: Any]])
        let bits = try #require(expansion["mask"] as? [[Int]])
        var maskPositions: [String: [Int]] = [:]
        var firstRow: [String: Int] = [:]
        for token in tokens {
            guard let segment = token["segment"] as? String, let position = token["position"] as? Int,
                  let row = token["index"] as? Int else { continue }
            maskPositions[segment, default: []].append(position)
            if firstRow[segment] == nil { firstRow[segment] = row }
        }
        #expect(maskPositions == positions.filter { !$0.value.isEmpty }, "\(file): positions differ")
        // A segment's first token attends to exactly the written segments of the run's view (itself causally).
        for (segment, row) in firstRow {
            let seen = Set(bits[row].indices.filter { bits[row][$0] == 1 }.compactMap { tokens[$0]["segment"] as? String })
            let view = Set((views[segment] ?? []).filter { !(positions[$0] ?? []).isEmpty })
            #expect(seen == view, "\(file): \(segment) attends to \(seen.sorted()), the run's view is \(view.sorted())")
        }
        #expect(!firstRow.isEmpty)
    }
}
