import Foundation
import Testing
@testable import BraidTransformer

/// `braid tokenize` end to end: the built `braid` binary, run as a user would, on the real model.
@Suite struct TokenizerCommandTests {
    struct Run {
        let status: Int32
        let output: String
        let error: String
    }

    /// Runs the `braid` built next to this test bundle (SwiftPM puts products and tests in one folder).
    static func braid(_ arguments: [String], input: String? = nil) throws -> Run {
        let folder = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        let binary = folder.appendingPathComponent("braid")
        guard FileManager.default.isExecutableFile(atPath: binary.path) else {
            throw TokenizerFixtures.Missing(description: "braid binary not found at \(binary.path); run `swift build` first")
        }
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        let output = Pipe(), error = Pipe(), standardInput = Pipe()
        process.standardOutput = output
        process.standardError = error
        process.standardInput = standardInput
        try process.run()
        if let input { standardInput.fileHandleForWriting.write(Data(input.utf8)) }
        try standardInput.fileHandleForWriting.close()
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        let errorData = error.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Run(status: process.terminationStatus, output: String(decoding: outputData, as: UTF8.self),
                   error: String(decoding: errorData, as: UTF8.self))
    }

    @Test func printsTheReferenceIDsAsJSONAndDecodesThemBack() throws {
        let entry = try #require(try TokenizerFixtures.entries("tokenize").first)
        let text = try TokenizerFixtures.string(entry["text"])
        let encoded = try Self.braid(["tokenize", text])
        #expect(encoded.status == 0, "stderr: \(encoded.error)")
        let ids = try JSONSerialization.jsonObject(with: Data(encoded.output.utf8)) as? [Int]
        #expect(ids?.map { Int32($0) } == (try TokenizerFixtures.ids(entry["ids"])))

        let decoded = try Self.braid(["tokenize", "--decode", encoded.output])
        #expect(decoded.status == 0, "stderr: \(decoded.error)")
        #expect(decoded.output == text + "\n")
    }

    @Test func chatWrapsTheTextLikeTheReferencePrompt() throws {
        // The fixture's first greedy prompt is HF's tokenization of the ChatML user turn plus the assistant opening.
        let greedy = try TokenizerFixtures.entries("greedy")
        let entry = try #require(greedy.first { ($0["prompt"] as? String) == "<|im_start|>user\nWhat is 12*13?<|im_end|>\n<|im_start|>assistant\n" },
                                 "the fixture has the chat prompt for 'What is 12*13?'")
        let expected = try TokenizerFixtures.ids(entry["prompt_ids"])
        let run = try Self.braid(["tokenize", "--chat", "--model", ModelCache.defaultModel.path], input: "What is 12*13?")
        #expect(run.status == 0, "stderr: \(run.error)")
        let ids = try JSONSerialization.jsonObject(with: Data(run.output.utf8)) as? [Int]
        #expect(ids?.map { Int32($0) } == expected)
    }

    @Test func badInputExitsWithOneAndSaysWhy() throws {
        let badID = try Self.braid(["tokenize", "--decode", "[1, 999999]"])
        #expect(badID.status == 1)
        #expect(badID.error.contains("999999"))
        let missing = try Self.braid(["tokenize", "--model", "/nonexistent/model.gguf", "hi"])
        #expect(missing.status == 1)
        #expect(missing.error.contains("/nonexistent/model.gguf"))
        let notGGUF = try Self.braid(["tokenize", "--model", TokenizerFixtures.referenceURL.path, "hi"])
        #expect(notGGUF.status == 1)
        #expect(notGGUF.error.contains("reference.json"))
    }
}
