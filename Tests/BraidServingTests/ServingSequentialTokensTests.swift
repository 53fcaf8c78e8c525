import BraidPlan
import BraidServing
import BraidServingRuntime
import BraidServingTestSupport
import Foundation
import Testing

/// A served run's sequential tokens: the generated tokens on its longest chain of dependencies, as the local
/// executor's trace counts them (`CriticalPath`): a branch starts from its parent's count, and a merge continues
/// from the longest branch it reads.
@Suite(.serialized, .timeLimit(.minutes(2)))
struct ServingSequentialTokensTests {
    static let twoPaths = """
        name: two-paths
        prompt: "Q: alpha\\n"
        steps:
          - id: think
            fork:
              branches: 2
              prefix: "<p{i}>"
              finish: all
              generate: {max_tokens: 50}
          - id: summary
            merge:
              from: think
              mode: attend
              prefix: "<sum>"
              generate: {max_tokens: 20}
        """

    @Test func theLongestBranchPlusTheSummaryIsTheSequentialCount() async throws {
        // The server's counts: path 1 generates 4 tokens, path 2 generates 2, the summary 3.
        let stub = try await StubServer.start([], routes: [
            StubRoute("<sum>", Scripted.stream([" one", " two", " three"])),
            StubRoute("<p1>", Scripted.stream(["a", "b", "c", "d"])),
            StubRoute("<p2>", Scripted.stream(["x", "y"])),
        ])
        defer { Task { try? await stub.stop() } }
        let result = try await CompletionsClient.with(baseURL: stub.baseURL, configuration: StubFixture.fast) { client in
            try await ServingExecutor.run(plan: try Scripted.plan(Self.twoPaths), client: client)
        }
        #expect(result.requests.map(\.completionTokens).compactMap { $0 }.reduce(0, +) == 9, "9 tokens generated in all")
        #expect(result.sequentialTokens == 4 + 3)
    }

    @Test func aStreamWithoutCountsCountsItsChunks() async throws {
        // A stop string ends the stream before the server's counts: one token per streamed chunk.
        let stub = try await StubServer.start([], routes: [
            StubRoute("<sum>", Scripted.stream([" done"])),
            StubRoute("<p1>", Scripted.stream(["a", "b", "c", "</p1>", " never read"])),
            StubRoute("<p2>", Scripted.stream(["x"])),
        ])
        defer { Task { try? await stub.stop() } }
        let stopped = Self.twoPaths.replacingOccurrences(of: "generate: {max_tokens: 50}",
                                                         with: "generate: {max_tokens: 50, stop: [\"</p{i}>\"]}")
        let result = try await CompletionsClient.with(baseURL: stub.baseURL, configuration: StubFixture.fast) { client in
            try await ServingExecutor.run(plan: try Scripted.plan(stopped), client: client)
        }
        let first = try #require(result.requests.first { $0.segment.contains("think") && $0.ending == "stop-string" })
        #expect(first.completionTokens == nil && first.chunks == 4)
        #expect(result.sequentialTokens == 4 + 1)
    }
}
