import Foundation
import Testing
@testable import BraidTransformer

@Suite("GGUF: model summary and model cache")
struct GGUFSummaryTests {
    @Test("a synthetic qwen2-style file is summarized from its own keys")
    func synthetic() throws {
        var writer = try GGUFWriter()
        writer.set("general.architecture", .string("qwen2"))
        writer.set("qwen2.block_count", .uint64(2))
        writer.set("qwen2.context_length", .uint32(128))
        writer.set("qwen2.embedding_length", .uint32(64))
        writer.set("qwen2.attention.head_count", .uint32(4))
        writer.set("qwen2.rope.freq_base", .float32(10000))
        writer.set("tokenizer.ggml.tokens", .strings(["a", "b", "c"]))
        writer.set("tokenizer.chat_template", .string("line1\nline2"))
        try writer.addTensor(name: "token_embd.weight", dimensions: [64, 3], values: testValues(192, seed: 4), type: .q8_0)
        try writer.addTensor(name: "output.weight", dimensions: [64, 3], values: testValues(192, seed: 5), type: .f16)
        try writer.addTensor(name: "norm", dimensions: [64], values: testValues(64, seed: 6))
        let s = GGUFModelSummary(try GGUFFile(data: try writer.serialized()))
        #expect(s.architecture == "qwen2" && s.layers == 2 && s.contextLength == 128)
        #expect(s.heads == 4 && s.kvHeads == 4 && s.headDimension == 16)
        #expect(s.vocabularySize == 3 && s.tiedOutput == false && s.chatTemplate == "line1\nline2")
        #expect(s.parameterCount == 192 + 192 + 64)
        // Ties in parameter count are ordered by type id, descending.
        #expect(s.tensorTypes.map(\.type) == ["Q8_0", "F16", "F32"])
        #expect(s.tensorTypes.map(\.tensors).reduce(0, +) == 3)
        #expect(s.feedForwardLength == nil && s.rmsNormEpsilon == nil)
    }

    @Test("the real model's summary")
    func real() throws {
        let file = try GGUFRealModelTests.openModel()
        let s = GGUFModelSummary(file)
        #expect(s.architecture == "llama" && s.layers == 30 && s.heads == 9 && s.kvHeads == 3)
        #expect(s.headDimension == 64 && s.embeddingLength == 576 && s.contextLength == 8192)
        #expect(s.vocabularySize == 49152 && s.tiedOutput)
        #expect(s.parameterCount == file.tensors.reduce(0) { $0 + $1.elementCount })
        #expect(s.tensorTypes.first?.type == "Q4_1" && s.tensorTypes.first?.tensors == 210)
    }

    @Test("the cache folder honours BRAID_MODELS, else ~/.cache/braid/models")
    func cacheDirectory() {
        #expect(ModelCache.directory(environment: ["BRAID_MODELS": "/data/m", "HOME": "/h"]).path == "/data/m")
        #expect(ModelCache.directory(environment: ["BRAID_MODELS": "", "HOME": "/h"]).path == "/h/.cache/braid/models")
        #expect(ModelCache.defaultModelName == "SmolLM2-135M-Instruct.Q4_1.gguf")
    }
}
