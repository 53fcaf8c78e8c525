import BraidTestSupport
import BraidCountdown
import BraidGraph
import BraidPlan
import BraidRuntime
import Testing

/// The plan is what runs: for every library graph (and forks with every finish rule, spawn graphs with nested
/// spawns and failed children), at several seeds, the layout the runtime writes — every token's position, every
/// segment's view — equals the compiled plan's mask expansion for the lengths produced, and the KV store's live
/// bytes equal what the plan's lifetimes hold, checked after every scheduler step; every KV block is released
/// by the end.
@Suite("Every library graph runs as its plan says (babbling scripted model)")
struct LibraryAgreementTests {
    /// A graph and its `--set` overrides.
    struct Case: Sendable, CustomTestStringConvertible {
        var graph: String
        var overrides: [String: String] = [:]
        /// Inline YAML instead of a library file.
        var yaml: String?
        var testDescription: String {
            let set = overrides.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
            return set.isEmpty ? graph : "\(graph) \(set)"
        }
    }

    static let cases: [Case] = [
        Case(graph: "parathinker.yaml"),
        Case(graph: "parathinker.yaml", overrides: ["finish": "half", "paths": "3"]),
        Case(graph: "parathinker.yaml", overrides: ["finish": "all", "path_tokens": "12"]),
        Case(graph: "parathinker-flat.yaml"),
        Case(graph: "parathinker-flat.yaml", overrides: ["finish": "all", "paths": "3", "path_tokens": "10"]),
        Case(graph: "parathinker-reprefill.yaml"),
        Case(graph: "parathinker-reprefill.yaml", overrides: ["finish": "all", "path_tokens": "12"]),
        Case(graph: "self-consistency.yaml", overrides: ["tokens": "24"]),
        Case(graph: "sequential.yaml", overrides: ["tokens": "40"]),
        Case(graph: "tree.yaml", overrides: ["work_tokens": "20"]),
        Case(graph: "tunnel-vision.yaml"),
        Case(graph: "two-round.yaml"),
        Case(graph: "multiverse.yaml"),
        Case(graph: "count", yaml: ForkTests.forkGraph(finish: "{count: 2}")),
        Case(graph: "agree", yaml: ForkTests.forkGraph(finish: "{agree: 2, extract: '([a-h])'}")),
        Case(graph: "flat-reprefill", yaml: ForkTests.forkGraph(finish: "all", mode: "reprefill")
            .replacingOccurrences(of: "finish: all", with: "finish: all\n      positions: flat")),
    ]

    @Test("executed layout equals the compiled plan after every step", arguments: cases, [1, 2, 3] as [UInt64])
    func layoutIsThePlan(_ testCase: Case, seed: UInt64) throws {
        let graph = try testCase.yaml.map { try Fixtures.graph(yaml: $0, overrides: testCase.overrides) }
            ?? Fixtures.graph(testCase.graph, overrides: testCase.overrides)
        let plan = try GraphCompiler.compile(graph)
        let model = ScriptedModel(babbleSeed: seed)
        let (_, events) = try Fixtures.run(graph, on: model, options: RunOptions(seed: seed))
        let defaults = Dictionary(graph.inputs.compactMap { input in input.defaultValue.map { (input.name, $0) } },
                                  uniquingKeysWith: { a, _ in a })
        var conformance = LayoutConformance(plan: plan) { segment in
            FlatSlot.forcedText(of: segment).map { model.encode($0.render(defaults)).count } ?? 0
        }
        try conformance.replay(events)
        #expect(conformance.checks > 1)
        #expect(conformance.liveChecks > 0)
        #expect(conformance.written > 0)
        #expect(conformance.failures.isEmpty, "\(conformance.failures.prefix(4).joined(separator: "\n"))")
        #expect(model.liveSegments == 0)
        // The live-bytes check is not vacuous: a plan that let the prompt go once the first path opens (as if
        // that path took its text) holds less than the KV store does.
        if testCase.graph == "parathinker.yaml", let p = plan.segmentIndex["prompt"] {
            var early = plan
            early.segments[p].lifetime = Lifetime(lastReader: "think[0]", reason: .textTaken)
            var wrong = LayoutConformance(plan: early) { _ in 0 }
            try wrong.replay(events)
            #expect(wrong.failures.contains { $0.contains("the KV store holds") })
        }
        // The check is not vacuous: a flat fork checked against a slot one token longer does not conform.
        if plan.segments.contains(where: { $0.placement.rule == .flat && $0.placement.slot != nil }) {
            var wrong = LayoutConformance(plan: plan) { segment in
                FlatSlot.forcedText(of: segment).map { model.encode($0.render(defaults)).count + 1 } ?? 1
            }
            try wrong.replay(events)
            #expect(!wrong.failures.isEmpty)
        }
    }

