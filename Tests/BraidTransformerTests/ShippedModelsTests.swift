import Foundation
import Testing
@testable import BraidTransformer

/// `--model NAME` for models shipped in the repository: a bare name is looked up as `Models/*/NAME.gguf`.
@Suite struct ShippedModelsTests {
    /// A scratch repository root with `Models/countdown/{a,b}.gguf` and a stray non-model file.
    private func scratchRoot() throws -> URL {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("braid-shipped-\(UUID().uuidString)")
        let group = root.appendingPathComponent("Models/countdown", isDirectory: true)
        try FileManager.default.createDirectory(at: group, withIntermediateDirectories: true)
        for name in ["countdown-b.gguf", "countdown-a.gguf", "countdown-a.json"] {
            try Data("x".utf8).write(to: group.appendingPathComponent(name))
        }
        return root
    }

    @Test func bareNamesAreNamesAndPathsAreNot() {
        #expect(ShippedModels.isName("countdown-apr"))
        #expect(!ShippedModels.isName("Models/countdown/countdown-apr.gguf"))
        #expect(!ShippedModels.isName("model.gguf"))
        #expect(!ShippedModels.isName("~/m"))
        #expect(!ShippedModels.isName(""))
    }

    @Test func aNameResolvesToItsFileUnderModels() throws {
        let root = try scratchRoot()
        defer { try? FileManager.default.removeItem(at: root) }
        let url = try #require(ShippedModels.url(named: "countdown-a", root: root))
        #expect(url.path.hasSuffix("Models/countdown/countdown-a.gguf"))
        #expect(ShippedModels.url(named: "countdown-c", root: root) == nil)
        #expect(ShippedModels.names(root: root) == ["countdown-a", "countdown-b"])
    }

    @Test func aRootWithoutModelsHasNone() {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("braid-none-\(UUID().uuidString)")
        #expect(ShippedModels.url(named: "countdown-a", root: root) == nil)
        #expect(ShippedModels.names(root: root).isEmpty)
    }
}
