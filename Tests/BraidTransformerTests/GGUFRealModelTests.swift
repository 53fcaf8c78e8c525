import Foundation
import Testing
@testable import BraidTransformer

/// The real default model, SmolLM2-135M-Instruct Q4_1, read through `GGUFFile`. Facts checked here are
/// the ones recorded from an independent parse of the file (`shared/research/engineering-notes.md` §4).
@Suite("GGUF: the real SmolLM2 file")
struct GGUFRealModelTests {
    /// Opens the cached default model. A missing file is an error that says how to get it: the
    /// tests that need the real model fail rather than pass without checking anything.
    static func openModel() throws -> GGUFFile {
        let url = ModelCache.defaultModel
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw TokenizerFixtures.Missing(description: "default model missing at \(url.path): run `braid model fetch` or scripts/fetch-model.sh, or set BRAID_MODELS")
        }
        return try GGUFFile(contentsOf: url)
    }

    @Test("header, metadata and tensor census match the file's documented layout")
    func census() throws {
        let file = try Self.openModel()
        #expect(file.version == 3)
        #expect(file.tensors.count == 272)
        #expect(file.metadata.count == 33)
        #expect(file.alignment == 32)
        #expect(file.metadata.string("general.architecture") == "llama")
        #expect(file.metadata.int("llama.block_count") == 30)
        #expect(file.metadata.int("llama.context_length") == 8192)
        #expect(file.metadata.int("llama.embedding_length") == 576)
        #expect(file.metadata.int("llama.feed_forward_length") == 1536)
        #expect(file.metadata.int("llama.attention.head_count") == 9)
        #expect(file.metadata.int("llama.attention.head_count_kv") == 3)
        #expect(file.metadata.float("llama.rope.freq_base") == 100000)
        #expect(file.metadata.float("llama.attention.layer_norm_rms_epsilon") == 1e-5)
        #expect(file.metadata.string("tokenizer.ggml.model") == "gpt2")
        #expect(file.metadata.string("tokenizer.ggml.pre") == "smollm")
        #expect(file.metadata.strings("tokenizer.ggml.tokens")?.count == 49152)
        #expect(file.metadata.strings("tokenizer.ggml.merges")?.count == 48900)
        #expect(file.metadata.ints("tokenizer.ggml.token_type")?.count == 49152)
        #expect(file.metadata.strings("tokenizer.ggml.tokens")?[1] == "<|im_start|>")
        #expect(file.metadata.int("tokenizer.ggml.bos_token_id") == 1)
        #expect(file.metadata.int("tokenizer.ggml.eos_token_id") == 2)
        #expect(file.metadata.string("tokenizer.chat_template")?.contains("<|im_start|>") == true)

        var histogram: [GGMLType: Int] = [:]
        for t in file.tensors { histogram[t.type, default: 0] += 1 }
        #expect(histogram == [.q4_1: 210, .f32: 61, .q8_0: 1])
        #expect(file.tensor(named: "output.weight") == nil)
        let embedding = try #require(file.tensor(named: "token_embd.weight"))
        #expect(embedding.type == .q8_0)
        #expect(embedding.dimensions == [576, 49152])
        #expect(embedding.rowLength == 576 && embedding.rowCount == 49152)
        #expect(file.tensor(named: "blk.0.attn_k.weight")?.dimensions == [576, 192])
        #expect(file.tensor(named: "blk.29.ffn_down.weight")?.dimensions == [1536, 576])
        #expect(file.tensor(named: "blk.29.ffn_down.weight")?.type == .q4_1)
        #expect(file.tensor(named: "output_norm.weight")?.type == .f32)
    }

    @Test("every tensor dequantizes to finite values of a plausible magnitude")
    func dequantizeAll() throws {
        let file = try Self.openModel()
        for t in file.tensors {
            let values = try file.dequantized(t)
            #expect(values.count == t.elementCount)
            let bad = values.firstIndex { !$0.isFinite || abs($0) > 100 }
            #expect(bad == nil, "tensor \(t.name) has an implausible value at \(bad ?? -1)")
        }
    }
    /// Rows decoded independently by gguf-py 0.19.0 (`gguf.quants.dequantize`, numpy) from the same file:
    /// tensor, row, first six values, row sum and sum of squares (computed in float64).
    static let pythonReference: [(String, Int, [Float], Double, Double)] = [
        ("token_embd.weight", 0, [-0.10654449462890625, 0.032978057861328125, 0.048198699951171875, -0.022830963134765625, -0.06849288940429688, -0.04566192626953125], -2.2541093826293945, 8.595294896863379),
        ("token_embd.weight", 1, [-0.0238037109375, -0.015869140625, -0.0396728515625, 0.015869140625, -0.111083984375, -0.0079345703125], 0.35922718048095703, 10.953474053451828),
        ("token_embd.weight", 4093, [-0.012149810791015625, 0.1846771240234375, -0.01457977294921875, 0.019439697265625, 0.0, -0.11420822143554688], -0.1380147933959961, 7.036851677011327),
        ("token_embd.weight", 49151, [0.011505126953125, 0.0057525634765625, 0.0977935791015625, -0.0977935791015625, 0.0862884521484375, -0.0460205078125], -0.4662208557128906, 15.193982947952463),
        ("blk.0.attn_q.weight", 0, [-0.0963134765625, 0.1573486328125, -0.0963134765625, -0.73046875, 1.1719970703125, -0.0963134765625], 1.00726318359375, 94.8329060189426),
        ("blk.0.attn_q.weight", 575, [-0.15679931640625, 0.154327392578125, 0.34100341796875, 0.029876708984375, 0.216552734375, -0.28125], -4.734954833984375, 22.95613392535597),
        ("blk.17.ffn_down.weight", 3, [0.0938720703125, 0.12982177734375, 0.05792236328125, 0.02197265625, 0.12982177734375, 0.12982177734375], 3.6896514892578125, 18.26968865445815),
        ("blk.17.ffn_down.weight", 300, [0.02862548828125, -0.1671142578125, 0.224365234375, -0.10186767578125, 0.224365234375, 0.3548583984375], -4.822296142578125, 58.88226362224668),
        ("output_norm.weight", 0, [1.7578125, 1.8203125, 1.78125, 1.6015625, 1.7421875, 1.71875], 1038.33203125, 1921.7355499267578),
    ]

    @Test("Q8_0, Q4_1 and F32 rows decode like gguf-py's reference dequantizer")
    func matchesPythonReference() throws {
        let file = try Self.openModel()
        for (name, row, head, sum, sumOfSquares) in Self.pythonReference {
            let tensor = try #require(file.tensor(named: name))
            let values = try file.dequantizedRow(tensor, row: row)
            // Both decoders compute d*q(+m) in float32 from the same f16 fields: expect equality up to
            // one rounding step.
            for (a, b) in zip(values.prefix(6), head) {
                #expect(abs(a - b) <= 1e-6 * max(1, abs(b)), "\(name) row \(row): \(a) vs \(b)")
            }
            let s = values.reduce(0.0) { $0 + Double($1) }
            let s2 = values.reduce(0.0) { $0 + Double($1) * Double($1) }
            #expect(abs(s - sum) <= 1e-4, "\(name) row \(row) sum \(s) vs \(sum)")
            #expect(abs(s2 - sumOfSquares) <= 1e-4 * sumOfSquares, "\(name) row \(row) sum of squares \(s2) vs \(sumOfSquares)")
        }
    }
}
