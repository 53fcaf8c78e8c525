import BraidGraph
import Testing
@testable import BraidPlan

/// Compiling scales with the graph: a plan, its bounds and its renderings grow about linearly with the number of
/// segments (issue 9, item 5). Wall time is measured in the benchmark (Docs/plan.md, "Compile cost"), never here;
/// these tests pin down the sizes that the work is linear in, and the linear sweep against the definition it
/// replaces.
@Suite struct ScalingTests {
    /// Everything a plan lists: segments, view entries, position anchors, thread and stage lists, fork and merge
    /// lists. Building, checking, analysing and rendering a plan each visit every entry a bounded number of times.
    static func entries(_ plan: Plan) -> Int {
        plan.segments.reduce(0) { total, segment in
            var count = 1 + segment.view.count + segment.placement.anchors.count
            if case .splice(let splice) = segment.content { count += splice.sources.count }
            return total + count
        }
            + plan.threads.reduce(0) { $0 + 1 + $1.segments.count }
            + plan.stages.reduce(0) { $0 + 1 + $1.segments.count }
            + plan.forks.reduce(0) { $0 + 1 + $1.branches.count + $1.segments.count }
            + plan.merges.reduce(0) { $0 + 1 + $1.sources.count + $1.segments.count }
            + plan.votes.reduce(0) { $0 + 1 + $1.sources.count }
    }

    /// What growing a graph's width `param` from `n` to 2n to 4n does to a measure: each doubling must about double
    /// it (a quadratic part would about quadruple it), and it must grow at all.
    static func expectLinear(_ graph: String, _ param: String, from n: Int, fixed: [String: String] = [:],
                             _ what: String, _ measure: (Plan) throws -> Int) throws {
        var sizes: [Int] = []
        for width in [n, 2 * n, 4 * n] {
            var overrides = fixed
            overrides[param] = String(width)
            sizes.append(try measure(try LibraryGraphs.plan(graph, overrides)))
        }
        for (small, large) in zip(sizes, sizes.dropFirst()) {
            let ratio = Double(large) / Double(max(small, 1))
            #expect(ratio > 1.5 && ratio < 2.1, "\(graph) \(what) at \(param)=\(n), \(2 * n), \(4 * n): \(sizes)")
        }
    }

    /// Wide graphs: ParaThinker (shared and flat positions, attend and reprefill merges), self-consistency (a
    /// vote), the tree (a fork, merge and nested fork per branch).
    static let wide: [(graph: String, param: String, fixed: [String: String])] = [
        ("parathinker", "paths", [:]), ("parathinker-flat", "paths", [:]), ("parathinker-reprefill", "paths", [:]),
        ("self-consistency", "samples", [:]), ("tree", "branches", ["sub_branches": "3"]),
    ]

    @Test("a plan's entries grow linearly with the number of branches", arguments: wide.indices)
    func planEntries(_ index: Int) throws {
        let (graph, param, fixed) = Self.wide[index]
        try Self.expectLinear(graph, param, from: 200, fixed: fixed, "plan entries") { Self.entries($0) }
    }

    @Test("bounds and the worst-case plan grow linearly", arguments: wide.indices)
    func bounds(_ index: Int) throws {
        let (graph, param, fixed) = Self.wide[index]
        try Self.expectLinear(graph, param, from: 200, fixed: fixed, "worst-case entries") { Self.entries(try Bounds.worstCase($0)) }
        try Self.expectLinear(graph, param, from: 200, fixed: fixed, "bounds") { plan in
            try Bounds.compute(plan, model: .smolLM2).segments.count
        }
    }

