import Foundation
import Testing
@testable import BraidTransformer

/// The `qwen2` code path against HF transformers. `Tests/Fixtures/qwen2-tiny/qwen2-tiny.json` holds a tiny
/// Qwen2 with random weights (Q/K/V biases, tied embeddings, 4 query heads over 2 KV heads, RoPE base 20,000)
/// written as GGUF by gguf-py with llama.cpp's tensor names, and the logits HF's `Qwen2ForCausalLM` computes
/// for it in float32 (`make_fixture.py` beside it made both). Unlike `SyntheticForwardTests`, whose naive
/// reference takes the RoPE style and the bias flag from `Architecture`, nothing here comes from Braid: a wrong
/// RoPE pairing, a dropped bias, an untied head or an ignored `rope.freq_base` changes the logits.
@Suite struct Qwen2ReferenceTests {
    /// float32 on both sides, different summation orders; the logits are of order 1–10.
    let tolerance: Float = 1e-4

    struct Fixture: Decodable {
        struct Case: Decodable {
            let positions: [Int]
            let logits: [[Float]]
        }
        let tokens: [Int32]
        let cases: [Case]
        let gguf_base64: String
    }

    static func fixture() throws -> Fixture {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/qwen2-tiny/qwen2-tiny.json")
        return try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))
    }

    static func model(_ fixture: Fixture) throws -> GGUFFile {
        let image = try #require(Data(base64Encoded: fixture.gguf_base64), "gguf_base64 is not base64")
        return try GGUFFile(data: image)
    }

    @Test("the GGUF written by gguf-py reads as a qwen2 model: half-split RoPE, biases, tied head, the file's RoPE base")
    func configuration() throws {
        let c = try Transformer(source: Self.model(Self.fixture()), threads: 1).config
        #expect(c.architecture == "qwen2" && c.layers == 2 && c.embedding == 32 && c.ffn == 48)
        #expect(c.heads == 4 && c.kvHeads == 2 && c.headDim == 8 && c.vocabSize == 64)
        #expect(c.ropeStyle == .halfSplit && c.hasQKVBias && c.tiedOutput)
        #expect(c.ropeBase == 20_000 && c.rmsEpsilon == 1e-6)
    }

    @Test("every logit of every token matches HF transformers, at positions 0..<n and at gapped positions")
    func logitsMatchTransformers() throws {
        let fixture = try Self.fixture()
        let t = try Transformer(source: Self.model(fixture), threads: 1)
        try #require(fixture.cases.count == 2)
        for (n, reference) in fixture.cases.enumerated() {
            try #require(reference.positions.count == fixture.tokens.count && reference.logits.count == fixture.tokens.count)
            let kv = t.makeKVStore(blockTokens: 4)
            let s = try kv.makeSegment()
            let view = try kv.makeView([s])
            let batch = zip(fixture.tokens, reference.positions).map { QueryToken(token: $0, position: $1, segment: s, view: view) }
            let logits = try t.forward(batch: batch, kv: kv, logitRows: .all)
            var worst: Float = 0
            for i in fixture.tokens.indices {
                let difference = maxDifference(logits.row(i), reference.logits[i])
                #expect(difference < tolerance, "case \(n), token \(i)")
                worst = max(worst, difference)
            }
            print("qwen2 vs HF transformers, case \(n): worst logit difference \(worst)")
        }
    }

    @Test("decoding one token at a time with the KV cache reproduces HF's logits")
    func incrementalMatchesTransformers() throws {
        let fixture = try Self.fixture()
        let t = try Transformer(source: Self.model(fixture), threads: 1)
        let reference = try #require(fixture.cases.last)
        let kv = t.makeKVStore(blockTokens: 4)
        let s = try kv.makeSegment()
        let view = try kv.makeView([s])
        for (i, (token, position)) in zip(fixture.tokens, reference.positions).enumerated() {
            let step = try t.forward(batch: [QueryToken(token: token, position: position, segment: s, view: view)], kv: kv)
            #expect(maxDifference(step.row(0), reference.logits[i]) < tolerance, "step \(i)")
        }
    }
}
