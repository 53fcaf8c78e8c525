import BraidServing
import BraidServingTestSupport
import Foundation
import Testing

/// The completions client against a stub server that injects one fault per test. Every wait in the client
/// is bounded (short limits here), and the suite as a whole has a time limit, so no test can hang.
@Suite(.timeLimit(.minutes(3))) struct CompletionsClientFaultTests {
    @Test func aHealthyAnswerIsDecodedWithTheServersTokenCounts() async throws {
        let stub = try await StubServer.start([.json(status: 200, body: StubFixture.ok)])
        let completion = try await CompletionsClient.with(baseURL: stub.baseURL, configuration: StubFixture.fast) {
            try await $0.complete(StubFixture.seeded, label: "reason")
        }
        try await stub.stop()
        #expect(completion.choices.first?.text == " 15")
        #expect(completion.choices.first?.finishReason == "stop")
        #expect(completion.usage == TokenUsage(promptTokens: 7, completionTokens: 2, cachedTokens: 4))
        let sent = try #require(stub.requests.first)
        let body = try #require(try JSONSerialization.jsonObject(with: Data(sent.utf8)) as? [String: Any])
        #expect(body["prompt"] as? String == "7+8=")
        #expect(body["max_tokens"] as? Int == 4)
        #expect(body["seed"] as? Int == 1)
        #expect(body["stream"] == nil)
    }

    @Test func connectionRefusedNamesTheRequestAndTheAddress() async throws {
        let stub = try await StubServer.start([])
        let address = stub.baseURL
        try await stub.stop()
        let error = try await StubFixture.servingError {
            _ = try await CompletionsClient.with(baseURL: address, configuration: StubFixture.fast) {
                try await $0.complete(StubFixture.unseeded, label: "think[2]")
            }
        }
        guard case .connectionRefused = error?.failure else {
            Issue.record("expected connection refused, got \(String(describing: error))")
            return
        }
        #expect(error?.description.contains("request 'think[2]' to \(address)/v1/completions: connection refused") == true)
    }

    @Test func aClientErrorIsNotRetriedAndQuotesTheServer() async throws {
        let stub = try await StubServer.start([.json(status: 400, body: #"{"error":{"message":"max_tokens must be at least 1"}}"#)])
        let error = try await StubFixture.servingError {
            _ = try await CompletionsClient.with(baseURL: stub.baseURL, configuration: StubFixture.fast) {
                try await $0.complete(StubFixture.seeded, label: "summary")
            }
        }
        try await stub.stop()
        #expect(error?.failure == .status(code: 400, reason: "Bad Request", body: #"{"error":{"message":"max_tokens must be at least 1"}}"#))
        #expect(error?.attempts == 1)
        #expect(stub.requests.count == 1)
        #expect(error?.description.contains("server answered 400 Bad Request: {\"error\"") == true)
    }

    @Test func aSeededRequestIsRetriedAfterAServerError() async throws {
        let stub = try await StubServer.start([.json(status: 503, body: "loading model"), .json(status: 200, body: StubFixture.ok)])
        let completion = try await CompletionsClient.with(baseURL: stub.baseURL, configuration: StubFixture.fast) {
            try await $0.complete(StubFixture.seeded, label: "reason")
        }
        try await stub.stop()
        #expect(completion.choices.first?.text == " 15")
        #expect(stub.requests.count == 2)
    }

    @Test func retriesStopAtTheLimitAndTheErrorCountsThem() async throws {
        let stub = try await StubServer.start([.json(status: 502, body: "bad gateway")])
        let error = try await StubFixture.servingError {
            _ = try await CompletionsClient.with(baseURL: stub.baseURL, configuration: StubFixture.fast) {
                try await $0.complete(StubFixture.seeded, label: "reason")
            }
        }
        try await stub.stop()
        #expect(stub.requests.count == 3)
        #expect(error?.attempts == 3)
        #expect(error?.description.contains("(after 3 attempts): server answered 502 Bad Gateway: bad gateway") == true)
    }

    @Test func anUnseededRequestIsSentOnlyOnce() async throws {
        let stub = try await StubServer.start([.json(status: 500, body: "oops"), .json(status: 200, body: StubFixture.ok)])
        let error = try await StubFixture.servingError {
            _ = try await CompletionsClient.with(baseURL: stub.baseURL, configuration: StubFixture.fast) {
                try await $0.complete(StubFixture.unseeded, label: "reason")
            }
        }
        try await stub.stop()
        #expect(stub.requests.count == 1)
        #expect(error?.failure == .status(code: 500, reason: "Internal Server Error", body: "oops"))
    }

    @Test func aSilentServerTimesOut() async throws {
        let stub = try await StubServer.start([.silent])
        let error = try await StubFixture.servingError {
            _ = try await CompletionsClient.with(baseURL: stub.baseURL, configuration: StubFixture.impatient) {
                try await $0.complete(StubFixture.unseeded, label: "reason")
            }
        }
        try await stub.stop()
        guard case .timeout(_, let seconds) = error?.failure else {
            Issue.record("expected a timeout, got \(String(describing: error))")
            return
        }
        #expect(seconds == 0.5)
    }

    @Test func truncatedJSONIsMalformedAndQuoted() async throws {
        let stub = try await StubServer.start([.json(status: 200, body: #"{"choices":[{"index":0,"text":"hel"#)])
        let error = try await StubFixture.servingError {
            _ = try await CompletionsClient.with(baseURL: stub.baseURL, configuration: StubFixture.fast) {
                try await $0.complete(StubFixture.seeded, label: "reason")
            }
        }
        try await stub.stop()
        guard case .malformedJSON(_, let body) = error?.failure else {
            Issue.record("expected malformed JSON, got \(String(describing: error))")
            return
        }
        #expect(body == #"{"choices":[{"index":0,"text":"hel"#)
        #expect(stub.requests.count == 1, "a malformed answer is not transient: no retry")
    }
}
