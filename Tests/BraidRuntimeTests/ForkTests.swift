import BraidTestSupport
import BraidGraph
import BraidRuntime
import Testing

/// Forks, finish policies, stop strings, budgets, merges and votes on the scripted model.
@Suite("Forks, termination, merges and votes (scripted model)")
struct ForkTests {
    static func forkGraph(finish: String, mode: String = "attend") -> String {
        """
        name: forks
        prompt: "Q\\n"
        steps:
          - id: think
            fork:
              branches: 3
              prefix: "<p{i}>"
              finish: \(finish)
              generate: {max_tokens: 12, stop: ["</p{i}>"]}
          - id: summary
            merge:
              from: think
              mode: \(mode)
              prefix: "S:"
              generate: {max_tokens: 4}
        """
    }

    // Branch 1 closes its tag after 4 tokens, branch 2 ends (EOS) after 7, branch 3 runs into its budget of 12.
    static let documents = ["Q\n<p1>ab</p1>", "Q\n<p2>abcdefg", "Q\n<p3>abcdefghijklmnopqrstuvwxyz"]

    @Test("finish policies stop the other branches when met", arguments: [
        ("first", 1), ("half", 2), ("all", 3), ("{count: 2}", 2),
    ])
    func finishPolicies(policy: String, finishedBranches: Int) throws {
        let model = ScriptedModel(documents: Self.documents)
        let (result, events) = try Fixtures.run(try Fixtures.graph(yaml: Self.forkGraph(finish: policy)), on: model)
        let stops = Fixtures.stops(events)
        let done = (0..<3).filter { stops["think[\($0)]"]?.reason == "done" }
        #expect(done == Array(0..<finishedBranches))
        #expect(result.thread("think[0]")?.text == "<p1>ab</p1>")
        #expect(stops["think[0]"]?.lastDecode == "stop-string")
        if finishedBranches >= 2 { #expect(stops["think[1]"]?.lastDecode == "eos") }
        if finishedBranches == 3 {
            #expect(stops["think[2]"]?.lastDecode == "budget")
            #expect(result.thread("think[2]")?.text == "<p3>abcdefghijkl")
        }
        #expect(model.liveSegments == 0)
    }

    @Test("branches share the prompt's position; the attend summary starts after the longest branch and sees them all")
    func attendLayout() throws {
        let model = ScriptedModel(documents: Self.documents)
        let (_, events) = try Fixtures.run(try Fixtures.graph(yaml: Self.forkGraph(finish: "all")), on: model)
        let segments = Dictionary(events.compactMap { if case .segment(let s) = $0 { return (s.segment, s) } else { return nil } },
                                  uniquingKeysWith: { a, _ in a })
        for i in 0..<3 { #expect(segments["think[\(i)]"]?.start == 2) }
        // Branch lengths: "<p1>ab</p1>" 11, "<p2>abcdefg" 11, "<p3>" + 12 = 16 tokens.
        #expect(segments["summary"]?.start == 2 + 16)
        #expect(segments["summary"]?.view == ["prompt", "think[0]", "think[1]", "think[2]", "summary"])
        let merges = events.compactMap { if case .merge(let m) = $0 { return m } else { return nil } }
        #expect(merges.first?.reprefilled == 0)
    }

    @Test("a reprefill merge prefills the branches' text after the prompt and frees their KV first")
    func reprefillLayout() throws {
        let model = ScriptedModel(documents: Self.documents)
        let (result, events) = try Fixtures.run(try Fixtures.graph(yaml: Self.forkGraph(finish: "all", mode: "reprefill")), on: model)
        let text = try #require(result.thread("main")?.segments.first { $0.name == "summary.text" })
        #expect(text.text == "<p1>ab</p1><p2>abcdefg<p3>abcdefghijkl")
        #expect(text.start == 2)
        let merge = events.compactMap { if case .merge(let m) = $0 { return m } else { return nil } }.first
        #expect(merge?.reprefilled == text.tokens.count)
        #expect(model.liveSegments == 0)
    }

    static let voteGraph = """
        name: votes
        prompt: "Q\\n"
        steps:
          - id: chains
            fork:
              branches: 5
              prefix: "#{i}:"
              generate: {max_tokens: 20}
          - id: majority
            vote: {from: chains, extract: 'answer (\\d+)', tie: TIE}
        answer: {from: majority}
        """

    @Test("votes count extracted answers; branches without one abstain; ties are deterministic", arguments: [
        ("first-branch", "7"), ("smallest", "5"),
    ])
    func vote(tie: String, winner: String) throws {
        let model = ScriptedModel(documents: ["Q\n#1: answer 7", "Q\n#2: answer 5", "Q\n#3: answer 5", "Q\n#4: answer 7", "Q\n#5: no idea"])
        let graph = try Fixtures.graph(yaml: Self.voteGraph.replacingOccurrences(of: "TIE", with: tie))
        let (result, _) = try Fixtures.run(graph, on: model)
        #expect(result.answer == winner)
        let outcome = try #require(result.votes["majority"])
        #expect(outcome.answers == ["7", "5", "5", "7", nil])
        #expect(Set(outcome.counts.map(\.votes)) == [2])
    }

    @Test("finish agree: the fork ends once k finished branches give the same answer")
    func agree() throws {
        let yaml = """
            name: agree
            prompt: "Q\\n"
            steps:
              - id: chains
                fork:
                  branches: 4
                  prefix: "#{i}:"
                  finish: {agree: 2, extract: 'answer (\\d+)'}
                  generate: {max_tokens: 40}
            """
        // Branches 1 and 2 finish first with different answers; branch 3 agrees with branch 1; branch 4 is cut.
        let model = ScriptedModel(documents: ["Q\n#1: answer 5", "Q\n#2: answer 7", "Q\n#3: xx answer 5",
                                              "Q\n#4: yyyyyyyyyyyy answer 5"])
        let (result, events) = try Fixtures.run(try Fixtures.graph(yaml: yaml), on: model)
        let stops = Fixtures.stops(events)
        #expect((0..<3).allSatisfy { stops["chains[\($0)]"]?.reason == "done" })
        #expect(stops["chains[3]"]?.reason == "finish-policy")
        #expect(result.thread("chains[3]")?.text.hasSuffix("answer 5") == false)
        #expect(model.liveSegments == 0)
    }

    @Test("majority needs no tie-break when one answer has most votes")
    func tally() {
        let outcome = Voting.tally(["3", nil, "4", "4", "3", "4"], tie: .firstBranch)
        #expect(outcome.winner == "4")
        #expect(outcome.counts.map(\.answer) == ["4", "3"])
        #expect(outcome.counts.map(\.votes) == [3, 2])
        #expect(Voting.tally([nil, nil], tie: .smallest).winner == nil)
    }

    @Test("an input the graph does not declare is refused, naming the graph's inputs")
    func badInput() throws {
        let graph = try Fixtures.graph("parathinker.yaml")
        #expect(throws: RunError.badInput("graph 'parathinker' has no input 'questoin' (inputs: question)")) {
            try BraidRunner.run(graph: graph, on: ScriptedModel(documents: []), options: RunOptions(inputs: ["questoin": "x"]))
        }
    }

    @Test("traces round-trip through JSON Lines")
    func traceRoundTrip() throws {
        let model = ScriptedModel(documents: Self.documents)
        let (_, events) = try Fixtures.run(try Fixtures.graph(yaml: Self.forkGraph(finish: "first")), on: model)
        let text = try events.map(TraceJSONL.line).joined(separator: "\n")
        #expect(try TraceJSONL.parse(text) == events)
    }
}
