import BraidTestSupport
import BraidRuntime
import Testing

/// Position layouts and contexts that ParaThinker's ablations and inheriting children use (scripted model).
@Suite("Flat positions and inherited contexts (scripted model)")
struct LayoutTests {
    static func segments(_ events: [TraceEvent]) -> [String: SegmentOpen] {
        Dictionary(events.compactMap { if case .segment(let s) = $0 { return (s.segment, s) } else { return nil } },
                   uniquingKeysWith: { a, _ in a })
    }

    @Test("flat branches take consecutive (prefix + budget) slots; a flat merge starts after the last")
    func flat() throws {
        let yaml = ForkTests.forkGraph(finish: "all")
            .replacingOccurrences(of: "finish: all", with: "finish: all\n      positions: flat")
            .replacingOccurrences(of: "mode: attend", with: "mode: attend\n      positions: flat")
        let (_, events) = try Fixtures.run(try Fixtures.graph(yaml: yaml), on: ScriptedModel(documents: ForkTests.documents))
        let segments = Self.segments(events)
        // "Q\n" is 2 tokens; each slot is "<pN>" (4) + max_tokens 12 = 16 positions.
        #expect([0, 1, 2].map { segments["think[\($0)]"]?.start } == [2, 18, 34])
        // Branch 3 writes 4 + 12 tokens from 34, so the summary starts at 50.
        #expect(segments["summary"]?.start == 50)
    }

    static let inherit = """
        name: inherit
        prompt: "P\\n"
        steps:
          - id: work
            spawn:
              generate: {max_tokens: 50}
              trigger: "]"
              message: 'ask (?<q>[a-z]+)'
              child:
                prompt: "Q {q}:"
                context: inherit
                generate: {max_tokens: 20}
              join:
                found: "{q}->{result};"
                failed: "{q}->none;"
        """

    @Test("an inheriting child reads its parent's context in place and starts at the parent's end")
    func inheritedChild() throws {
        let model = ScriptedModel(documents: ["P\nthink [ask x]", "P\nthink [x->yes; done", "P\nthink [ask x]Q x:yes"])
        let (result, events) = try Fixtures.run(try Fixtures.graph(yaml: Self.inherit), on: model)
        #expect(result.thread("work#0.child[0]")?.text == "Q x:yes")
        #expect(result.finalText == "think [x->yes; done")
        let segments = Self.segments(events)
        #expect(segments["work#0.child[0].message"]?.start == 2 + "think [ask x]".count)
        #expect(segments["work#0.child[0]"]?.view == ["prompt", "work", "work#0.child[0].message", "work#0.child[0]"])
        #expect(model.liveSegments == 0)
    }
}
