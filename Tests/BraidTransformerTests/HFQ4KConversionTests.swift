import Foundation
import Testing
@testable import BraidTransformer

/// `braid convert --type q4_k`: matrices whose rows are a whole number of 256-value super-blocks are stored as
/// Q4_K, the rest fall back to F16; the stored blocks decode to the folder's weights within Q4_K's error.
@Suite struct HFQ4KConversionTests {
    /// Writes a one-layer Llama folder (width 256, FFN 512, two heads of 128, vocabulary 16, tied head) with
    /// F32 weights from a fixed pseudo-random sequence: the smallest folder whose matrices take Q4_K rows.
    static func writeFolder() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("braid-q4k-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let config = #"{"model_type":"llama","vocab_size":16,"hidden_size":256,"intermediate_size":512,"num_hidden_layers":1,"num_attention_heads":2,"num_key_value_heads":2,"max_position_embeddings":64,"rms_norm_eps":1e-5,"tie_word_embeddings":true,"dtype":"float32"}"#
        try Data(config.utf8).write(to: folder.appendingPathComponent("config.json"))
        let layer = "model.layers.0."
        let tensors: [(String, [Int])] = [
            ("model.embed_tokens.weight", [16, 256]), ("model.norm.weight", [256]),
            (layer + "input_layernorm.weight", [256]), (layer + "post_attention_layernorm.weight", [256]),
            (layer + "self_attn.q_proj.weight", [256, 256]), (layer + "self_attn.k_proj.weight", [256, 256]),
            (layer + "self_attn.v_proj.weight", [256, 256]), (layer + "self_attn.o_proj.weight", [256, 256]),
            (layer + "mlp.gate_proj.weight", [512, 256]), (layer + "mlp.up_proj.weight", [512, 256]),
            (layer + "mlp.down_proj.weight", [256, 512]),
        ]
        var header: [String: Any] = [:], body = Data(), state: UInt64 = 7
        for (name, shape) in tensors {
            let count = shape.reduce(1, *)
            header[name] = ["dtype": "F32", "shape": shape, "data_offsets": [body.count, body.count + 4 * count]]
            for _ in 0..<count {
                state = state &* 6364136223846793005 &+ 1442695040888963407
                let value = name.hasSuffix("norm.weight") ? 1 : Float(Int(state >> 33) % 2001 - 1000) / 16000
                withUnsafeBytes(of: value.bitPattern.littleEndian) { body.append(contentsOf: $0) }
            }
        }
        let json = try JSONSerialization.data(withJSONObject: header)
        var file = withUnsafeBytes(of: UInt64(json.count).littleEndian) { Data($0) }
        file.append(json)
        file.append(body)
        try file.write(to: folder.appendingPathComponent("model.safetensors"))
        return folder
    }

    @Test("Q4_K conversion: 256-column matrices stored as Q4_K decode within 4-bit round-to-nearest error; the 512-column down projection too; logits stay close")
    func q4kConversion() throws {
        let folder = try Self.writeFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let hf = try HFModelSource(folder: folder)
        let tokenizer = try Tokenizer(huggingFaceFolder: HFTokenizerReferenceTests.folder.appendingPathComponent("qwen2-tok"))
        let writer = try GGUFConversion.convert(hf, tokenizer: tokenizer, type: .q4_K, name: "q4k")
        let gguf = try GGUFFile(data: writer.serialized())
        #expect(gguf.metadata.int("general.file_type") == 14)
        for name in ["blk.0.attn_q.weight", "blk.0.attn_k.weight", "blk.0.ffn_gate.weight", "blk.0.ffn_down.weight", "token_embd.weight"] {
            let info = try #require(gguf.tensors.first { $0.name == name })
            #expect(info.type == .q4_K, "\(name)")
            let exact = try hf.tensorFloats(name), decoded = try gguf.dequantized(info)
            #expect(exact.count == decoded.count)
            // 4 bits per value: the step is a sub-block's range / 15, the RMS error step/√12; for a uniform
            // spread (range = 2√3·RMS) that is 2/15 ≈ 6.7% of the RMS, plus scale rounding. Bound: 0.1, as
            // in the writer's round-trip test.
            let rms = (exact.reduce(0) { $0 + $1 * $1 } / Float(exact.count)).squareRoot()
            let errorRMS = (zip(exact, decoded).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) } / Float(exact.count)).squareRoot()
            #expect(errorRMS > 0 && errorRMS <= 0.1 * rms, "\(name): relative RMS error \(errorRMS / rms)")
            print("Q4_K \(name): relative RMS error \(errorRMS / rms)")
        }
        #expect(gguf.tensors.first { $0.name == "blk.0.attn_norm.weight" }?.type == .f32)
        let prompt: [Int32] = [1, 5, 9, 3]
        let exact = try HFConversionTests.logits(hf, prompt), quantized = try HFConversionTests.logits(gguf, prompt)
        let scale = exact.joined().map(abs).max() ?? 0
        #expect(exact != quantized && maxDifference(exact.joined(), quantized.joined()) < 0.1 * max(scale, 1))
    }

    @Test("Q4_K conversion falls back to F16 for rows that are not a multiple of 256")
    func q4kFallback() throws {
        let (source, tokenizer) = try ModelFiles.open(HFConversionTests.folder("qwen2-tiny"))
        let hf = try #require(source as? HFModelSource)
        let writer = try GGUFConversion.convert(hf, tokenizer: tokenizer, type: .q4_K, name: "q")
        #expect(writer.tensors.first { $0.name == "blk.0.attn_q.weight" }?.type == .f16)  // rows of 32
        #expect(writer.tensors.first { $0.name == "blk.0.attn_norm.weight" }?.type == .f32)
    }
}
