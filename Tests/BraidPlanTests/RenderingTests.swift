import Foundation
import Testing
@testable import BraidPlan

/// The JSON, ASCII and PNG forms carry what they promise.
@Suite struct RenderingTests {
    @Test func planJSONRoundTripsWithItsVersion() throws {
        for name in ["parathinker", "apr", "tree", "apr-parathinker", "parathinker-reprefill"] {
            let plan = try LibraryGraphs.plan(name)
            let bounds = try Bounds.compute(plan, model: .smolLM2)
            let text = try PlanJSON.encode(plan, bounds: bounds)
            let document = try PlanJSON.decode(text)
            #expect(document.version == Plan.formatVersion)
            #expect(document.plan == plan, "\(name)")
            #expect(document.bounds == bounds, "\(name)")
        }
    }

    @Test("the plan keeps what execution needs of programs, lookups, child results, votes and the answer (version 3)")
    func typedSpawnVoteAndAnswerFields() throws {
        let apr = try LibraryGraphs.plan("apr")
        let spawn = try #require(apr.spawns.first)
        #expect(spawn.lookups.map(\.required) == [true, false])
        #expect(spawn.lookups.map(\.occurrence) == [.last, .last])
        #expect(spawn.resultOccurrence == .last)
        #expect(apr.answer?.occurrence == .last)
        let consistency = try LibraryGraphs.plan("self-consistency")
        #expect(consistency.votes.map(\.tie) == [.firstBranch])
        #expect(consistency.votes.map(\.occurrence) == [.last])
        #expect(apr.program(of: "main") == [.write("prompt"), .spawn("search")])
        #expect(consistency.votes.first?.step == consistency.votes.first?.id)
        let text = try PlanJSON.encode(apr)
        #expect(text.contains("\"required\" : true"))
        #expect(text.contains("\"spawn\" : \"search\""))
        #expect(text.contains("\"version\" : 3"))
    }

    @Test func planJSONFromANewerVersionIsRefused() throws {
        let text = try PlanJSON.encode(try HandPlans.sequential())
        let newer = text.replacingOccurrences(of: "\"version\" : \(Plan.formatVersion)", with: "\"version\" : \(Plan.formatVersion + 1)")
        #expect(newer != text)
        #expect(throws: PlanError.self) { try PlanJSON.decode(newer) }
    }

    @Test func maskJSONHasExactlyTheDocumentedShape() throws {
        let plan = try LibraryGraphs.plan("parathinker", ["paths": "2"])
        let expansion = try MaskExpansion.expand(plan, lengths: MaskLengths(["prompt": 3, "think": 2, "summary": 1]))
        let text = MaskJSON.render(expansion)
        #expect(text.hasPrefix("{\"tokens\":[\n{\"index\":0,\"segment\":\"prompt\",\"thread\":\"main\",\"position\":0},"))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(Set(object.keys) == ["tokens", "mask"])
        let tokens = try #require(object["tokens"] as? [[String: Any]])
        let mask = try #require(object["mask"] as? [[Int]])
        #expect(tokens.count == 3 + 2 * 2 + 1)
        #expect(mask.count == tokens.count && mask.allSatisfy { $0.count == tokens.count })
        for (q, row) in mask.enumerated() {
            for (k, cell) in row.enumerated() { #expect((cell == 1) == expansion.attends(q, k)) }
        }
        #expect(tokens.map { $0["position"] as? Int } == expansion.tokens.map(\.position))
        #expect(tokens.map { $0["thread"] as? String }.last == "main")
    }

    @Test func asciiShowsEverySegmentAndOneRowPerToken() throws {
        let plan = try LibraryGraphs.plan("parathinker", ["paths": "3"])
        let expansion = try MaskExpansion.expand(plan, lengths: MaskLengths(["prompt": 4, "think": 2, "summary": 2]))
        let text = MaskASCII.render(expansion)
        for segment in ["prompt", "think[0]", "think[1]", "think[2]", "summary"] { #expect(text.contains("= \(segment) ")) }
        // The last summary row attends to every token: P, a, b, c and S cells, no dot.
        let last = try #require(text.split(separator: "\n").last)
        #expect(last.hasSuffix("PPPPaabbccSS"))
    }

    @Test func pngIsAWellFormedImage() throws {
        let plan = try LibraryGraphs.plan("parathinker", ["paths": "2"])
        let expansion = try MaskExpansion.expand(plan, lengths: MaskLengths(["prompt": 5, "think": 3, "summary": 2]))
        let png = MaskPNG.render(expansion)
        #expect(Array(png.prefix(8)) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        #expect(String(decoding: png[12..<16], as: UTF8.self) == "IHDR")
        // The IEND chunk is fixed by the format: length 0, "IEND", CRC 0xAE426082.
        #expect(Array(png.suffix(12)) == [0, 0, 0, 0, 0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82])
        // Known check values: CRC-32 and Adler-32 of "123456789" and "Wikipedia".
        #expect(PNGEncoder.crc32(Array("123456789".utf8)) == 0xCBF4_3926)
        #expect(PNGEncoder.adler32(Array("Wikipedia".utf8)) == 0x11E6_0398)
    }

    @Test func literalBracesAreTextNotInputs() {
        let estimate = LengthEstimate(inputTokens: 100)
        #expect(estimate.textTokens("\\boxed{}") == "\\boxed{}".utf8.count)
        #expect(estimate.textTokens("Q: {question}") == 3 + 100)
    }

    @Test func dotNamesEverySegmentAndThread() throws {
        let plan = try LibraryGraphs.plan("tree")
        let dot = PlanDOT.render(plan)
        #expect(dot.hasPrefix("digraph"))
        for segment in plan.segments { #expect(dot.contains("\"\(segment.id)\" [label=")) }
        for thread in plan.threads where !thread.segments.isEmpty { #expect(dot.contains("label=\"thread \(thread.id)\"")) }
        // Graphviz crashes on `label`ed edges between clusters; position edges use `xlabel`.
        #expect(!dot.contains("style=dotted, label="))
    }
}
