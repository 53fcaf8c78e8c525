import Testing
@testable import BraidPlan

/// What each library graph becomes on a serving engine's completions API (`braid plan --backend openai`).
@Suite struct ServingLoweringTests {
    /// The lowered rules every library graph must report, by kind; a new graph must be added here.
    static let expected: [String: Set<ServingChangeKind>] = [
        "sequential": [],
        "tunnel-vision": [],
        "self-consistency": [],
        "apr": [],
        "countdown-apr": [],
        "countdown-seq": [],
        "countdown-vote": [],
        "countdown-parathinker-vote": [.thoughtEmbeddings],
        "countdown-parathinker": [.attendMerge, .sharedPositions, .afterLongestPositions, .thoughtEmbeddings],
        // Its children run ParaThinker's steps: what they lower is listed, scoped to the spawn.
        "apr-parathinker": [.attendMerge, .sharedPositions, .afterLongestPositions, .thoughtEmbeddings],
        "parathinker": [.attendMerge, .sharedPositions, .afterLongestPositions, .thoughtEmbeddings],
        "parathinker-1.5b": [.attendMerge, .sharedPositions, .afterLongestPositions, .thoughtEmbeddings],
        "parathinker-reprefill": [.thoughtEmbeddings],
        "parathinker-flat": [.attendMerge, .flatSlots],
        "multiverse": [.attendMerge, .sharedPositions, .afterLongestPositions],
        "two-round": [.attendMerge, .sharedPositions, .afterLongestPositions, .thoughtEmbeddings, .perTokenMask],
        "tree": [.attendMerge, .sharedPositions, .afterLongestPositions, .thoughtEmbeddings, .perTokenMask],
    ]

    @Test func everyLibraryGraphReportsExactlyItsLowerings() throws {
        for path in try LibraryGraphs.all() {
            let name = String(path.split(separator: "/").last?.dropLast(".yaml".count) ?? "")
            let want = try #require(Self.expected[name], "Graphs/\(name).yaml has no expected lowering in this test")
            let report = ServingLowering.lower(try LibraryGraphs.plan(name))
            #expect(Set(report.changes.map(\.kind)) == want, "\(name): \(report.changes.map(\.kind.rawValue))")
            #expect(report.isExact == want.isEmpty, "\(name)")
        }
    }

    @Test func parathinkerLowersItsMergePositionsAndThoughtEmbeddings() throws {
        let report = ServingLowering.lower(try LibraryGraphs.plan("parathinker", ["paths": "4"]))
        let paths = (0..<4).map { "think[\($0)]" }
        let merge = try #require(report.changes.first { $0.kind == .attendMerge })
        #expect(merge.step == "summary")
        #expect(merge.segments == paths + ["summary"])
        #expect(merge.servedAs.contains("re-prefilled"))
        // think[0] sits where it would anyway (right after the prompt); its siblings are the ones moved.
        let shared = try #require(report.changes.first { $0.kind == .sharedPositions })
        #expect(shared.segments == Array(paths.dropFirst()))
        #expect(report.changes.first { $0.kind == .afterLongestPositions }?.segments == ["summary"])
        #expect(report.changes.first { $0.kind == .thoughtEmbeddings }?.segments == paths)
        // Five requests: four paths at once sharing the prompt, then the summary over the paths' text.
        #expect(report.requests.map(\.segment) == paths + ["summary"])
        #expect(report.requests.prefix(4).allSatisfy { $0.context == ["prompt"] && $0.fork == "think" })
        #expect(report.requests.dropFirst().prefix(3).allSatisfy { $0.sharedPrefix == ["prompt"] })
        #expect(report.requests.last?.context == ["prompt"] + paths)
        #expect(report.requests.last?.sharedPrefix == ["prompt", "think[0]"])
    }

