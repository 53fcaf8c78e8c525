import BraidServing
import BraidServingTestSupport
import Foundation
import Testing

/// A connection the server closes before sending any byte of its answer (a pooled keep-alive connection it had
/// given up on) never reached a model: the request is sent again even without a seed, up to the retry limit.
/// Once the answer has begun, an unseeded request is never sent again.
@Suite(.timeLimit(.minutes(2))) struct StaleConnectionTests {
    @Test func anUnseededStreamOnAConnectionTheServerClosedIsSentAgain() async throws {
        // The first stream ends cleanly and leaves its connection in the pool; the server closes the next
        // request's connection (that pooled one) without answering; the request is sent again and answered.
        let stub = try await StubServer.start([
            .stream(events: [StubFixture.chunk("first")], done: true, interval: 0.01),
            .closeBeforeAnswer,
            .stream(events: [StubFixture.chunk("second")], done: true, interval: 0.01),
        ])
        let (first, second) = try await CompletionsClient.with(baseURL: stub.baseURL, configuration: StubFixture.fast) { client in
            (try await client.collect(StubFixture.unseeded, label: "think[0]"), try await client.collect(StubFixture.unseeded, label: "think[1]"))
        }
        try await stub.stop()
        #expect(first.texts[0] == "first")
        #expect(second.texts[0] == "second")
        #expect(stub.requests.count == 3)
        #expect(stub.requests[1] == stub.requests[2], "the same request was sent again")
    }

    @Test func anUnseededCompletionIsSentAgainAfterAConnectionClosedBeforeAnswering() async throws {
        let stub = try await StubServer.start([.closeBeforeAnswer, .json(status: 200, body: StubFixture.ok)])
        let completion = try await CompletionsClient.with(baseURL: stub.baseURL, configuration: StubFixture.fast) {
            try await $0.complete(StubFixture.unseeded, label: "reason")
        }
        try await stub.stop()
        #expect(completion.choices.first?.text == " 15")
        #expect(stub.requests.count == 2)
    }

    @Test func resendingStopsAtTheRetryLimitAndSaysWhy() async throws {
        let stub = try await StubServer.start([.closeBeforeAnswer])
        let error = try await StubFixture.servingError {
            _ = try await CompletionsClient.with(baseURL: stub.baseURL, configuration: StubFixture.fast) {
                try await $0.collect(StubFixture.unseeded, label: "summary")
            }
        }
        try await stub.stop()
        guard case .closedBeforeAnswer = error?.failure else {
            Issue.record("expected closedBeforeAnswer, got \(String(describing: error))")
            return
        }
        #expect(error?.attempts == 3 && stub.requests.count == 3)
        #expect(error?.description.contains("(after 3 attempts): the server closed the connection before answering") == true)
    }

    @Test func anUnseededStreamCutAfterItsAnswerBeganIsNotSentAgain() async throws {
        // The response head arrived (the answer began), then the connection closed: a model may have decoded.
        let stub = try await StubServer.start([.stream(events: [], done: false, interval: 0.01),
                                               .stream(events: [StubFixture.chunk("x")], done: true, interval: 0.01)])
        let error = try await StubFixture.servingError {
            _ = try await CompletionsClient.with(baseURL: stub.baseURL, configuration: StubFixture.fast) {
                try await $0.collect(StubFixture.unseeded, label: "reason")
            }
        }
        try await stub.stop()
        #expect(error?.failure == .streamCut(received: 0, text: ""))
        #expect(stub.requests.count == 1)
    }
}
