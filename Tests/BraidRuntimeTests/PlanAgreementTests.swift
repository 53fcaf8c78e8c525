import BraidGraph
import BraidTestSupport
import BraidPlan
import BraidRuntime
import Testing

/// The runtime lays tokens out exactly as the compiler's plan (`GraphCompiler`) says: for the lengths a run actually
/// produced, `MaskExpansion` of the plan gives every token the position the runtime used, and every
/// segment the view the runtime gave it.
@Suite("Runtime layout agrees with the plan (scripted model)")
struct PlanAgreementTests {
    /// The plan of `ForkTests.forkGraph` (prompt, 3 shared branches, a merge), built with the plan's builder.
    static func plan(mode: MergeMode) throws -> Plan {
        var builder = PlanBuilder(graph: "forks")
        try builder.text(step: "prompt", content: .text(template: "Q\n", maxTokens: nil))
        try builder.fork(step: "think", ForkSpec(generations: Array(repeating: Decoding(maxTokens: 12), count: 3),
                                                 thoughts: [1, 2, 3]))
        try builder.merge(step: "summary", fork: "think",
                          MergeSpec(mode: mode, generation: Decoding(prefix: "S:", maxTokens: 4)))
        return try builder.build()
    }

    @Test("positions and views of an attend and a reprefill run equal the plan's expansion", arguments: ["attend", "reprefill"])
    func layout(mode: String) throws {
        let model = ScriptedModel(documents: ForkTests.documents)
        let graph = try Fixtures.graph(yaml: ForkTests.forkGraph(finish: "all", mode: mode))
        let (_, events) = try Fixtures.run(graph, on: model)
        var positions: [String: [Int]] = [:]
        var views: [String: [String]] = [:]
        for event in events {
            if case .tokens(let t) = event { positions[t.segment, default: []] += t.positions }
            if case .segment(let s) = event { views[s.segment] = s.view }
        }
        #expect(try Self.plan(mode: mode == "attend" ? .attend : .reprefill).segments.map(\.id)
                == GraphCompiler.compile(graph).segments.map(\.id))
        let plan = try GraphCompiler.compile(graph)
        let lengths = MaskLengths(positions.mapValues(\.count))
        let expansion = try MaskExpansion.expand(plan, lengths: lengths)
        var planned: [String: [Int]] = [:]
        for token in expansion.tokens { planned[token.segment, default: []].append(token.position) }
        #expect(planned == positions)
        for segment in plan.segments {
            #expect(views[segment.id] == segment.view, "segment \(segment.id)")
        }
    }
}
