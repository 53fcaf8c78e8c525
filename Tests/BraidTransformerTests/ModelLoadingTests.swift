import Testing
@testable import BraidTransformer

/// Reading a configuration and weights through the architecture tables, and refusing files
/// that do not describe a usable model.
@Suite struct ModelLoadingTests {
    @Test("configuration comes from the architecture's metadata keys", arguments: ["llama", "qwen2"])
    func configuration(architecture: String) throws {
        let model = SyntheticModel(architecture: architecture, thoughtSlots: 2)
        let config = try ModelConfig(source: model.gguf())
        #expect(config.architecture == architecture)
        #expect(config.layers == model.layers && config.embedding == model.embedding && config.ffn == model.ffn)
        #expect(config.heads == model.heads && config.kvHeads == model.kvHeads && config.headDim == model.headDim)
        #expect(config.vocabSize == model.vocab && config.thoughtSlots == 2 && config.tiedOutput)
        #expect(config.ropeStyle == (architecture == "llama" ? .adjacent : .halfSplit))
        #expect(config.hasQKVBias == (architecture == "qwen2"))
    }

    @Test("a separate output head is used when present")
    func separateOutputHead() throws {
        var model = SyntheticModel()
        let e = model.embedding, v = model.vocab
        model.source.tensors["output.weight"] = ([e, v], (0..<(e * v)).map { Float($0 % 7) * 0.01 })
        let weights = try Weights(source: model.gguf())
        #expect(!weights.config.tiedOutput)
        #expect(weights.output?.elementCount == e * v)
    }

    @Test("unsupported families, missing keys, missing tensors and wrong shapes are refused")
    func refusals() throws {
        var unknown = SyntheticModel()
        unknown.source.strings["general.architecture"] = "mamba"
        #expect(throws: ModelError.unsupportedArchitecture("mamba")) { try Weights(source: unknown.gguf()) }

        var noHeads = SyntheticModel()
        noHeads.source.ints["qwen2.attention.head_count"] = nil
        #expect(throws: ModelError.missingMetadata("qwen2.attention.head_count")) { try Weights(source: noHeads.gguf()) }

        var badGroups = SyntheticModel()
        badGroups.source.ints["qwen2.attention.head_count_kv"] = 3
        #expect(throws: ModelError.self) { try Weights(source: badGroups.gguf()) }

        var missing = SyntheticModel()
        missing.source.tensors["blk.1.ffn_down.weight"] = nil
        #expect(throws: ModelError.missingTensor("blk.1.ffn_down.weight")) { try Weights(source: missing.gguf()) }

        var misshapen = SyntheticModel()
        misshapen.source.tensors["blk.0.attn_k.weight"] = ([misshapen.embedding, 4], [Float](repeating: 0, count: misshapen.embedding * 4))
        #expect(throws: ModelError.shapeMismatch(name: "blk.0.attn_k.weight", expected: [32, 16], found: [32, 4])) {
            try Weights(source: misshapen.gguf())
        }
    }

    @Test("thought indices beyond the model's embeddings are refused")
    func thoughtBeyondSlots() throws {
        let t = try Transformer(source: SyntheticModel(thoughtSlots: 2).gguf())
        let kv = t.makeKVStore()
        let s = try kv.makeSegment(thought: 2)
        let v = try kv.makeView([s])
        #expect(throws: ModelError.self) { try t.forward(batch: [QueryToken(token: 1, position: 0, segment: s, view: v)], kv: kv) }
    }
}
