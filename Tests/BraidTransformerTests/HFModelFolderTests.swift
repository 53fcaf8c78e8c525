import Foundation
import Testing
@testable import BraidTransformer

/// Hugging Face model folders written by HF transformers (`Tests/Fixtures/hf/make_models.py`: tiny Qwen2 and
/// Llama configs, random weights, F32 / sharded BF16 / F16 safetensors, both `config.json` generations) run in
/// Braid and give transformers' logits and greedy continuations.
@Suite struct HFModelFolderTests {
    static let folder = HFTokenizerReferenceTests.folder

    struct Reference: Decodable {
        let prompt: [Int32]
        let logits: [[Float]]
        let greedy: [Int32]
    }

    static func reference(_ name: String) throws -> Reference {
        let data = try Data(contentsOf: folder.appendingPathComponent("model-reference.json"))
        return try JSONDecoder().decode([String: Reference].self, from: data.filteredReferences())[name].unwrap(name)
    }

    /// Runs the prompt, compares every logit (float32 on both sides, different summation orders: the
    /// difference may be `relativeTolerance` of the largest reference logit), then decodes greedily.
    /// `thought`: the segment's thought index (its row of the thought-embedding tables).
    static func check(_ name: String, folder folderName: String? = nil, thought: Int = 0,
                      relativeTolerance: Float = 1e-4) throws {
        let reference = try reference(name)
        let source = try HFModelSource(folder: folder.appendingPathComponent(folderName ?? name))
        let t = try Transformer(source: source)
        let kv = t.makeKVStore(blockTokens: 4)
        let s = try kv.makeSegment(thought: thought)
        let view = try kv.makeView([s])
        let batch = reference.prompt.enumerated().map { QueryToken(token: $1, position: $0, segment: s, view: view) }
        let logits = try t.forward(batch: batch, kv: kv, logitRows: .all)
        var worst: Float = 0
        for i in reference.prompt.indices { worst = max(worst, maxDifference(logits.row(i), reference.logits[i])) }
        let scale = reference.logits.joined().map(abs).max() ?? 0
        #expect(scale > 1 && worst < relativeTolerance * scale, "\(name): worst logit difference \(worst), largest logit \(scale)")
        print("\(name) vs HF transformers: worst logit difference \(worst), largest logit \(scale)")
        var next = argmax(logits.row(reference.prompt.count - 1))
        var generated: [Int32] = []
        for step in 0..<reference.greedy.count {
            generated.append(next)
            let out = try t.forward(batch: [QueryToken(token: next, position: reference.prompt.count + step, segment: s, view: view)], kv: kv)
            next = argmax(out.row(0))
        }
        #expect(generated == reference.greedy, "\(name): greedy continuation")
    }

    static func argmax(_ row: some Collection<Float>) -> Int32 {
        Int32(row.enumerated().max { $0.element < $1.element }?.offset ?? -1)
    }

    @Test("Qwen2, F32, one file, transformers 5 config (rope_parameters), tied head: logits and greedy tokens equal transformers'")
    func qwen2F32() throws {
        try Self.check("qwen2-tiny")
        let c = try HFModelSource(folder: Self.folder.appendingPathComponent("qwen2-tiny")).config
        #expect(c.ropeTheta == 20_000 && c.tieWordEmbeddings && c.attentionBias && c.architecture == "qwen2")
    }

    @Test("Qwen2, BF16 in three shards, transformers 4.x config (top-level rope_theta, torch_dtype), untied head")
    func qwen2BF16Sharded() throws {
        try Self.check("qwen2-tiny-bf16-sharded")
        // Matrices stay BF16 in the shards' mappings (rows of 32 suit the kernels); rows of 48 (the down projection) would be an f32 copy.
        let source = try HFModelSource(folder: Self.folder.appendingPathComponent("qwen2-tiny-bf16-sharded"))
        #expect(try source.matrix("blk.0.attn_q.weight").type == .bf16)
        #expect(try source.matrix("output.weight").type == .bf16)
        #expect(try source.matrix("blk.0.ffn_down.weight").type == .f32)
    }

    @Test("Llama, F16, SentencePiece tokenizer: Q/K regrouped for adjacent-pair RoPE give transformers' logits")
    func llamaF16() throws {
        try Self.check("llama-tiny-f16")
        // V stays F16 in the mapping; Q and K are regrouped, so they are f32 copies.
        let source = try HFModelSource(folder: Self.folder.appendingPathComponent("llama-tiny-f16"))
        #expect(try source.matrix("blk.1.attn_v.weight").type == .f16)
        #expect(try source.matrix("blk.1.attn_q.weight").type == .f32)
        let tokenizer = try Tokenizer(huggingFaceFolder: Self.folder.appendingPathComponent("llama-tiny-f16"))
        #expect(tokenizer.isSentencePiece && tokenizer.addsBOS)
    }
}

/// A ParaThinker-style checkpoint: per-layer `seg_embeddings` tables under the public code's parameter name.
@Suite struct HFThoughtEmbeddingTests {
    @Test("the thought tables are read from the folder: 32 rows of head_dim")
    func tablesAreLoaded() throws {
        let source = try HFModelSource(folder: HFModelFolderTests.folder.appendingPathComponent("parathinker-tiny"))
        #expect(try ModelConfig(source: source).thoughtSlots == 32)
        #expect(source.huggingFaceName(of: "blk.1.thought_embd") == "model.layers.1.self_attn.seg_embeddings.weight")
    }

    @Test("thought 0 (a zero row) gives the plain model's logits and tokens")
    func zeroRowIsThePlainModel() throws {
        try HFModelFolderTests.check("parathinker-tiny-thought0", folder: "parathinker-tiny", thought: 0)
        try HFModelFolderTests.check("qwen2-tiny", folder: "parathinker-tiny", thought: 0)
    }

    @Test("thought 3 matches transformers with T[3] folded into the K and V biases (the same sum, computed apart)")
    func nonZeroRowMatchesTheBiasIdentity() throws {
        try HFModelFolderTests.check("parathinker-tiny-thought3", folder: "parathinker-tiny", thought: 3)
        let plain = try HFModelFolderTests.reference("qwen2-tiny").logits
        let shifted = try HFModelFolderTests.reference("parathinker-tiny-thought3").logits
        #expect(maxDifference(plain.joined(), shifted.joined()) > 0.01)  // the tables do change the numbers
    }
}

private extension Data {
    /// Only the entries that are objects (the file also records library versions as strings).
    func filteredReferences() throws -> Data {
        let object = try JSONSerialization.jsonObject(with: self) as? [String: Any] ?? [:]
        return try JSONSerialization.data(withJSONObject: object.filter { $0.value is [String: Any] })
    }
}

private extension Optional {
    func unwrap(_ what: String) throws -> Wrapped {
        guard let self else { throw HFError("model-reference.json", "no entry '\(what)'") }
        return self
    }
}
