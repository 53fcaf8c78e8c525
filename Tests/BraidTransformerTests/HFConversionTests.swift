import Foundation
import Testing
@testable import BraidTransformer

/// `GGUFConversion`: a folder converted to GGUF gives the same model and the same tokenizer.
@Suite struct HFConversionTests {
    static func folder(_ name: String) -> URL { HFTokenizerReferenceTests.folder.appendingPathComponent(name) }

    static func logits(_ source: ModelSource, _ prompt: [Int32]) throws -> [[Float]] {
        let t = try Transformer(source: source)
        let kv = t.makeKVStore(blockTokens: 4)
        let s = try kv.makeSegment()
        let view = try kv.makeView([s])
        let out = try t.forward(batch: prompt.enumerated().map { QueryToken(token: $1, position: $0, segment: s, view: view) },
                                kv: kv, logitRows: .all)
        return prompt.indices.map { Array(out.row($0)) }
    }

    @Test("F32 conversion: identical logits from the folder and from the GGUF, and the same token ids",
          arguments: ["qwen2-tiny", "qwen2-tiny-bf16-sharded", "llama-tiny-f16"])
    func f32ConversionIsExact(name: String) throws {
        let (source, tokenizer) = try ModelFiles.open(Self.folder(name))
        let hf = try #require(source as? HFModelSource)
        let gguf = try GGUFFile(data: GGUFConversion.convert(hf, tokenizer: tokenizer, type: .f32, name: name).serialized())
        let prompt: [Int32] = [5, 200, 33, 400, 17, 91]
        #expect(try Self.logits(hf, prompt) == Self.logits(gguf, prompt))
        let converted = try Tokenizer(gguf: gguf)
        for text in ["Hello  world 2026", "東京 😀 café\n\tx", "a<think3>b", "don't stop"] {
            #expect(converted.encode(text) == tokenizer.encode(text), "\(name): \(text)")
        }
        #expect(converted.chatFormat == tokenizer.chatFormat)
    }

    @Test("Q8_0 conversion stores 32-column matrices quantized and the rest as F16; logits stay close")
    func q8Conversion() throws {
        let (source, tokenizer) = try ModelFiles.open(Self.folder("qwen2-tiny"))
        let hf = try #require(source as? HFModelSource)
        let writer = try GGUFConversion.convert(hf, tokenizer: tokenizer, type: .q8_0, name: "q")
        #expect(writer.tensors.first { $0.name == "blk.0.attn_q.weight" }?.type == .q8_0)
        #expect(writer.tensors.first { $0.name == "blk.0.ffn_down.weight" }?.type == .f16)  // rows of 48
        #expect(writer.tensors.first { $0.name == "blk.0.attn_norm.weight" }?.type == .f32)
        let gguf = try GGUFFile(data: writer.serialized())
        let prompt: [Int32] = [5, 200, 33]
        let exact = try Self.logits(hf, prompt), quantized = try Self.logits(gguf, prompt)
        // Q8_0 keeps 8 bits per weight: logits of order 4 move by a few hundredths at most.
        #expect(maxDifference(exact.joined(), quantized.joined()) < 0.1)
        #expect(exact != quantized)
    }
}
