import BraidGraph
import BraidPlan
import BraidRuntime
import BraidServing
import BraidServingRuntime
import BraidServingSession
import BraidServingTestSupport
import BraidTransformer
import Foundation
import Testing

/// How prompts are sent (`ServingOptions.promptForm`), against the stub server with the default model's tokenizer:
/// as ids they are exactly the tokens the local run prefills; a server that refuses ids gets text, and the run says
/// so; as text they are the rendered text.
@Suite(.serialized, .timeLimit(.minutes(2)))
struct PromptFormTests {
    static var modelURL: URL { URL(fileURLWithPath: LlamaServer.model) }

    static func requireModel() throws {
        try #require(FileManager.default.fileExists(atPath: LlamaServer.model), "the default model is missing: run scripts/fetch-model.sh")
    }

    /// A prompt and a decoded segment with a forced prefix, split inside a word: the local run tokenizes the two
    /// apart (" answ" + "er"), where the whole text would be tokenized " answer".
    static let prefixed = """
        name: prefixed
        prompt: "Q: what is 7+8?\\nA: the answ"
        steps:
          - id: reason
            generate: {prefix: "er is", max_tokens: 8}
        """
    static let prefixedText = "Q: what is 7+8?\nA: the answer is"

    @Test func idsAreTheTokensTheLocalRunPrefills() async throws {
        try Self.requireModel()
        // The local run's forced tokens before its first sampled one: the prompt segment's, then the prefix's.
        let local = try BraidSession(model: Self.modelURL)
        var forced: [Int32] = []
        var sampling = false
        let graph = try GraphLoader.load(text: Self.prefixed, overrides: [:])
        _ = try local.run(graph: graph, options: RunOptions(temperature: 0)) { event in
            guard case .tokens(let written) = event, !sampling else { return }
            if written.sampled { sampling = true } else { forced += written.ids }
        }
        let expected = forced.map(Int.init)
        #expect(expected.count > 5)

        let stub = try await StubServer.start([Scripted.stream([" 15"])])
        defer { Task { try? await stub.stop() } }
        let session = try ServingSession(model: Self.modelURL)
        let result = try await session.run(graph: graph, on: ServingBackend(baseURL: stub.baseURL),
                                           options: ServingOptions(temperature: 0))
        let record = try #require(result.requests.first)
        #expect(record.promptForm == "ids" && record.promptIDs == expected)
        #expect(record.prompt == Self.prefixedText, "the trace keeps the prompt's text too")
        // Not the whole text tokenized at once (what a server given the text would do).
        #expect(expected != session.tokenizer.encode(Self.prefixedText).map(Int.init))
        let sent = "\"prompt\":[" + expected.map(String.init).joined(separator: ",") + "]"
        #expect(stub.requests.count == 1 && stub.requests[0].contains(sent))
        #expect(result.notes.isEmpty)
    }

    @Test func textIsSentWhenAskedFor() async throws {
        try Self.requireModel()
        let stub = try await StubServer.start([Scripted.stream([" 15"])])
        defer { Task { try? await stub.stop() } }
        let session = try ServingSession(model: Self.modelURL)
        let result = try await session.run(graph: try GraphLoader.load(text: Self.prefixed, overrides: [:]),
                                           on: ServingBackend(baseURL: stub.baseURL), options: ServingOptions(promptForm: .text))
        let record = try #require(result.requests.first)
        #expect(record.promptForm == "text" && record.promptIDs == nil)
        #expect(stub.requests.count == 1 && stub.requests[0].contains(#""prompt":"Q: what is 7+8?\nA: the answer is""#))
    }

    @Test func aServerThatRefusesIdsGetsTextAndTheRunSaysSo() async throws {
        try Self.requireModel()
        let stub = try await StubServer.start([Scripted.stream([" 15"])], routes: [
            StubRoute(#""prompt":["#, .json(status: 400, body: #"{"error":{"message":"prompt must be a string"}}"#)),
        ])
        defer { Task { try? await stub.stop() } }
        let session = try ServingSession(model: Self.modelURL)
        let result = try await session.run(graph: try GraphLoader.load(text: Self.prefixed, overrides: [:]),
                                           on: ServingBackend(baseURL: stub.baseURL))
        #expect(stub.requests.count == 2)
        #expect(stub.requests.first?.contains(#""prompt":["#) == true)
        #expect(stub.requests.last?.contains(#""prompt":"Q: what is 7+8?\nA: the answer is""#) == true)
        let record = try #require(result.requests.first)
        #expect(result.requests.count == 1 && record.promptForm == "text" && record.text == " 15")
        #expect(result.notes.count == 1 && result.notes[0].contains("refused a prompt of token ids"))
        #expect(result.notes.first?.contains("prompt must be a string") == true, "the note quotes the server")
    }
}

/// A served session reads the model's tokenizer and nothing else: it works on a model file whose tensors are
/// cut off, which a session that loads weights refuses.
@Suite(.serialized, .timeLimit(.minutes(2)))
struct ServingSessionTests {
    @Test func aServedSessionNeverReadsTheTensors() async throws {
        try PromptFormTests.requireModel()
        let full = try GGUFFile(contentsOf: PromptFormTests.modelURL)
        // The real file cut inside its tensor infos, well before the weights: the metadata (the tokenizer) is whole.
        let bytes = try Data(contentsOf: PromptFormTests.modelURL, options: .alwaysMapped)
        let cut = FileManager.default.temporaryDirectory.appendingPathComponent("braid-tensors-cut-\(UUID().uuidString).gguf")
        try bytes.prefix(full.dataOffset - 200).write(to: cut)
        defer { try? FileManager.default.removeItem(at: cut) }
        #expect(throws: GGUFError.self) { _ = try GGUFFile(contentsOf: cut) }
        #expect(throws: (any Error).self) { _ = try BraidSession(model: cut) }

        let session = try ServingSession(model: cut)
        let text = PromptFormTests.prefixedText + " 15 <think> </think>"
        #expect(session.tokenizer.encode(text) == (try Tokenizer(gguf: full)).encode(text))
        let stub = try await StubServer.start([Scripted.stream([" 15"])])
        defer { Task { try? await stub.stop() } }
        let result = try await session.run(graph: try GraphLoader.load(text: PromptFormTests.prefixed, overrides: [:]),
                                           on: ServingBackend(baseURL: stub.baseURL))
        #expect(result.requests.first?.text == " 15" && result.requests.first?.promptForm == "ids")
    }
}
