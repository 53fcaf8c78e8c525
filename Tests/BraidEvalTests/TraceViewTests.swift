import BraidTestSupport
import BraidCountdown
import BraidRuntime
import Foundation
import Testing
#if canImport(FoundationXML)
import FoundationXML
#endif

/// `braid trace view`: traces become a timeline (lanes, arrows, per-step series) and a self-contained page.
@Suite("Trace view")
struct TraceViewTests {
    /// The `<svg>…</svg>` part of a page, parsed as XML: nil when it is not well-formed.
    static func svgIsWellFormed(_ page: String) -> Bool {
        guard let start = page.range(of: "<svg"), let end = page.range(of: "</svg>", options: .backwards) else { return false }
        let parser = XMLParser(data: Data(page[start.lowerBound..<end.upperBound].utf8))
        return parser.parse()
    }

    @Test("a recorded 8-path ParaThinker trace from the real model renders: a lane per thread, forks and merges, every step")
    func recordedParaThinker() throws {
        let events = try TraceReader.read(path: EvalFixtures.fixture("parathinker-8.jsonl"))
        let timeline = TraceTimeline(events: events)
        let threads = events.compactMap { if case .thread(let t) = $0 { return t.thread } else { return nil } }
        #expect(timeline.lanes.map(\.name) == threads, "main first, then its branches in start order")
        #expect(timeline.lanes.count == 9)
        let branches = threads.filter { $0 != "main" }
        #expect(Set(timeline.arrows.filter { $0.kind == .fork }.map(\.to)) == Set(branches))
        #expect(Set(timeline.arrows.filter { $0.kind == .merge }.map(\.from)) == Set(branches))
        #expect(timeline.arrows.filter { $0.kind == .merge }.allSatisfy { $0.to == "main" })
        let forwardSteps = Set(events.compactMap { if case .forward(let f) = $0 { return f.step } else { return nil } })
        #expect(timeline.steps.map(\.step) == forwardSteps.sorted())
        // Each lane's sampled tokens are what its writes say.
        for lane in timeline.lanes {
            #expect(lane.writes.filter(\.sampled).map(\.count).reduce(0, +) == lane.sampled, "lane \(lane.name)")
        }
        let page = TraceHTML.render(events: events, title: "parathinker-8.jsonl")
        #expect(Self.svgIsWellFormed(page))
        for name in threads { #expect(page.contains(">\(name)</text>"), "lane label \(name)") }
        #expect(!page.contains("<link") && !page.contains("src="), "no external assets")
    }

    @Test("an APR run: children under their parent, spawn and join arrows, the join at the step the parent resumes")
    func aprRun() throws {
        let (_, events) = try EvalFixtures.aprRun()
        let timeline = TraceTimeline(events: events)
        #expect(timeline.lanes.map(\.name) == ["main", "search#0.child[0]", "search#0.child[1]"])
        #expect(timeline.arrows.filter { $0.kind == .spawn }.map(\.to) == ["search#0.child[0]", "search#0.child[1]"])
        let joins = timeline.arrows.filter { $0.kind == .join }
        #expect(Set(joins.map(\.from)) == ["search#0.child[0]", "search#0.child[1]"])
        let joinStep = events.compactMap { if case .join(let j) = $0 { return j.step } else { return nil } }.first
        #expect(joins.allSatisfy { $0.step == joinStep && $0.to == "main" })
        let page = TraceHTML.render(events: events, title: "apr")
        #expect(Self.svgIsWellFormed(page))
    }

    @Test("an APR run replayed from the Countdown solver: a lane per child under the parent, spawn and join per child")
    func aprReplay() throws {
        let recording = try #require(try APRRecording.multiRound(count: 1, seed: 1).first)
        let thread = recording.thread
        let children = thread.children.flatMap { $0 }
        let model = ScriptedModel(documents: thread.segments + children.map(\.finalText))
        let graph = try EvalFixtures.graph("apr.yaml", overrides: ["parent_tokens": "60000", "child_tokens": "60000", "max_children": "40"])
        let problem = recording.problem
        let (_, events) = try EvalFixtures.run(graph, on: model, inputs: [
            "target": String(problem.target), "numbers": problem.numbers.map(String.init).joined(separator: ", ")])
        let timeline = TraceTimeline(events: events)
        #expect(timeline.lanes.count == 1 + children.count)
        #expect(timeline.lanes.dropFirst().allSatisfy { $0.parent == "main" && $0.kind == "child" })
        #expect(timeline.arrows.filter { $0.kind == .spawn }.count == children.count)
        #expect(timeline.arrows.filter { $0.kind == .join }.count == children.count)
        #expect(Set(timeline.arrows.filter { $0.kind == .join }.map(\.step)).count == thread.children.count, "one join step per round")
        let page = TraceHTML.render(events: events, title: "apr replay")
        #expect(Self.svgIsWellFormed(page))
        // For looking at the page: BRAID_TRACE_VIEW_DIR=/tmp/x swift test … keeps it (and its trace).
        if let directory = ProcessInfo.processInfo.environment["BRAID_TRACE_VIEW_DIR"] {
            try page.write(toFile: directory + "/apr-replay.html", atomically: true, encoding: .utf8)
            try events.map(TraceJSONL.line).joined(separator: "\n").write(toFile: directory + "/apr-replay.jsonl", atomically: true, encoding: .utf8)
        }
    }

    @Test("a trace cut short still renders: unannounced threads get a lane, unstopped lanes run to the end")
    func truncated() throws {
        let (_, events) = try EvalFixtures.pathsRun()
        // Drop the thread announcement of the second path and everything from its stop on.
        let cut = events.firstIndex { if case .stop = $0 { return true } else { return false } } ?? events.count
        let kept = events[..<cut].filter { if case .thread(let t) = $0 { return t.thread != "think[1]" } else { return true } }
        let timeline = TraceTimeline(events: Array(kept))
        #expect(timeline.end == nil)
        #expect(timeline.lanes.contains { $0.name == "think[1]" && $0.kind == "?" })
        #expect(timeline.lanes.allSatisfy { $0.stop == nil })
        let page = TraceHTML.render(events: Array(kept), title: "cut")
        #expect(page.contains("the run did not finish"))
        #expect(Self.svgIsWellFormed(page))
    }

    @Test("text that looks like markup cannot break out of the page")
    func hostileText() throws {
        let lines = [
            #"{"depth":0,"event":"thread","kind":"main","step":0,"thread":"main<b>"}"#,
            #"{"event":"tokens","ids":[1,2],"positions":[0,1],"sampled":false,"segment":"prompt","step":0,"text":"<\/script><script>alert(1)<\/script>&\u0001","thread":"main<b>"}"#,
            #"{"batch":2,"event":"forward","kvBlocks":1,"kvBytes":10,"ms":1,"step":0,"threads":["main<b>"]}"#,
        ]
        let events = try TraceReader.parse(lines.joined(separator: "\n"), file: "hostile.jsonl")
        if case .tokens(let written) = events[1] {
            #expect(written.text.hasPrefix("</script>"))
        } else {
            Issue.record("line 2 is not a tokens event")
        }
        let page = TraceHTML.render(events: events, title: "x")
        #expect(page.components(separatedBy: "</script>").count == 2, "only the page's own script ends")
        #expect(Self.svgIsWellFormed(page))
    }

    @Test("a malformed line is reported with its line number and what is wrong", arguments: [
        ("not json", 2, "not a JSON object"),
        ("{\"step\": 0}", 2, "\"event\""),
        ("{\"event\": \"teleport\", \"step\": 0}", 2, "unknown trace event 'teleport'"),
        ("{\"event\": \"forward\", \"step\": 0, \"batch\": 1}", 2, "missing field"),
        ("{\"event\": \"forward\", \"step\": \"zero\", \"batch\": 1, \"threads\": [], \"ms\": 1, \"kvBlocks\": 0, \"kvBytes\": 0}", 2, "'step' should be an integer"),
    ])
    func malformed(line: String, number: Int, message: String) throws {
        let good = #"{"depth":0,"event":"thread","kind":"main","step":0,"thread":"main"}"#
        let error = try #require(throws: TraceReader.Failure.self) {
            try TraceReader.parse(good + "\n" + line + "\n" + good, file: "run.jsonl")
        }
        #expect(error.line == number)
        #expect(error.description.hasPrefix("run.jsonl:\(number): "))
        #expect(error.description.contains(message), "\(error.description)")
    }

    @Test("blank lines are skipped, an empty file is an error, line numbers count blank lines")
    func blankAndEmpty() throws {
        let good = #"{"depth":0,"event":"thread","kind":"main","step":0,"thread":"main"}"#
        #expect(try TraceReader.parse("\n" + good + "\n\n", file: "t").count == 1)
        #expect(throws: TraceReader.Failure.self) { try TraceReader.parse("\n\n", file: "t") }
        let failure = #expect(throws: TraceReader.Failure.self) { try TraceReader.parse("\n\n" + good + "\n{", file: "t") }
        #expect(failure?.line == 4)
    }
}
