import BraidGraph
import BraidRuntime
import BraidTransformer
import Foundation
import Testing

/// The runtime on the real SmolLM2 model, greedy (issue 5's done-when list). Budgets are kept to 16 tokens
/// per path so the whole suite runs in seconds in a release build.
@Suite("Runtime on SmolLM2", .serialized)
struct RealModelTests {
    static let question = "What is 12*13?"

    /// ParaThinker with every path run to its budget (finish all), greedy.
    static func parathinker(paths: Int, pathTokens: Int = 16, summaryTokens: Int = 8, graph: String = "parathinker.yaml") throws -> Graph {
        try Fixtures.graph(graph, overrides: ["paths": String(paths), "finish": "all", "path_tokens": String(pathTokens),
                                              "summary_tokens": String(summaryTokens), "temperature": "0"])
    }

    /// Path `i` (1-based) of ParaThinker alone: the same prompt, then `<think{i}>` and decoding at the same
    /// positions (right after the prompt), with the same stop string and budget.
    static func singlePath(_ i: Int, pathTokens: Int = 16) throws -> Graph {
        var graph = try parathinker(paths: 1, pathTokens: pathTokens)
        guard case .fork(let fork) = graph.steps[0].kind, let generation = fork.generation else {
            throw RunError.badStep(step: "think", reason: "parathinker.yaml's first step is no longer a generating fork")
        }
        var single = generation
        single.stop = [Template(literal: "</think\(i)>")]
        graph.steps = [Step(id: "path", kind: .generate(GenerateStep(prefix: Template(literal: "<think\(i)>"), generation: single)))]
        graph.answer = Answer()
        return graph
    }

    @Test("isolation: each path of a P-path run equals that path run alone at the same positions", arguments: [2, 4])
    func isolation(paths: Int) throws {
        let (together, _) = try Fixtures.run(try Self.parathinker(paths: paths), on: try RealModel.model(),
                                             options: RunOptions(inputs: ["question": Self.question]))
        for i in 1...paths {
            let (alone, _) = try Fixtures.run(try Self.singlePath(i), on: try RealModel.model(),
                                              options: RunOptions(inputs: ["question": Self.question]))
            let branch = try #require(together.thread("think[\(i - 1)]")?.segments.first)
            let single = try #require(alone.thread("main")?.segments.first { $0.name == "path" })
            #expect(branch.start == single.start, "path \(i) starts at the same position")
            #expect(branch.tokens == single.tokens, "path \(i): \(branch.text.debugDescription) vs \(single.text.debugDescription)")
            #expect(branch.tokens.count > 1)
        }
    }

    @Test("KV reuse: the attend summary equals the summary over re-prefilled paths with the same mask and positions")
    func kvReuse() throws {
        let graph = try Self.parathinker(paths: 3, summaryTokens: 16)
        let options = RunOptions(inputs: ["question": Self.question])
        let (inPlace, events) = try Fixtures.run(graph, on: try RealModel.model(), options: options)
        var recomputing = options
        recomputing.recomputeMergedKV = true
        let (recomputed, _) = try Fixtures.run(graph, on: try RealModel.model(), options: recomputing)
        let a = try #require(inPlace.thread("main")?.segments.first { $0.name == "summary" })
        let b = try #require(recomputed.thread("main")?.segments.first { $0.name == "summary" })
        #expect(a.start == b.start)
        #expect(a.tokens == b.tokens, "\(a.text.debugDescription) vs \(b.text.debugDescription)")
        #expect(a.tokens.count > 16, "the summary decoded after its forced prefix")
        let merge = events.compactMap { if case .merge(let m) = $0 { return m } else { return nil } }.first
        #expect(merge?.reprefilled == 0)
    }