    @Test("the text, JSON and DOT renderings grow linearly", arguments: wide.indices)
    func renderings(_ index: Int) throws {
        let (graph, param, fixed) = Self.wide[index]
        try Self.expectLinear(graph, param, from: 200, fixed: fixed, "text") { plan in
            PlanText.render(plan, bounds: try Bounds.compute(plan, model: .smolLM2)).utf8.count
        }
        try Self.expectLinear(graph, param, from: 200, fixed: fixed, "JSON") { plan in
            try PlanJSON.encode(plan, bounds: try Bounds.compute(plan, model: .smolLM2)).utf8.count
        }
        try Self.expectLinear(graph, param, from: 200, fixed: fixed, "DOT") { PlanDOT.render($0).utf8.count }
    }

    @Test("a fork whose budgets alone are over the memory limit is refused before its branches are built")
    func forkOverTheLimitIsRefusedBeforeItIsBuilt() throws {
        // A trillion paths could not be built at all: the refusal has to come first.
        let graph = try GraphLoader.load(path: LibraryGraphs.path("parathinker"), overrides: ["paths": "1000000000000"])
        let limits = CompileLimits(model: .smolLM2, memoryLimit: 1 << 40)
        #expect(throws: PlanError.memoryOverLimit(segment: "think[0]", bytes: Int.max, limit: 1 << 40, stage: "think")) {
            try GraphCompiler.compile(graph, limits: limits)
        }
        // Within the limit, the same graph compiles as without limits.
        let fits = try GraphLoader.load(path: LibraryGraphs.path("parathinker"), overrides: ["paths": "8"])
        #expect(try GraphCompiler.compile(fits, limits: limits) == GraphCompiler.compile(fits))
    }

    @Test("budgets too large for the arithmetic are refused, not a crash", arguments: ["path_tokens", "summary_tokens"])
    func hugeBudgets(_ param: String) throws {
        let plan = try LibraryGraphs.plan("parathinker", [param: String(Int.max)])
        let bounds = try Bounds.compute(plan, model: .smolLM2)
        let refusal = bounds.violations(memoryLimit: 1 << 40).first { !$0.runTime }
        guard case .contextOverflow(let segment, let tokens, _, _)? = refusal?.error else {
            Issue.record("expected a context-window refusal, got \(String(describing: refusal))")
            return
        }
        #expect(segment == (param == "path_tokens" ? "think[0]" : "summary"))
        #expect(tokens > 8192)
        #expect(bounds.peakKVBytes > 1 << 40)
    }

    @Test("a long view is abbreviated in the table, keeping its ends and its length")
    func longViewsAreAbbreviated() throws {
        let plan = try LibraryGraphs.plan("parathinker", ["paths": "1000"])
        let text = PlanText.render(plan)
        let summaryRow = try #require(text.split(separator: "\n").first { $0.hasPrefix("  summary ") })
        #expect(summaryRow.contains("prompt think[0]"))
        #expect(summaryRow.contains("think[999] summary (1,002)"))
        #expect(!summaryRow.contains("think[500]"))
        // Short views are still listed in full.
        let small = PlanText.render(try LibraryGraphs.plan("parathinker", ["paths": "4"]))
        #expect(small.contains("prompt think[0] think[1] think[2] think[3] summary"))
    }

    @Test("the one-sweep live-token count equals summing the segments live at each stage, for every library graph")
    func liveTokensSweep() throws {
        let paths = try LibraryGraphs.all()
        #expect(!paths.isEmpty)
        for path in paths {
            let plan = try Bounds.worstCase(try GraphCompiler.compile(try GraphLoader.load(path: path)))
            let lengths = LengthEstimate().maxTokens(in: plan)
            let swept = Liveness.liveTokensPerStage(in: plan, lengths: lengths)
            #expect(swept.count == plan.stages.count)
            for stage in plan.stages.indices {
                let live = plan.segments.filter { segment in
                    segment.stage <= stage && Liveness.lastLiveStage(of: segment, in: plan) >= stage
                }
                #expect(swept[stage] == live.reduce(0) { $0 + (lengths[$1.id] ?? 0) }, "\(path) stage \(stage)")
            }
        }
    }
}
