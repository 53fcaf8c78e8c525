import Foundation

/// Converts a Hugging Face model folder into one GGUF file: llama.cpp's metadata keys and tensor names, the
/// tokenizer and chat template in the metadata, ParaThinker thought embeddings as `blk.N.thought_embd`.
public enum GGUFConversion {
    /// The matrix types a conversion may ask for.
    public static let matrixTypes: [GGMLType] = [.f32, .f16, .q8_0, .q4_1, .q4_K]

    /// The GGUF image of `source`'s weights and `tokenizer`.
    ///
    /// Matrices are stored as `type`; a matrix whose rows are not a whole number of the type's blocks is
    /// stored as F16 instead (as llama.cpp's quantizer falls back). Norms, biases and thought embeddings stay
    /// F32. The file is assembled in memory before it is written.
    public static func convert(_ source: HFModelSource, tokenizer: Tokenizer, type: GGMLType, name: String) throws -> GGUFWriter {
        let c = source.config, a = c.architecture
        var writer = try GGUFWriter()
        writer.set("general.architecture", .string(a))
        writer.set("general.name", .string(name))
        writer.set("general.file_type", .uint32(fileType(type)))
        writer.set("\(a).block_count", .uint32(UInt32(c.layers)))
        writer.set("\(a).context_length", .uint32(UInt32(c.contextLength)))
        writer.set("\(a).embedding_length", .uint32(UInt32(c.hiddenSize)))
        writer.set("\(a).feed_forward_length", .uint32(UInt32(c.intermediateSize)))
        writer.set("\(a).attention.head_count", .uint32(UInt32(c.heads)))
        writer.set("\(a).attention.head_count_kv", .uint32(UInt32(c.kvHeads)))
        writer.set("\(a).attention.key_length", .uint32(UInt32(c.headDim)))
        writer.set("\(a).attention.value_length", .uint32(UInt32(c.headDim)))
        writer.set("\(a).rope.dimension_count", .uint32(UInt32(c.headDim)))
        writer.set("\(a).rope.freq_base", .float32(Float(c.ropeTheta)))
        writer.set("\(a).attention.layer_norm_rms_epsilon", .float32(c.rmsEpsilon))
        writer.set("\(a).vocab_size", .uint32(UInt32(c.vocabSize)))
        for (key, value) in c.ropeScaling?.metadata ?? [:] {
            switch value {
            case let text as String: writer.set("\(a).\(key)", .string(text))
            case let whole as Int: writer.set("\(a).\(key)", .uint32(UInt32(clamping: whole)))
            case let number as Double: writer.set("\(a).\(key)", .float32(Float(number)))
            default: continue
            }
        }
        for entry in tokenizer.ggufMetadata { writer.set(entry.key, entry.value) }

        for (gguf, _, _) in HFModelSource.expectedTensors(c) {
            guard let shape = source.tensorShape(gguf) else { continue }  // absent thought tables, tied head
            let values = try source.tensorFloats(gguf)
            var chosen: GGMLType = .f32
            if shape.count == 2, !gguf.hasSuffix("thought_embd") {
                chosen = shape[0] % type.blockSize == 0 ? type : .f16
            }
            try writer.addTensor(name: gguf, dimensions: shape, values: values, type: chosen)
        }
        return writer
    }

    /// llama.cpp's `general.file_type` for a conversion whose matrices are `type` (Q4_K: "mostly Q4_K_S").
    static func fileType(_ type: GGMLType) -> UInt32 {
        switch type {
        case .f32: return 0
        case .f16: return 1
        case .q8_0: return 7
        case .q4_K: return 14
        default: return 3
        }
    }
}
