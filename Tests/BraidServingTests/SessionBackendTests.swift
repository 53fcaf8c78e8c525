import BraidGraph
import BraidPlan
import BraidRuntime
import BraidServing
import BraidServingRuntime
import BraidServingSession
import BraidServingTestSupport
import Foundation
import Testing

/// `BraidSession.run(graph:on:)`, the library entry to a served run, against the stub server with the default
/// model's tokenizer (the model is needed; tests fail with a clear message when it is missing).
@Suite(.serialized, .timeLimit(.minutes(2)))
struct SessionBackendTests {
    static func session() throws -> BraidSession {
        try #require(FileManager.default.fileExists(atPath: LlamaServer.model), "the default model is missing: run scripts/fetch-model.sh")
        return try BraidSession(model: URL(fileURLWithPath: LlamaServer.model))
    }

    @Test func aSessionRunsAGraphOnTheServerWithThePromptItRendersLocally() async throws {
        let session = try Self.session()
        // The chat prompt Braid's own runtime writes for this graph (one decoded token is enough to see it).
        let local = try session.run(graph: Scripted.libraryGraph("sequential"), inputs: ["question": "What is 7+8?"],
                                    overrides: ["tokens": "1"])
        let localPrompt = try #require(local.threads.first?.segments.first?.text)
        let stub = try await StubServer.start([Scripted.stream([" 7+8", " is \\boxed{15}."])])
        defer { Task { try? await stub.stop() } }
        let graph = try GraphLoader.load(path: Scripted.libraryGraph("sequential"), overrides: ["tokens": "32"])
        let trace = Traced()
        let result = try await session.run(graph: graph, on: ServingBackend(baseURL: stub.baseURL),
                                           options: ServingOptions(inputs: ["question": "What is 7+8?"], temperature: 0)) { record in
            trace.add(record)
        }
        #expect(result.answer == "15")
        #expect(result.requests.count == 1 && trace.records == result.requests)
        let request = try #require(result.requests.first)
        #expect(request.prompt == localPrompt, "the served run sent another prompt than the session renders locally")
        #expect(request.maxTokens == 32 && request.temperature == 0)
        #expect(stub.requests.count == 1 && stub.requests[0].contains("\"max_tokens\":32"))
    }

    @Test func aSessionRefusesALoweredGraphUnderRequireExactBeforeSendingAnything() async throws {
        let session = try Self.session()
        let stub = try await StubServer.start([])
        defer { Task { try? await stub.stop() } }
        let graph = try GraphLoader.load(path: Scripted.libraryGraph("parathinker"), overrides: ["paths": "2"])
        await #expect(throws: ServingLowering.NotExact.self) {
            _ = try await session.run(graph: graph, on: ServingBackend(baseURL: stub.baseURL, requireExact: true))
        }
        // What it would lower is the report `braid plan --backend openai` prints.
        let kinds = Set(try session.servingPlan(graph: graph).lowering.changes.map(\.kind))
        #expect(kinds.contains(.attendMerge) && kinds.contains(.thoughtEmbeddings))
        // An unknown input is refused before anything is sent, too.
        await #expect(throws: InputError.self) {
            _ = try await session.run(graph: try GraphLoader.load(path: Scripted.libraryGraph("sequential")),
                                      on: ServingBackend(baseURL: stub.baseURL), options: ServingOptions(inputs: ["nope": "1"]))
        }
        #expect(stub.requests.isEmpty)
    }
}

/// The records an observer saw (it is called from the run's tasks).
final class Traced: @unchecked Sendable {
    private let lock = NSLock()
    private var seen: [RequestRecord] = []

    func add(_ record: RequestRecord) { lock.withLock { seen.append(record) } }
    var records: [RequestRecord] { lock.withLock { seen } }
}