    @Test func identicalSiblingsAreOneRequestWithNAndBranchesThatDifferAreNot() throws {
        // Self-consistency's samples share prompt and decoding: one request, n = samples.
        let samples = ServingLowering.lower(try LibraryGraphs.plan("self-consistency", ["samples": "5"]))
        #expect(samples.requests.count == 5 && samples.requests.allSatisfy { $0.n == 5 && $0.fork == "chains" })
        #expect(ServingLoweringText.render(samples).contains("fork chains: one request, n=5 (identical siblings)"))
        // ParaThinker's paths are forced to start with their own <think{i}> (and the flat variant's sit in slots of
        // their own); sequential and apr have no fork: none of them is sent with n.
        for name in ["parathinker", "parathinker-flat", "sequential", "apr"] {
            let report = ServingLowering.lower(try LibraryGraphs.plan(name))
            #expect(report.requests.allSatisfy { $0.n == nil }, "\(name)")
        }
        // A branch with a seed of its own draws what it is told: not a sibling of a request with n.
        var seeded = try LibraryGraphs.plan("self-consistency", ["samples": "2"])
        let fork = try #require(seeded.fork("chains"))
        #expect(seeded.identicalSiblings(fork)?.count == 2)
        let index = try #require(seeded.segments.firstIndex { $0.id == fork.segments[1] })
        guard case .generate(var decoding) = seeded.segments[index].content else {
            Issue.record("chains[1] is not decoded")
            return
        }
        decoding.sampling.seed = 7
        seeded.segments[index].content = .generate(decoding)
        #expect(seeded.identicalSiblings(fork) == nil)
    }

    @Test func childStepsOfASpawnAreScopedToIt() throws {
        let report = ServingLowering.lower(try LibraryGraphs.plan("apr-parathinker"))
        #expect(!report.changes.isEmpty)
        #expect(report.changes.allSatisfy { $0.step.hasPrefix("search child: ") }, "\(report.changes.map(\.step))")
        #expect(throws: ServingLowering.NotExact.self) { try report.requireExact() }
    }

    @Test func sequentialIsOneExactRequest() throws {
        let report = ServingLowering.lower(try LibraryGraphs.plan("sequential"))
        #expect(report.changes.isEmpty)
        #expect(report.requests == [ServingRequest(segment: "reason", thread: "main", stage: 1, context: ["prompt"],
                                                   sharedPrefix: [], fork: nil)])
        #expect(report.spawns.isEmpty)
        #expect(throws: Never.self) { try report.requireExact() }
    }

    @Test func aprSpawnsAndJoinsAsSeparateRequests() throws {
        let report = ServingLowering.lower(try LibraryGraphs.plan("apr"))
        #expect(report.changes.isEmpty)
        #expect(report.requests.map(\.segment) == ["search"])
        let spawn = try #require(report.spawns.first)
        #expect(spawn.id == "search")
        #expect(spawn.stopAt == "<End Calling Sub Searches>")
        #expect(spawn.maxChildren == 10)
        #expect(spawn.maxRounds == 16)
        #expect(spawn.childContext == .isolated)
        let text = ServingLoweringText.render(report)
        #expect(text.contains("up to 10 child requests in flight together"))
        #expect(text.contains("one join request"))
    }

    @Test func twoRoundRereadsTheInterimSummaryWithoutTheFirstRoundsPaths() throws {
        let report = ServingLowering.lower(try LibraryGraphs.plan("two-round"))
        let masks = report.changes.filter { $0.kind == .perTokenMask }
        #expect(masks.allSatisfy { $0.segments == ["interim"] }, "\(masks)")
        #expect(masks.first?.servedAs.contains("interim no longer sees round1[0], round1[1] and round1[2]") == true,
                "\(masks.first?.servedAs ?? "")")
    }

    @Test func requireExactListsEveryLoweredRule() throws {
        let report = ServingLowering.lower(try LibraryGraphs.plan("parathinker", ["paths": "2"]))
        let error = try #require(throws: ServingLowering.NotExact.self) { try report.requireExact() }
        #expect(error.changes == report.changes)
        for kind in ["attend-merge", "shared-positions", "after-longest-positions", "thought-embeddings"] {
            #expect(error.description.contains("- \(kind) ("), "\(kind) missing from: \(error)")
        }
    }

    @Test func theJSONFormRoundTrips() throws {
        let report = ServingLowering.lower(try LibraryGraphs.plan("multiverse"))
        let text = try ServingLoweringText.json(report)
        let decoded = try JSONDecoder().decode(ServingLowering.self, from: Data(text.utf8))
        #expect(decoded == report)
    }
}

import Foundation