    @Test("the reference masked layout: a graph forcing the fixture's texts reproduces its logits")
    func referenceLayout() throws {
        let fixture = try ReferenceLayout.load()
        let model = RecordingModel(try RealModel.model())
        let tokenizer = try #require((model.inner as? TransformerModel)?.tokenizer, "the real model is a TransformerModel with a tokenizer")
        let texts = fixture.owners.map { owner in tokenizer.decode(fixture.tokens(of: owner)) }
        let graph = Graph(name: "reference-layout", prompt: .text(Template(literal: texts[0])), steps: [
            Step(id: "paths", kind: .fork(Fork(count: 2, prefix: .list([Template(literal: texts[1]), Template(literal: texts[2])]),
                                               generation: nil, steps: []))),
            Step(id: "summary", kind: .merge(Merge(from: "paths", prefix: Template(literal: texts[3]), generation: nil))),
        ])
        _ = try BraidRunner.run(graph: graph, on: model)
        #expect(model.rows.map(\.token) == fixture.tokens)
        #expect(model.rows.map(\.position) == fixture.positions)
        var worst: Float = 0
        for (k, row) in model.rows.enumerated() where k < fixture.top5.count {
            let reference = fixture.top5[k]
            let top = row.logits.indices.max { row.logits[$0] < row.logits[$1] }
            #expect(top.map(Int32.init) == reference.ids[0], "token \(k): top-1")
            for (id, logit) in zip(reference.ids, reference.logits) {
                let difference = abs(row.logits[Int(id)] - logit)
                worst = max(worst, difference)
                #expect(difference < 1e-2, "token \(k): logit of \(id) is \(row.logits[Int(id)]), reference \(logit)")
            }
        }
        print("reference layout through the runtime: worst top-5 logit difference \(worst)")
    }

    @Test("batched and one-thread-at-a-time scheduling give identical traces for the same seed")
    func batchedEqualsSequential() throws {
        let graph = try Fixtures.graph("parathinker.yaml", overrides: ["paths": "3", "finish": "first", "path_tokens": "12",
                                                                       "summary_tokens": "6", "temperature": "0.8"])
        var options = RunOptions(inputs: ["question": Self.question], seed: 11)
        let (_, batched) = try Fixtures.run(graph, on: try RealModel.model(), options: options)
        options.scheduling = .sequential
        let (_, sequential) = try Fixtures.run(graph, on: try RealModel.model(), options: options)
        func logical(_ events: [TraceEvent]) -> [TraceEvent] {
            events.filter { !["forward", "end", "run"].contains($0.kind) }
        }
        #expect(logical(batched) == logical(sequential))
        #expect(batched.contains { if case .forward(let f) = $0 { return f.threads.count == 3 } else { return false } })
        #expect(!sequential.contains { if case .forward(let f) = $0 { return f.threads.count > 1 } else { return false } })
    }
}

/// `masked_layouts[0]` of `../shared/fixtures/smollm2/reference.json`.
struct ReferenceLayout: Decodable {
    struct Top5: Decodable {
        let ids: [Int32]
        let logits: [Float]
    }
    struct Layout: Decodable {
        let tokens: [Int32]
        let positions: [Int]
        let segment: [Int]
        let top5_per_token: [Top5]
    }
    struct File: Decodable { let masked_layouts: [Layout] }

    let tokens: [Int32]
    let positions: [Int]
    let segment: [Int]
    let top5: [Top5]
    /// Owners in write order: prompt (-1), paths 0 and 1, summary (-2).
    let owners = [-1, 0, 1, -2]

    func tokens(of owner: Int) -> [Int32] { zip(tokens, segment).filter { $0.1 == owner }.map(\.0) }

    static func load() throws -> ReferenceLayout {
        let url = Fixtures.root.deletingLastPathComponent().appendingPathComponent("shared/fixtures/smollm2/reference.json")
        let file = try JSONDecoder().decode(File.self, from: Data(contentsOf: url))
        guard let layout = file.masked_layouts.first else { throw RunError.badInput("reference.json has no masked layout") }
        return ReferenceLayout(tokens: layout.tokens, positions: layout.positions, segment: layout.segment, top5: layout.top5_per_token)
    }

    init(tokens: [Int32], positions: [Int], segment: [Int], top5: [Top5]) {
        self.tokens = tokens
        self.positions = positions
        self.segment = segment
        self.top5 = top5
    }
}
