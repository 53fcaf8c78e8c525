import Foundation
import Testing

/// `--model DIR` with a Hugging Face folder, and the errors malformed folders get: exit 1, the file and the
/// problem named, no crash.
@Suite struct HFFolderCommandLineTests {
    static let fixtures = BraidProcess.repository.appendingPathComponent("Tests/Fixtures/hf")

    @Test func generateOnAFolderReproducesTransformersGreedyTokens() throws {
        let data = try Data(contentsOf: Self.fixtures.appendingPathComponent("model-reference.json"))
        let reference = try #require((try JSONSerialization.jsonObject(with: data) as? [String: Any])?["qwen2-tiny"] as? [String: Any])
        let prompt = try #require(reference["prompt"] as? [Int]), greedy = try #require(reference["greedy"] as? [Int])
        let outcome = try BraidProcess.run(["generate", "--model", "Tests/Fixtures/hf/qwen2-tiny", "--ids", "--ignore-eos",
                                            "--max-tokens", "\(greedy.count)", "\(prompt)"])
        #expect(outcome.status == 0, "stderr: \(outcome.error)")
        #expect(try JSONSerialization.jsonObject(with: Data(outcome.output.utf8)) as? [Int] == greedy)
    }

    @Test func tokenizeReadsAFolderTokenizer() throws {
        let outcome = try BraidProcess.run(["tokenize", "--model", "Tests/Fixtures/hf/qwen2-tok", "a<think3>b"])
        #expect(outcome.status == 0, "stderr: \(outcome.error)")
        #expect(outcome.output.contains("704"), "stdout: \(outcome.output)")  // <think3>, an added special token
    }

    /// A copy of the F32 Qwen2 folder with one change.
    static func brokenCopy(_ change: (URL) throws -> Void) throws -> URL {
        let copy = URL(fileURLWithPath: try BraidProcess.temporaryFolder()).appendingPathComponent("model")
        try FileManager.default.copyItem(at: fixtures.appendingPathComponent("qwen2-tiny"), to: copy)
        try change(copy)
        return copy
    }

    static func editConfig(_ folder: URL, _ edit: (inout [String: Any]) -> Void) throws {
        let url = folder.appendingPathComponent("config.json")
        var config = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        edit(&config)
        try JSONSerialization.data(withJSONObject: config).write(to: url)
    }

    static func header(length: UInt64) -> Data {
        Data((0..<8).map { UInt8(truncatingIfNeeded: length >> (8 * $0)) }) + Data("{}".utf8)
    }

    static let cases: [(String, @Sendable (URL) throws -> Void, String)] = [
        ("missing config", { try FileManager.default.removeItem(at: $0.appendingPathComponent("config.json")) },
         "config.json: missing or unreadable"),
        ("missing weights", { try FileManager.default.removeItem(at: $0.appendingPathComponent("model.safetensors")) },
         "neither model.safetensors nor model.safetensors.index.json is present"),
        ("truncated header", { url in
            let file = url.appendingPathComponent("model.safetensors")
            try Data(try Data(contentsOf: file).prefix(40)).write(to: file)
         }, "model.safetensors: header length"),
        ("absurd header length", { try header(length: 1 << 62).write(to: $0.appendingPathComponent("model.safetensors")) },
         "model.safetensors: header length 4611686018427387904 exceeds the format's limit of 100000000 bytes"),
        ("dtype contradicting config", { try editConfig($0) { $0["dtype"] = "bfloat16" } },
         "but config.json says dtype bfloat16"),
        ("shape mismatch", { try editConfig($0) { $0["intermediate_size"] = 64 } },
         "has shape [48, 32], config.json implies [64, 32]"),
        ("unsupported family", { try editConfig($0) { $0["model_type"] = "gpt_neox" } },
         "config.json: model_type 'gpt_neox' is not supported"),
        ("unsupported tokenizer", { url in
            try Data(#"{"model": {"type": "WordPiece", "vocab": {}}}"#.utf8).write(to: url.appendingPathComponent("tokenizer.json"))
         }, "tokenizer.json: model type 'WordPiece' is not supported"),
    ]

    @Test(arguments: 0..<cases.count)
    func malformedFoldersAreInvalidInputNamingTheFile(index: Int) throws {
        let (name, change, message) = Self.cases[index]
        let folder = try Self.brokenCopy(change)
        let outcome = try BraidProcess.run(["generate", "--model", folder.path, "--ids", "--max-tokens", "1", "[1]"])
        #expect(outcome.status == 1, "\(name): status \(outcome.status), stderr: \(outcome.error)")
        #expect(outcome.error.contains(message), "\(name): stderr: \(outcome.error)")
    }
}

/// `braid convert` writes a GGUF that `braid generate` runs to the same greedy tokens as the folder.
@Suite struct ConvertCommandLineTests {
    @Test func convertedFileGeneratesTheSameTokens() throws {
        let out = try BraidProcess.temporaryFolder() + "/model.gguf"
        let convert = try BraidProcess.run(["convert", "Tests/Fixtures/hf/qwen2-tiny", "--out", out, "--type", "f32"])
        #expect(convert.status == 0, "stderr: \(convert.error)")
        let arguments = ["generate", "--ids", "--ignore-eos", "--max-tokens", "8", "[5, 200, 33, 400, 17, 91, 650, 2]"]
        let fromFolder = try BraidProcess.run(arguments + ["--model", "Tests/Fixtures/hf/qwen2-tiny"])
        let fromFile = try BraidProcess.run(arguments + ["--model", out])
        #expect(fromFolder.status == 0 && fromFile.status == 0, "stderr: \(fromFolder.error) \(fromFile.error)")
        #expect(!fromFolder.output.isEmpty && fromFolder.output == fromFile.output)
    }

    @Test func anUnknownTypeIsAUsageError() throws {
        let outcome = try BraidProcess.run(["convert", "Tests/Fixtures/hf/qwen2-tiny", "--out", "/tmp/x.gguf", "--type", "q3_k"])
        #expect(outcome.status == 2 && outcome.error.contains("--type must be one of f32, f16, q8_0, q4_1, q4_k"), "stderr: \(outcome.error)")
    }
}
