import Foundation
import Testing
@testable import BraidGraph

/// Loads YAML text as `t.yaml` and returns the diagnostics (empty when it loads).
func diagnostics(_ yaml: String, overrides: [String: String] = [:], base: String? = nil) -> [Diagnostic] {
    do {
        _ = try GraphLoader.load(text: yaml, file: "t.yaml", overrides: overrides, baseDirectory: base)
        return []
    } catch let error as GraphError {
        return error.diagnostics
    } catch {
        return [Diagnostic(.error, "unexpected error type: \(error)", at: nil)]
    }
}

/// The repository's `Graphs/` directory.
let graphsDirectory = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Graphs")

/// Every graph file of the library, relative to `Graphs/` (parts included).
let libraryFiles: [String] = {
    let fm = FileManager.default
    var out: [String] = []
    for name in (try? fm.contentsOfDirectory(atPath: graphsDirectory.path)) ?? [] where name.hasSuffix(".yaml") {
        out.append(name)
    }
    let parts = graphsDirectory.appendingPathComponent("parts").path
    for name in (try? fm.contentsOfDirectory(atPath: parts)) ?? [] where name.hasSuffix(".yaml") {
        out.append("parts/" + name)
    }
    return out.sorted()
}()

/// A small temporary directory, removed by the caller.
func temporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("braid-graph-tests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}
