import CBraidKernels
import Foundation

/// A Hugging Face model folder (`config.json`, `model.safetensors` or a sharded
/// `model.safetensors.index.json`, tokenizer files) as a `ModelSource`.
///
/// Tensors are offered under Braid's GGUF names with ggml's dimension order (`ne0` first), so the loader,
/// the converter and every tool treat a folder and a GGUF file alike. Llama's Q/K rows are permuted as
/// llama.cpp's converter does, which makes Braid's adjacent-pair RoPE equal HF's rotate-half. ParaThinker's
/// thought embeddings (`model.layers.N.self_attn.seg_embeddings.weight`, `[slots, headDim]`) become
/// `blk.N.thought_embd`. Everything is checked when the folder is opened: files, headers, dtypes against
/// `config.json`, and every tensor's shape against the configuration.
public final class HFModelSource: ModelSource, @unchecked Sendable {
    /// The folder.
    public let folder: URL
    /// Its `config.json`.
    public let config: HFModelConfig
    /// GGUF name → (shard, HF tensor).
    private let tensors: [String: (file: SafetensorsFile, tensor: SafetensorsFile.Tensor)]
    /// Rows of Q/K to regroup for RoPE (llama), by GGUF name: the head count.
    private let permutedHeads: [String: Int]

    /// Whether `url` is a folder that looks like a Hugging Face model (has a `config.json`).
    public static func isModelFolder(_ url: URL) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) && isDirectory.boolValue
    }

    /// Opens and validates the folder.
    /// - Throws: `HFError` naming the file and the problem.
    public init(folder: URL) throws {
        self.folder = folder
        let configURL = folder.appendingPathComponent("config.json")
        guard let configData = try? Data(contentsOf: configURL) else {
            throw HFError("config.json", "missing or unreadable in \(folder.path)")
        }
        config = try HFModelConfig(data: configData)
        let files = try Self.openWeights(folder)
        var byHFName: [String: (file: SafetensorsFile, tensor: SafetensorsFile.Tensor)] = [:]
        for file in files {
            for (name, tensor) in file.tensors {
                if let expected = config.expectedDType, tensor.dtype != expected {
                    throw HFError(file.name, "tensor '\(name)' is \(tensor.dtype.rawValue) but config.json says dtype \(config.dtype ?? "")")
                }
                byHFName[name] = (file, tensor)
            }
        }
        var mapped: [String: (file: SafetensorsFile, tensor: SafetensorsFile.Tensor)] = [:]
        var permuted: [String: Int] = [:]
        for (gguf, hf, shape) in Self.expectedTensors(config) {
            guard let found = byHFName[hf] else {
                if gguf.hasSuffix("thought_embd") { continue }
                throw HFError(files.map(\.name).joined(separator: ", "), "tensor '\(hf)' is missing")
            }
            // A thought table's row count is the checkpoint's (max_segments is optional in config.json).
            let expected = gguf.hasSuffix("thought_embd") ? [found.tensor.shape.first ?? 0, config.headDim] : shape
            guard found.tensor.shape == expected else {
                throw HFError(found.file.name, "tensor '\(hf)' has shape \(found.tensor.shape), config.json implies \(expected)")
            }
            mapped[gguf] = found
            if config.architecture == "llama" {
                if gguf.hasSuffix("attn_q.weight") || gguf.hasSuffix("attn_q.bias") { permuted[gguf] = config.heads }
                if gguf.hasSuffix("attn_k.weight") || gguf.hasSuffix("attn_k.bias") { permuted[gguf] = config.kvHeads }
            }
        }
        tensors = mapped
        permutedHeads = permuted
    }

    /// The safetensors files: `model.safetensors`, or the shards `model.safetensors.index.json` lists (each
    /// listed tensor must be in its shard).
    private static func openWeights(_ folder: URL) throws -> [SafetensorsFile] {
        let single = folder.appendingPathComponent("model.safetensors")
        if FileManager.default.fileExists(atPath: single.path) { return [try SafetensorsFile(contentsOf: single)] }
        let indexName = "model.safetensors.index.json"
        guard let data = try? Data(contentsOf: folder.appendingPathComponent(indexName)) else {
            throw HFError(folder.path, "neither model.safetensors nor \(indexName) is present")
        }
        guard let index = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let weightMap = index["weight_map"] as? [String: String] else {
            throw HFError(indexName, "no weight_map of tensor name to shard file")
        }
        var shards: [String: SafetensorsFile] = [:]
        for shard in Set(weightMap.values).sorted() {
            guard !shard.contains("/"), !shard.hasPrefix(".") else { throw HFError(indexName, "shard name '\(shard)' is not a file in the folder") }
            let url = folder.appendingPathComponent(shard)
            guard FileManager.default.fileExists(atPath: url.path) else {
                throw HFError(shard, "listed in \(indexName) but missing")
            }
            shards[shard] = try SafetensorsFile(contentsOf: url)
        }
        for (tensor, shard) in weightMap where shards[shard]?.tensors[tensor] == nil {
            throw HFError(shard, "\(indexName) places tensor '\(tensor)' here but the file does not hold it")
        }
        return shards.keys.sorted().compactMap { shards[$0] }
    }

    /// (GGUF name, HF name, HF shape) of every tensor the configuration needs.
    static func expectedTensors(_ c: HFModelConfig) -> [(String, String, [Int])] {
        let q = c.heads * c.headDim, kv = c.kvHeads * c.headDim
        var list: [(String, String, [Int])] = [
            ("token_embd.weight", "model.embed_tokens.weight", [c.vocabSize, c.hiddenSize]),
            ("output_norm.weight", "model.norm.weight", [c.hiddenSize]),
        ]
        if !c.tieWordEmbeddings { list.append(("output.weight", "lm_head.weight", [c.vocabSize, c.hiddenSize])) }
        for n in 0..<c.layers {
            let hf = "model.layers.\(n).", blk = "blk.\(n)."
            list += [
                (blk + "attn_norm.weight", hf + "input_layernorm.weight", [c.hiddenSize]),
                (blk + "attn_q.weight", hf + "self_attn.q_proj.weight", [q, c.hiddenSize]),
                (blk + "attn_k.weight", hf + "self_attn.k_proj.weight", [kv, c.hiddenSize]),
                (blk + "attn_v.weight", hf + "self_attn.v_proj.weight", [kv, c.hiddenSize]),
                (blk + "attn_output.weight", hf + "self_attn.o_proj.weight", [c.hiddenSize, q]),
                (blk + "ffn_norm.weight", hf + "post_attention_layernorm.weight", [c.hiddenSize]),
                (blk + "ffn_gate.weight", hf + "mlp.gate_proj.weight", [c.intermediateSize, c.hiddenSize]),
                (blk + "ffn_up.weight", hf + "mlp.up_proj.weight", [c.intermediateSize, c.hiddenSize]),
                (blk + "ffn_down.weight", hf + "mlp.down_proj.weight", [c.hiddenSize, c.intermediateSize]),
                (blk + "thought_embd", hf + "self_attn.seg_embeddings.weight", [c.maxSegments, c.headDim]),
            ]
            if c.attentionBias {
                list += [(blk + "attn_q.bias", hf + "self_attn.q_proj.bias", [q]),
                         (blk + "attn_k.bias", hf + "self_attn.k_proj.bias", [kv]),
                         (blk + "attn_v.bias", hf + "self_attn.v_proj.bias", [kv])]
            }
        }
        return list
    }

    /// Braid's GGUF-style metadata for the folder's `config.json`.
    private func metadataValue(_ key: String) -> Any? {
        let c = config, a = c.architecture + "."
        switch key {
        case "general.architecture": return c.architecture
        case a + "block_count": return c.layers
        case a + "context_length": return c.contextLength
        case a + "embedding_length": return c.hiddenSize
        case a + "feed_forward_length": return c.intermediateSize
        case a + "attention.head_count": return c.heads
        case a + "attention.head_count_kv": return c.kvHeads
        case a + "attention.key_length", a + "rope.dimension_count": return c.headDim
        case a + "vocab_size": return c.vocabSize
        case a + "rope.freq_base": return c.ropeTheta
        case a + "attention.layer_norm_rms_epsilon": return Double(c.rmsEpsilon)
        default:
            guard key.hasPrefix(a) else { return nil }
            return c.ropeScaling?.metadata[String(key.dropFirst(a.count))]
        }
    }

    public func metadataInt(_ key: String) -> Int? { metadataValue(key) as? Int }
    public func metadataFloat(_ key: String) -> Float? {
        (metadataValue(key) as? Double).map(Float.init) ?? (metadataValue(key) as? Int).map(Float.init)
    }
    public func metadataString(_ key: String) -> String? { metadataValue(key) as? String }
    public func metadataArrayCount(_ key: String) -> Int? { nil }

    public func tensorShape(_ name: String) -> [Int]? { tensors[name].map { Array($0.tensor.shape.reversed()) } }

    public func tensorFloats(_ name: String) throws -> [Float] {
        guard let entry = tensors[name] else { throw ModelError.missingTensor(name) }
        let values = try entry.file.floats(entry.tensor.name)
        guard let heads = permutedHeads[name] else { return values }
        return Self.regroupForAdjacentRope(values, heads: heads, rows: entry.tensor.shape.first ?? 0)
    }

    /// A matrix in the file's own storage (F32, F16 or BF16, read in place from the mapping by the kernels),
    /// or an f32 copy when the kernels cannot take its rows or its rows must be regrouped (Llama's Q/K).
    public func matrix(_ name: String) throws -> WeightMatrix {
        guard let entry = tensors[name] else { throw ModelError.missingTensor(name) }
        let shape = entry.tensor.shape
        guard shape.count == 2, shape[0] > 0, shape[1] > 0 else { throw ModelError.shapeMismatch(name: name, expected: [0, 0], found: shape) }
        let (rows, columns) = (shape[0], shape[1])
        let types: [SafetensorsFile.DType: GGMLType] = [.F32: .f32, .F16: .f16, .BF16: .bf16]
        if permutedHeads[name] == nil, let type = types[entry.tensor.dtype],
           braid_kernel_supports(Int32(type.rawValue), columns) != 0,
           let base = entry.file.bytes(of: entry.tensor).baseAddress {
            return WeightMatrix(type: type, rows: rows, columns: columns, rowBytes: columns * entry.tensor.dtype.size,
                                base: base, owner: entry.file, usesKernels: true)
        }
        return WeightMatrix(values: try tensorFloats(name), rows: rows, columns: columns)
    }

    /// The HF tensor name behind a GGUF name (for messages and the converter).
    public func huggingFaceName(of name: String) -> String? { tensors[name]?.tensor.name }

    /// Reorders the rows of each head from HF's (halves) order to GGUF's (interleaved) order: row
    /// `h·d + 2i + j` takes HF row `h·d + j·d/2 + i`, as llama.cpp's converter permutes Q and K.
    static func regroupForAdjacentRope(_ values: [Float], heads: Int, rows: Int) -> [Float] {
        guard heads > 0, rows > 0, rows % heads == 0, values.count % rows == 0 else { return values }
        let headDim = rows / heads, half = headDim / 2, columns = values.count / rows
        var out = values
        for h in 0..<heads {
            for i in 0..<half {
                for j in 0..<2 {
                    let to = (h * headDim + 2 * i + j) * columns, from = (h * headDim + j * half + i) * columns
                    for c in 0..<columns { out[to + c] = values[from + c] }
                }
            }
        }
        return out
    }
}
