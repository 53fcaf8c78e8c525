import BraidRandom
import Foundation
import Testing
@testable import BraidGraph

/// Mutates valid graphs (delete, duplicate or retype lines and values, truncate, insert random bytes) and
/// checks that the loader never crashes and always answers with either a valid graph (which must then
/// round-trip through `graph show`) or positioned errors.
@Suite struct FuzzTests {
    /// Mutations per library file; `BRAID_FUZZ_ROUNDS` raises it for a longer local run.
    static let mutationsPerFile = ProcessInfo.processInfo.environment["BRAID_FUZZ_ROUNDS"].flatMap { Int($0) } ?? 120

    static let replacements = ["[]", "{}", "-1", "0", "\"x\"", "true", "null", "[1, 2]", "\"{nope}\"", "{a: b}",
                               "99999999999999999999", "'(unclosed'", "\"{i}\"", "2.5", "", "\"\"", "&a x", "*a"]

    @Test(arguments: libraryFiles)
    func mutatedGraphsFailCleanly(_ name: String) throws {
        let url = graphsDirectory.appendingPathComponent(name)
        let text = try String(contentsOf: url, encoding: .utf8)
        var rng = SplitMix64(seed: fnv1a(name))
        var valid = 0, invalid = 0
        for round in 0..<Self.mutationsPerFile {
            let mutated = mutate(text, &rng, kind: round % 6)
            let base = url.deletingLastPathComponent().path
            do {
                let graph = try GraphLoader.load(text: mutated, file: "m.yaml", baseDirectory: base)
                valid += 1
                let again = try GraphLoader.load(text: GraphPrinter.yaml(graph), file: "shown.yaml", baseDirectory: base)
                #expect(again == graph, "a mutated graph that loads must round-trip:\n\(mutated)")
            } catch let error as GraphError {
                invalid += 1
                #expect(!error.diagnostics.isEmpty, "an error without diagnostics for:\n\(mutated)")
                let lineCount = mutated.split(separator: "\n", omittingEmptySubsequences: false).count
                for d in error.diagnostics {
                    guard let at = d.location else {
                        Issue.record("unpositioned diagnostic '\(d.message)' for:\n\(mutated)")
                        continue
                    }
                    #expect(at.line >= 1 && at.column >= 1)
                    if at.file == "m.yaml" { #expect(at.line <= lineCount + 1, "\(d)") }
                }
            } catch {
                Issue.record("unexpected error type \(type(of: error)): \(error)")
            }
        }
        #expect(valid + invalid == Self.mutationsPerFile)
        #expect(invalid > 0, "the mutations should break some graphs")
    }

    @Test func randomBytesFailCleanly() {
        var rng = SplitMix64(seed: 42)
        for _ in 0..<300 {
            let length = Int(rng.next() % 200)
            let bytes = (0..<length).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            let text = String(decoding: bytes, as: UTF8.self)
            let found = diagnostics(text)
            #expect(!found.isEmpty)
            #expect(found.allSatisfy { $0.location != nil })
        }
    }

    @Test func invalidUTF8FileIsReported() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("bad.yaml")
        try Data([0x6E, 0x61, 0x6D, 0x65, 0x3A, 0x20, 0xFF, 0xFE, 0x0A]).write(to: file)
        let found = GraphLoader.check(path: file.path)
        #expect(found.first?.message == "graph file is not UTF-8 text")
        #expect(found.first?.location?.line == 1)
    }

    func mutate(_ text: String, _ rng: inout SplitMix64, kind: Int) -> String {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let pick = { (rng: inout SplitMix64) in Int(rng.next() % UInt64(max(1, lines.count))) }
        switch kind {
        case 0:
            lines.remove(at: pick(&rng))
        case 1:
            let i = pick(&rng)
            lines.insert(lines[i], at: i)
        case 2:
            let i = pick(&rng)
            if let colon = lines[i].range(of: ": ") {
                let r = Self.replacements[Int(rng.next() % UInt64(Self.replacements.count))]
                lines[i] = String(lines[i][..<colon.upperBound]) + r
            } else {
                lines[i] = String(lines[i].reversed())
            }
        case 3:
            let scalars = Array(text.unicodeScalars)
            let cut = Int(rng.next() % UInt64(scalars.count + 1))
            return String(String.UnicodeScalarView(scalars[..<cut]))
        case 4:
            var scalars = Array(text.unicodeScalars)
            for _ in 0..<3 {
                let at = Int(rng.next() % UInt64(scalars.count + 1))
                let noise = Array("{}[]:-'\"\t\n #&*!|>%@`,?\\\u{0}\u{7F}é🧵".unicodeScalars)
                scalars.insert(noise[Int(rng.next() % UInt64(noise.count))], at: at)
            }
            return String(String.UnicodeScalarView(scalars))
        default:
            // Swap two lines: keys move to the wrong mapping or indentation level.
            let i = pick(&rng), j = pick(&rng)
            lines.swapAt(i, j)
        }
        return lines.joined(separator: "\n")
    }
}

