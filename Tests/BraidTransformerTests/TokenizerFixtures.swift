import Foundation
import Testing
@testable import BraidTransformer

/// Shared inputs of the tokenizer tests: SmolLM2's tokenizer read from the real model file, and the
/// HF transformers reference fixture.
enum TokenizerFixtures {
    /// Errors that explain what a test needs and where it looked.
    struct Missing: Error, CustomStringConvertible {
        let description: String
    }

    /// The repository root, found from this file's path.
    static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// `../shared/fixtures/smollm2/reference.json` relative to the repository root.
    static let referenceURL = repositoryRoot
        .appendingPathComponent("../shared/fixtures/smollm2/reference.json").standardizedFileURL

    /// SmolLM2's tokenizer, loaded once for all tests.
    static let smolLM2: Result<Tokenizer, Error> = Result { try loadSmolLM2() }

    /// The tokenizer, or a thrown error naming the missing model.
    static func tokenizer() throws -> Tokenizer { try smolLM2.get() }

    private static func loadSmolLM2() throws -> Tokenizer {
        let url = ModelCache.defaultModel
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw Missing(description: "model not found at \(url.path); run scripts/fetch-model.sh or set BRAID_MODELS")
        }
        return try Tokenizer(gguf: GGUFFile(contentsOf: url))
    }

    /// The reference fixture as JSON.
    static func reference() throws -> [String: Any] {
        guard let data = try? Data(contentsOf: referenceURL) else {
            throw Missing(description: "reference fixture not found at \(referenceURL.path)")
        }
        guard let json = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw Missing(description: "reference fixture at \(referenceURL.path) is not a JSON object")
        }
        return json
    }

    /// The entries of one top-level array of the fixture.
    static func entries(_ key: String) throws -> [[String: Any]] {
        guard let entries = try reference()[key] as? [[String: Any]] else {
            throw Missing(description: "reference fixture has no array '\(key)'")
        }
        return entries
    }

    /// An id list from the fixture.
    static func ids(_ value: Any?) throws -> [Int32] {
        guard let numbers = value as? [Int] else { throw Missing(description: "expected an id list, got \(String(describing: value))") }
        return numbers.map { Int32($0) }
    }

    /// A string from the fixture.
    static func string(_ value: Any?) throws -> String {
        guard let text = value as? String else { throw Missing(description: "expected a string, got \(String(describing: value))") }
        return text
    }
}
