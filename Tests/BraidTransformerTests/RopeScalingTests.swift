import Foundation
import Testing
@testable import BraidTransformer

/// RoPE scaling from `config.json` (`rope_scaling` / `rope_parameters`) and GGUF's `{arch}.rope.scaling.*`:
/// folders written by HF transformers (`Tests/Fixtures/hf/make_rope_scaling.py`, original context 64, a
/// 96-token prompt) give transformers' logits past the original context, and survive conversion to GGUF.
@Suite struct RopeScalingTests {
    static let folders = ["llama-rope-llama3", "qwen2-rope-yarn", "qwen2-rope-linear"]

    @Test("llama3, yarn and linear scaling: logits at all 96 positions within 1e-4 of the largest logit of transformers', same greedy tokens",
          arguments: folders)
    func matchesTransformers(name: String) throws {
        try HFModelFolderTests.check(name, relativeTolerance: 1e-4)
    }

    @Test("The fixtures depend on the scaling: plain RoPE on the same weights misses transformers' logits past the original context",
          arguments: folders)
    func scalingMatters(name: String) throws {
        let reference = try HFModelFolderTests.reference(name)
        let source = try HFModelSource(folder: HFTokenizerReferenceTests.folder.appendingPathComponent(name))
        #expect(source.config.ropeScaling != nil)
        let weights = try Weights(source: source)
        var plain = weights.config
        plain.ropeScaling = nil
        let t = Transformer(weights: try Weights(config: plain, tokenEmbedding: weights.tokenEmbedding, outputNorm: weights.outputNorm,
                                                 output: weights.output, layers: weights.layers))
        let kv = t.makeKVStore(blockTokens: 4)
        let s = try kv.makeSegment()
        let view = try kv.makeView([s])
        let batch = reference.prompt.enumerated().map { QueryToken(token: $1, position: $0, segment: s, view: view) }
        let out = try t.forward(batch: batch, kv: kv, logitRows: .all)
        let logits = reference.prompt.indices.map { Array(out.row($0)) }
        let worst = (64..<reference.prompt.count).map { maxDifference(logits[$0], reference.logits[$0]) }.max() ?? 0
        let scale = reference.logits.joined().map(abs).max() ?? 0
        #expect(worst > 1e-2 * scale, "\(name): plain RoPE differs by only \(worst)")
    }

    @Test("Parsed parameters: transformers' defaults (YaRN attention factor 0.1·ln(factor)+1) and both config generations")
    func parsedParameters() throws {
        func config(_ name: String) throws -> RopeScaling {
            try #require(HFModelSource(folder: HFTokenizerReferenceTests.folder.appendingPathComponent(name)).config.ropeScaling)
        }
        let llama3 = try config("llama-rope-llama3")  // transformers 4.x form
        #expect(llama3.kind == .llama3 && llama3.factor == 8 && llama3.originalContext == 64 && llama3.attentionFactor == 1)
        let yarn = try config("qwen2-rope-yarn")  // transformers 5.x form
        #expect(yarn.kind == .yarn && yarn.factor == 4 && abs(yarn.attentionFactor - (0.1 * log(4.0) + 1)) < 1e-12)
        #expect(try config("qwen2-rope-linear").kind == .linear)
    }

    @Test("Llama 3's rule on hand-computed frequencies: short wavelengths kept, long ones divided, the middle blended")
    func llama3Worked() {
        // Original context 64, low/high factors 1/4: wavelengths under 16 kept, over 64 divided by 8.
        let rule = RopeScaling(kind: .llama3, factor: 8, originalContext: 64, lowFrequencyFactor: 1, highFrequencyFactor: 4)
        let short = 2 * Double.pi / 10, long = 2 * Double.pi / 100, middle = 2 * Double.pi / 32
        let out = rule.scaled([short, long, middle], base: 10_000, headDim: 6)
        #expect(out[0] == short && abs(out[1] - long / 8) < 1e-15)
        // wavelength 32: smooth = (64/32 − 1)/(4 − 1) = 1/3; (2/3)·f/8 + (1/3)·f.
        #expect(abs(out[2] - (2.0 / 3 * middle / 8 + middle / 3)) < 1e-15)
    }

    @Test("Converted to GGUF, a scaled folder keeps its rule in rope.scaling.* and gives identical logits", arguments: folders)
    func conversionKeepsScaling(name: String) throws {
        let folder = HFTokenizerReferenceTests.folder.appendingPathComponent(name)
        let hf = try HFModelSource(folder: folder)
        let tokenizer = try Tokenizer(huggingFaceFolder: HFTokenizerReferenceTests.folder.appendingPathComponent("qwen2-tok"))
        let gguf = try GGUFFile(data: GGUFConversion.convert(hf, tokenizer: tokenizer, type: .f32, name: name).serialized())
        let converted = try ModelConfig(source: gguf)
        #expect(converted.ropeScaling?.kind == hf.config.ropeScaling?.kind)
        let prompt = try HFModelFolderTests.reference(name).prompt
        #expect(try HFConversionTests.logits(hf, prompt) == HFConversionTests.logits(gguf, prompt))
    }

    @Test("GGUF: an unknown rope.scaling.type and llama.cpp's rope_freqs tensor are refused by name; `none` is plain RoPE")
    func ggufRefusals() throws {
        let hf = try HFModelSource(folder: HFTokenizerReferenceTests.folder.appendingPathComponent("qwen2-rope-linear"))
        let tokenizer = try Tokenizer(huggingFaceFolder: HFTokenizerReferenceTests.folder.appendingPathComponent("qwen2-tok"))
        var writer = try GGUFConversion.convert(hf, tokenizer: tokenizer, type: .f32, name: "r")
        writer.set("qwen2.rope.scaling.type", .string("none"))
        #expect(try ModelConfig(source: GGUFFile(data: writer.serialized())).ropeScaling == nil)
        writer.set("qwen2.rope.scaling.type", .string("longrope"))
        #expect { _ = try ModelConfig(source: GGUFFile(data: writer.serialized())) } throws: { error in
            "\(error)".contains("qwen2.rope.scaling.type") && "\(error)".contains("'longrope' is not supported")
        }
        writer.set("qwen2.rope.scaling.type", .string("linear"))
        try writer.addTensor(name: "rope_freqs.weight", dimensions: [8], values: [Float](repeating: 1, count: 8), type: .f32)
        #expect { _ = try ModelConfig(source: GGUFFile(data: writer.serialized())) } throws: { error in
            "\(error)".contains("rope_freqs.weight")
        }
    }

    @Test("Unknown rope types and unusable values are refused by name", arguments: [
        (#"{"rope_type":"dynamic","factor":2.0}"#, "'dynamic' is not supported"),
        (#"{"rope_type":"longrope","factor":2.0}"#, "'longrope' is not supported"),
        (#"{"rope_type":"yarn"}"#, "no numeric factor"),
        (#"{"rope_type":"llama3","factor":8.0,"low_freq_factor":4.0,"high_freq_factor":1.0,"original_max_position_embeddings":64}"#, "high_freq_factor"),
        (#"{"rope_type":"yarn","factor":0.0,"original_max_position_embeddings":64}"#, "factor must be positive"),
    ])
    func refusals(scaling: String, message: String) {
        let json = #"{"model_type":"llama","vocab_size":8,"hidden_size":8,"intermediate_size":8,"num_hidden_layers":1,"num_attention_heads":2,"max_position_embeddings":64,"rope_scaling":"# + scaling + "}"
        #expect {
            _ = try HFModelConfig(data: Data(json.utf8))
        } throws: { error in
            "\(error)".contains("config.json") && "\(error)".contains(message)
        }
    }
}
