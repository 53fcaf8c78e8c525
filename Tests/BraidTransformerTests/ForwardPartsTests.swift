import BraidTransformer
import Foundation
import Testing

/// `Transformer.forward(parts:kv:)`: several independent batches in one pass, each getting exactly the logits it
/// gets alone — the contract that lets an executor put several runs into one pass without changing any run.
@Suite("Forward parts on SmolLM2")
struct ForwardPartsTests {
    /// A deterministic token sequence (ids inside the vocabulary).
    static func tokens(_ count: Int, seed: UInt32) -> [Int32] {
        var x = seed
        return (0..<count).map { _ in
            x = x &* 1_664_525 &+ 1_013_904_223
            return Int32((x >> 8) % 40_000) + 100
        }
    }

    /// One run's script: a prompt, then a step in which some threads write continuations after it.
    struct Script {
        var prompt: [Int32]
        /// Per thread of the second step: its tokens (one for a decoding thread, more for a prefill).
        var threads: [[Int32]]
        var logitRows: LogitRows
    }

    /// Runs the scripts, each step of all of them as one `forward(parts:)` pass over one store, or (alone)
    /// each script in a store of its own with `forward(batch:)`; returns every pass's logits per script.
    static func run(_ scripts: [Script], together: Bool, transformer t: Transformer) throws -> [[Logits]] {
        let stores = together ? [t.makeKVStore()] : scripts.map { _ in t.makeKVStore() }
        func store(_ s: Int) -> KVStore { together ? stores[0] : stores[s] }
        var prompts: [SegmentID] = []
        var first: [ForwardPart] = []
        for (s, script) in scripts.enumerated() {
            let segment = try store(s).makeSegment()
            let view = try store(s).makeView([segment])
            prompts.append(segment)
            first.append(ForwardPart(batch: script.prompt.enumerated().map {
                QueryToken(token: $1, position: $0, segment: segment, view: view)
            }, logitRows: script.logitRows))
        }
        var second: [ForwardPart] = []
        for (s, script) in scripts.enumerated() {
            var batch: [QueryToken] = []
            for thread in script.threads {
                let segment = try store(s).makeSegment(thought: 1)
                let view = try store(s).makeView([prompts[s], segment])
                batch += thread.enumerated().map {
                    QueryToken(token: $1, position: script.prompt.count + $0, segment: segment, view: view)
                }
            }
            second.append(ForwardPart(batch: batch, logitRows: .all))
        }
        var out = scripts.map { _ in [Logits]() }
        for parts in [first, second] {
            if together {
                for (s, logits) in try t.forward(parts: parts, kv: stores[0]).enumerated() { out[s].append(logits) }
            } else {
                for (s, part) in parts.enumerated() {
                    out[s].append(try t.forward(batch: part.batch, kv: stores[s], logitRows: part.logitRows))
                }
            }
        }
        return out
    }

    @Test("prefills and decodes of several runs in one pass: every run's logits equal its own pass bit for bit",
          arguments: ActivationPrecision.allCases)
    func partsEqualAlone(activations: ActivationPrecision) throws {
        let t = try RealModel.transformer()
        t.activations = activations   // the contract holds in the opt-in q8 mode too
        // Above and below the kernel row limit (16), in both the pass's rows and its logit rows.
        let scripts = [
            Script(prompt: Self.tokens(40, seed: 1), threads: [[11], [12], [13]], logitRows: .all),
            Script(prompt: Self.tokens(9, seed: 2), threads: [Self.tokens(20, seed: 3), [14]], logitRows: .last),
            Script(prompt: Self.tokens(23, seed: 4), threads: (0..<18).map { [Int32(200 + $0)] }, logitRows: .rows([0, 22])),
            Script(prompt: Self.tokens(5, seed: 5), threads: [[15]], logitRows: .all),
        ]
        let together = try Self.run(scripts, together: true, transformer: t)
        let alone = try Self.run(scripts, together: false, transformer: t)
        for s in scripts.indices {
            for pass in 0..<2 {
                #expect(together[s][pass].batchIndices == alone[s][pass].batchIndices, "script \(s) pass \(pass)")
                // Counted rather than compared as arrays: a failing `==` on 10⁶ floats would diff them for minutes.
                let (a, b) = (together[s][pass].values, alone[s][pass].values)
                let differing = zip(a, b).filter { $0 != $1 }.count
                #expect(a.count == b.count && differing == 0, "script \(s) pass \(pass): \(differing) of \(b.count) logits differ")
                #expect(!alone[s][pass].values.isEmpty)
            }
        }
    }

    @Test("a pass of one part is the plain forward pass")
    func onePart() throws {
        let t = try RealModel.transformer()
        let script = [Script(prompt: Self.tokens(30, seed: 7), threads: [[3], [4]], logitRows: .all)]
        let together = try Self.run(script, together: true, transformer: t)
        let alone = try Self.run(script, together: false, transformer: t)
        #expect(zip(together[0], alone[0]).allSatisfy { $0.values == $1.values })
    }
}