    /// Spawn graphs played back from scripted text, each with the documents its model plays.
    static let spawnCases: [(name: String, graph: String?, yaml: String?, documents: [String])] = [
        ("an APR round (a found and a failed child)", "apr.yaml", nil, [
            SpawnJoinTests.prompt + SpawnJoinTests.before + SpawnJoinTests.block,
            SpawnJoinTests.prompt + SpawnJoinTests.before + SpawnJoinTests.join + SpawnJoinTests.after,
            SpawnJoinTests.child0Prompt + SpawnJoinTests.child0Output,
            SpawnJoinTests.child1Prompt + SpawnJoinTests.child1Output,
        ]),
        ("nested spawns and the children/depth/rounds limits", nil, SpawnJoinTests.nested, SpawnJoinTests.nestedDocuments),
        ("a spawn step among a spawned child's own steps", nil, SpawnJoinTests.innerSpawn, SpawnJoinTests.innerDocuments),
        ("a failed required lookup before a started child", "apr.yaml", nil, SpawnJoinTests.failedThenStartedDocuments),
        ("only failed required lookups", "apr.yaml", nil, [
            SpawnJoinTests.prompt + "x\n<Calling Sub Searches>\n<Start Sub Search 0 at level 1> Moving to Node #0,9\n<End Calling Sub Searches>",
            SpawnJoinTests.prompt + "x\n<Sub Searches>\n<No Solution in Sub Search 0 at level 1 at Node #0,9>\n<End Sub Searches>\ndone\n",
        ]),
    ]

    @Test("spawn graphs run as their plan after every step: nested spawns, failed required lookups, the limits")
    func spawnsAreThePlan() throws {
        for testCase in Self.spawnCases {
            let graph = try testCase.yaml.map { try Fixtures.graph(yaml: $0) } ?? Fixtures.graph(testCase.graph ?? "")
            let model = ScriptedModel(documents: testCase.documents)
            let (_, events) = try Fixtures.run(graph, on: model)
            var conformance = LayoutConformance(plan: try GraphCompiler.compile(graph)) { _ in 0 }
            try conformance.replay(events)
            #expect(conformance.checks > 1, "\(testCase.name)")
            #expect(conformance.liveChecks > 0, "\(testCase.name)")
            #expect(conformance.written > 0, "\(testCase.name)")
            #expect(conformance.failures.isEmpty, "\(testCase.name): \(conformance.failures.prefix(4).joined(separator: "\n"))")
            #expect(model.liveSegments == 0, "\(testCase.name)")
        }
    }

    @Test("apr.yaml replayed on Countdown solver traces runs as its plan, instantiated round by round")
    func aprIsThePlan() throws {
        let problems = try ProblemGenerator(config: GeneratorConfig()).generate(count: 4, seed: 5, split: .train)
        let solver = try TraceSolver(settings: SolverSettings(format: .apr, seed: 9))
        let graph = try Fixtures.graph("apr.yaml", overrides: ["parent_tokens": "60000", "child_tokens": "60000", "max_children": "40"])
        var spawned = 0
        for problem in problems {
            let thread = try #require(solver.solve(problem).apr)
            let model = ScriptedModel(documents: thread.segments + thread.children.flatMap { $0 }.map(\.finalText))
            let inputs = ["target": String(problem.target), "numbers": problem.numbers.map(String.init).joined(separator: ", ")]
            let (_, events) = try Fixtures.run(graph, on: model, options: RunOptions(inputs: inputs))
            var conformance = LayoutConformance(plan: try GraphCompiler.compile(graph), everyStep: false) { _ in 0 }
            try conformance.replay(events)
            spawned += events.filter { $0.kind == "spawn" }.count
            #expect(conformance.failures.isEmpty, "problem \(problem.id): \(conformance.failures.prefix(4).joined(separator: "\n"))")
        }
        #expect(spawned > 0)
    }
}
