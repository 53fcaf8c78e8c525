import BraidPlan
import BraidServing
import BraidServingRuntime
import BraidServingTestSupport
import Foundation
import Testing

/// The HTTP executor against scripted completions from the stub server: each decoded segment is one streamed
/// request whose prompt is its view's text, forks run as concurrent requests ended by their finish rule, spawn and
/// join run as APR's client loop, and a failing server keeps the completed requests and names the failing one.
@Suite(.serialized, .timeLimit(.minutes(2)))
struct ServingExecutorTests {
    /// A fork of three branches whose first finish ends it, then a summary that reads the three paths' text.
    static let firstFinish = """
        name: first-finish
        prompt: "Q: alpha\\n"
        steps:
          - id: think
            fork:
              branches: 3
              prefix: "<p{i}>"
              finish: first
              generate: {max_tokens: 200, stop: ["</p{i}>"]}
          - id: summary
            merge:
              from: think
              mode: attend
              prefix: "<sum>"
              generate: {max_tokens: 20}
        answer: {from: summary, regex: 'answer (\\d+)'}
        """

    @Test func aForksFirstFinishCancelsTheOtherBranchesStreamsAndTheSummaryReadsAllPaths() async throws {
        let stub = try await StubServer.start([], routes: [
            StubRoute("<sum>", Scripted.stream([" the answer 42"])),
            StubRoute("<p1>", Scripted.stream(["fast", " path", "</p1>", " never read"], interval: 0.05)),
            StubRoute("<p2>", Scripted.endless(" slow")),
            StubRoute("<p3>", Scripted.endless(" slower")),
        ])
        defer { Task { try? await stub.stop() } }
        let plan = try Scripted.plan(Self.firstFinish)
        let result = try await CompletionsClient.with(baseURL: stub.baseURL) { client in
            try await ServingExecutor.run(plan: plan, client: client)
        }
        #expect(result.answer == "42")
        let byThread = Dictionary(uniqueKeysWithValues: result.threads.map { ($0.name, $0) })
        // Branch 1 ended at its stop string, which it keeps (as the local runtime does); the text after it is never read.
        #expect(byThread["think[0]"]?.text == "<p1>fast path</p1>")
        #expect(byThread["think[0]"]?.stopReason == "done")
        #expect(byThread["think[1]"]?.stopReason == "finish-policy")
        #expect(byThread["think[2]"]?.stopReason == "finish-policy")
        let requests = Dictionary(uniqueKeysWithValues: result.requests.map { ($0.segment, $0) })
        let first = try #require(requests["think[0]"])
        #expect(first.ending == "stop-string" && first.stop == "</p1>")
        for stopped in ["think[1]", "think[2]"] {
            let record = try #require(requests[stopped])
            #expect(record.ending == "finish-policy")
            #expect(record.sent < first.ended, "\(stopped) was in flight together with the winner")
            #expect(record.ended >= first.ended)
        }
        // The stopped branches' streams were closed by the client, seen from the server's side.
        let deadline = Date().addingTimeInterval(5)
        while stub.abandonedStreams < 2, Date() < deadline { try await Task.sleep(for: .milliseconds(20)) }
        #expect(stub.abandonedStreams >= 2)
        // The summary is one request whose prompt re-sends the prompt and every path as it stood, in view order.
        let summary = try #require(requests["summary"])
        let paths = ["think[0]", "think[1]", "think[2]"].compactMap { byThread[$0]?.text }
        #expect(summary.prompt == "Q: alpha\n" + paths.joined() + "<sum>")
        #expect(paths[1].hasPrefix("<p2> slow") && paths[2].hasPrefix("<p3> slower"))
        #expect(summary.promptTokens == 10 && summary.cachedTokens == 0 && summary.completionTokens == 1)
        #expect(summary.sent >= first.ended)
    }

    @Test func twelveBranchesAreAllInFlightTogether() async throws {
        // More than the HTTP client's default of 8 connections per host: every branch holds its own stream. The stub
        // answers the branches only once all twelve requests have arrived (sent in turn, the first would get a 409).
        let stub = try await StubServer.start([], routes: [
            StubRoute("<sum>", Scripted.stream([" the answer 12"])),
            StubRoute("<p", .afterRequests(count: 12, within: 30, reply: Scripted.stream(["a", "b", "c", "d"], interval: 0.1))),
        ])
        defer { Task { try? await stub.stop() } }
        let plan = try Scripted.plan(Self.firstFinish.replacingOccurrences(of: "branches: 3", with: "branches: 12")
            .replacingOccurrences(of: "finish: first", with: "finish: all"))
        let result = try await CompletionsClient.with(baseURL: stub.baseURL) { client in
            try await ServingExecutor.run(plan: plan, client: client, options: ServingOptions(concurrency: 16))
        }
        let branches = result.requests.filter { $0.segment.hasPrefix("think") }
        #expect(branches.count == 12)
        #expect(branches.allSatisfy { $0.ending == "eos" && $0.text == "abcd" })
        #expect(result.answer == "12")
    }

    @Test func concurrencyOneSendsTheBranchesOneAfterAnother() async throws {
        let stub = try await StubServer.start([], routes: [
            StubRoute("<sum>", Scripted.stream([" the answer 7"])),
            StubRoute("<p", Scripted.stream(["a", "b", "c"], interval: 0.03)),
        ])
        defer { Task { try? await stub.stop() } }
        let plan = try Scripted.plan(Self.firstFinish.replacingOccurrences(of: "finish: first", with: "finish: all"))
        let result = try await CompletionsClient.with(baseURL: stub.baseURL) { client in
            try await ServingExecutor.run(plan: plan, client: client, options: ServingOptions(concurrency: 1))
        }
        let branches = result.requests.filter { $0.segment.hasPrefix("think") }.sorted { $0.sent < $1.sent }
        #expect(branches.count == 3)
        for (earlier, later) in zip(branches, branches.dropFirst()) {
            #expect(later.sent >= earlier.ended, "\(later.segment) was sent before \(earlier.segment) ended")
        }
        #expect(result.answer == "7")
    }

    @Test func aServerFailureMidRunKeepsTheCompletedRequestsAndNamesTheThreadAndRequest() async throws {
        let stub = try await StubServer.start([], routes: [
            StubRoute("<sum>", .json(status: 500, body: #"{"error": {"message": "slot crashed"}}"#)),
            StubRoute("<p", Scripted.stream(["done"])),
        ])
        defer { Task { try? await stub.stop() } }
        let plan = try Scripted.plan(Self.firstFinish.replacingOccurrences(of: "finish: first", with: "finish: all"))
        let started = Date()
        let failure = try await CompletionsClient.with(baseURL: stub.baseURL, configuration: ClientConfiguration(
            retry: RetryPolicy(maxAttempts: 2, initialBackoff: 0.05))) { client -> ServingRunFailure? in
            do {
                _ = try await ServingExecutor.run(plan: plan, client: client)
                return nil
            } catch let failure as ServingRunFailure {
                return failure
            }
        }
        let caught = try #require(failure, "the run succeeded against a failing server")
        #expect(Date().timeIntervalSince(started) < 10)
        let message = caught.description
        #expect(message.contains("thread 'main'") && message.contains("request #4") && message.contains("segment 'summary'"))
        #expect(message.contains("500") && message.contains("slot crashed") && message.contains("after 2 attempts"))
        // The three paths completed before the summary failed: their records are kept.
        #expect(caught.requests.map(\.segment).sorted() == ["think[0]", "think[1]", "think[2]"])
        #expect(caught.requests.allSatisfy { $0.ending == "eos" && $0.text == "done" && $0.completionTokens == 1 })
    }
}
