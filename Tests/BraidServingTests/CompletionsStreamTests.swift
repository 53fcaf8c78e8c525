import BraidServing
import BraidServingTestSupport
import Foundation
import Testing

/// Streaming (`stream: true`): SSE parsing, token counts, cancellation, and the faults of a stream.
@Suite(.timeLimit(.minutes(3))) struct CompletionsStreamTests {
    @Test func aStreamIsPutTogetherUpToDoneWithItsTokenCounts() async throws {
        let stub = try await StubServer.start([.stream(events: [StubFixture.chunk("The"), StubFixture.chunk(" answer"), StubFixture.chunk(" is", finish: "length"), StubFixture.usage],
                                                       done: true, interval: 0.01)])
        let request = CompletionRequest(prompt: .tokens([1, 504, 28]), maxTokens: 3, stop: ["</think1>"], temperature: 0.5, topP: 1, seed: 9)
        let result = try await CompletionsClient.with(baseURL: stub.baseURL, configuration: StubFixture.fast) {
            try await $0.collect(request, label: "think[0]")
        }
        try await stub.stop()
        #expect(result.texts == [0: "The answer is"])
        #expect(result.finishReasons == [0: "length"])
        #expect(result.usage == TokenUsage(promptTokens: 12, completionTokens: 3))
        let sent = try #require(stub.requests.first)
        let body = try #require(try JSONSerialization.jsonObject(with: Data(sent.utf8)) as? [String: Any])
        #expect(body["prompt"] as? [Int] == [1, 504, 28])
        #expect(body["stream"] as? Bool == true)
        #expect((body["stream_options"] as? [String: Any])?["include_usage"] as? Bool == true)
        #expect(body["stop"] as? [String] == ["</think1>"])
        #expect(body["top_p"] as? Double == 1)
    }

    @Test func breakingOutOfAStreamClosesItsConnection() async throws {
        let stub = try await StubServer.start([.endless(event: StubFixture.chunk("x"), interval: 0.02)])
        let client = try CompletionsClient(baseURL: stub.baseURL, configuration: StubFixture.fast)
        var read = 0
        for try await _ in client.stream(CompletionRequest(prompt: .text("go"), maxTokens: 100_000), label: "think[3]") {
            read += 1
            if read == 3 { break }  // finish-first: this branch is no longer needed
        }
        // The server notices the closed connection (bounded wait, 30 s at most on a busy machine).
        var waited = 0
        while stub.abandonedStreams == 0, waited < 1500 {
            try await Task.sleep(nanoseconds: 20_000_000)
            waited += 1
        }
        try await client.shutdown()
        try await stub.stop()
        #expect(read == 3)
        #expect(stub.abandonedStreams == 1, "the stub should see the stream's connection closed")
        let sent = stub.eventsSent
        try await Task.sleep(nanoseconds: 200_000_000)
        #expect(stub.eventsSent == sent, "no events after the close")
    }

    @Test func aStreamCutBeforeDoneIsAnErrorWithTheTextSoFar() async throws {
        // The stub closes `interval` after the last chunk. When the close reaches a starved client together
        // with a chunk (a loaded machine), the HTTP client fails the body without handing that chunk on, so
        // how many chunks arrive is the transport's business; the contract is that the error carries exactly
        // the text handed on, and that a stream which handed text on is not sent again.
        let stub = try await StubServer.start([.stream(events: [StubFixture.chunk("Hello"), StubFixture.chunk(" wor")], done: false, interval: 0.3)])
        var texts = ""
        var handedOn = 0
        var caught: ServingError?
        let client = try CompletionsClient(baseURL: stub.baseURL, configuration: StubFixture.fast)
        do {
            for try await chunk in client.stream(CompletionRequest(prompt: .text("hi"), maxTokens: 8, seed: 3), label: "child 2") {
                texts += chunk.choices.map(\.text).joined()
                handedOn += 1
            }
        } catch let error as ServingError {
            caught = error
        }
        try await client.shutdown()
        try await stub.stop()
        #expect(texts.hasPrefix("Hello") && "Hello wor".hasPrefix(texts), "got \(texts)")
        #expect(caught?.failure == .streamCut(received: handedOn, text: texts))
        #expect(stub.requests.count == 1, "chunks were handed on: a cut stream is not sent again")
        #expect(caught?.description.contains("request 'child 2'") == true)
    }

    @Test func malformedJSONInAStreamNamesThePayload() async throws {
        let stub = try await StubServer.start([.stream(events: [#"{"choices":[{"index":0,"te"#], done: true, interval: 0.01)])
        let error = try await StubFixture.servingError {
            _ = try await CompletionsClient.with(baseURL: stub.baseURL, configuration: StubFixture.fast) {
                try await $0.collect(CompletionRequest(prompt: .text("hi"), maxTokens: 8), label: "reason")
            }
        }
        try await stub.stop()
        guard case .malformedJSON(_, let body) = error?.failure else {
            Issue.record("expected malformed JSON, got \(String(describing: error))")
            return
        }
        #expect(body == #"{"choices":[{"index":0,"te"#)
    }

    @Test func anErrorObjectInTheStreamIsReported() async throws {
        let stub = try await StubServer.start([.stream(events: [StubFixture.chunk("a"), #"{"error":{"message":"KV cache is full","code":500}}"#],
                                                       done: true, interval: 0.01)])
        let error = try await StubFixture.servingError {
            _ = try await CompletionsClient.with(baseURL: stub.baseURL, configuration: StubFixture.fast) {
                try await $0.collect(CompletionRequest(prompt: .text("hi"), maxTokens: 8), label: "summary")
            }
        }
        try await stub.stop()
        #expect(error?.failure == .serverReported(message: "KV cache is full"))
    }

    @Test func aStalledStreamTimesOut() async throws {
        let stub = try await StubServer.start([.stream(events: [StubFixture.chunk("a")], done: true, interval: 30)])
        let error = try await StubFixture.servingError {
            _ = try await CompletionsClient.with(baseURL: stub.baseURL, configuration: StubFixture.impatient) {
                try await $0.collect(CompletionRequest(prompt: .text("hi"), maxTokens: 8), label: "reason")
            }
        }
        try await stub.stop()
        #expect(error?.failure == .timeout(what: "the stream's next chunk", seconds: 0.5))
    }

    @Test func aSeededStreamIsRetriedWhileNothingWasHandedOn() async throws {
        let stub = try await StubServer.start([.json(status: 503, body: "busy"), .stream(events: [StubFixture.chunk("ok")], done: true, interval: 0.01)])
        let result = try await CompletionsClient.with(baseURL: stub.baseURL, configuration: StubFixture.fast) {
            try await $0.collect(CompletionRequest(prompt: .text("hi"), maxTokens: 8, seed: 5), label: "reason")
        }
        try await stub.stop()
        #expect(result.texts[0] == "ok")
        #expect(stub.requests.count == 2)
    }
}

/// The SSE line protocol on its own.
@Suite struct ServerSentEventsTests {
    @Test func payloadsSplitAnywhereAndCRLFAreJoinedPerEvent() {
        let text = "data: {\"a\":1}\r\n\r\n: comment\nevent: x\ndata: line1\ndata: line2\n\ndata: [DONE]\n\n"
        var parser = ServerSentEvents()
        var events: [String] = []
        for byte in Array(text.utf8) { events += parser.feed([byte]) }  // one byte at a time
        #expect(events == ["{\"a\":1}", "line1\nline2", "[DONE]"])
        #expect(!parser.hasPartialEvent)
        #expect(parser.feed(Array("data: half".utf8)).isEmpty)
        #expect(parser.hasPartialEvent)
    }

    @Test func backoffGrowsByTheMultiplier() {
        let policy = RetryPolicy(maxAttempts: 4, initialBackoff: 0.1, multiplier: 3)
        #expect(policy.backoff(after: 1) == 0.1)
        #expect(abs(policy.backoff(after: 3) - 0.9) < 1e-12)
        #expect(RetryPolicy(maxAttempts: 0).maxAttempts == 1)
    }
}
