import Foundation

/// The hyper-parameters of a Hugging Face `config.json` for the Qwen2 and Llama families, in both the
/// transformers 4.x form (`rope_theta`, `rope_scaling`, `torch_dtype` at the top level) and the 5.x form
/// (`rope_parameters`, `dtype`).
public struct HFModelConfig: Sendable, Equatable {
    /// Braid's family name (`general.architecture`): `qwen2` or `llama`.
    public var architecture: String
    public var vocabSize: Int
    public var hiddenSize: Int
    public var intermediateSize: Int
    public var layers: Int
    public var heads: Int
    public var kvHeads: Int
    public var headDim: Int
    public var contextLength: Int
    public var rmsEpsilon: Float
    /// RoPE base, from `rope_theta` or `rope_parameters.rope_theta` (default 10,000).
    public var ropeTheta: Double
    /// The RoPE context-extension rule (`linear`, `llama3`, `yarn`), `nil` for plain RoPE.
    public var ropeScaling: RopeScaling?
    public var tieWordEmbeddings: Bool
    /// Whether Q/K/V have biases (always for Qwen2; `attention_bias` for Llama).
    public var attentionBias: Bool
    /// `dtype` / `torch_dtype` as written (`bfloat16`, `float16`, `float32`), if stated.
    public var dtype: String?
    /// Rows of the ParaThinker thought-embedding tables (`max_segments`), 0 when the config names none.
    public var maxSegments: Int

    /// Reads `config.json`'s contents.
    /// - Throws: `HFError("config.json", ...)` naming a missing or invalid key or an unsupported family/feature.
    public init(data: Data) throws {
        func fail(_ reason: String) -> HFError { HFError("config.json", reason) }
        guard let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw fail("not a JSON object")
        }
        let modelType = json["model_type"] as? String ?? "(none)"
        switch modelType {
        case "qwen2", "llama": architecture = modelType
        default: throw fail("model_type '\(modelType)' is not supported (Braid runs qwen2 and llama)")
        }
        func int(_ key: String, default value: Int? = nil) throws -> Int {
            if let number = json[key] as? Int {
                guard number > 0 else { throw fail("\(key) must be positive, is \(number)") }
                return number
            }
            if let value, json[key] == nil || json[key] is NSNull { return value }
            throw fail("\(key) is missing or not an integer")
        }
        vocabSize = try int("vocab_size")
        hiddenSize = try int("hidden_size")
        intermediateSize = try int("intermediate_size")
        layers = try int("num_hidden_layers")
        heads = try int("num_attention_heads")
        kvHeads = try int("num_key_value_heads", default: heads)
        headDim = try int("head_dim", default: hiddenSize / heads)
        rmsEpsilon = Float((json["rms_norm_eps"] as? Double) ?? 1e-6)
        let parameters = json["rope_parameters"] as? [String: Any]
        ropeTheta = (json["rope_theta"] as? Double) ?? (parameters?["rope_theta"] as? Double) ?? 10_000
        let scaling = (json["rope_scaling"] as? [String: Any]) ?? parameters
        let ropeType = (scaling?["rope_type"] as? String) ?? (scaling?["type"] as? String) ?? "default"
        contextLength = max(0, json["max_position_embeddings"] as? Int ?? 0)
        ropeScaling = try Self.ropeScaling(ropeType, scaling ?? [:], contextLength: contextLength)
        tieWordEmbeddings = json["tie_word_embeddings"] as? Bool ?? false
        attentionBias = modelType == "qwen2" ? true : (json["attention_bias"] as? Bool ?? false)
        dtype = (json["dtype"] as? String) ?? (json["torch_dtype"] as? String)
        maxSegments = json["max_segments"] as? Int ?? 0
        if let act = json["hidden_act"] as? String, act != "silu" { throw fail("hidden_act '\(act)' is not supported (silu)") }
        if json["mlp_bias"] as? Bool == true { throw fail("mlp_bias is true; Braid's feed-forward has no biases") }
        if json["use_sliding_window"] as? Bool == true { throw fail("use_sliding_window is true; Braid attends to the full context") }
        guard heads % kvHeads == 0 else { throw fail("\(heads) attention heads are not a multiple of \(kvHeads) KV heads") }
    }

    /// The scaling rule of `rope_scaling` / `rope_parameters`, with transformers' defaults.
    /// - Throws: `HFError` naming an unsupported type (`dynamic`, `longrope`, ...) or an unusable value.
    static func ropeScaling(_ type: String, _ values: [String: Any], contextLength: Int) throws -> RopeScaling? {
        if type == "default" { return nil }
        guard let kind = RopeScaling.Kind(rawValue: type) else {
            throw HFError("config.json", "rope scaling '\(type)' is not supported (Braid applies linear, llama3 and yarn)")
        }
        func number(_ key: String) -> Double? { (values[key] as? Double) ?? (values[key] as? Int).map(Double.init) }
        guard let factor = number("factor") else { throw HFError("config.json", "rope scaling '\(type)' has no numeric factor") }
        if values["mscale"] != nil || values["mscale_all_dim"] != nil, number("attention_factor") == nil {
            throw HFError("config.json", "rope scaling '\(type)': mscale/mscale_all_dim are not supported; state attention_factor")
        }
        if values["truncate"] as? Bool == false {
            throw HFError("config.json", "rope scaling '\(type)': truncate=false is not supported")
        }
        let scaling = RopeScaling(kind: kind, factor: factor,
                                  originalContext: (values["original_max_position_embeddings"] as? Int) ?? contextLength,
                                  lowFrequencyFactor: number("low_freq_factor") ?? 1,
                                  highFrequencyFactor: number("high_freq_factor") ?? 4,
                                  betaFast: number("beta_fast") ?? 32, betaSlow: number("beta_slow") ?? 1,
                                  attentionFactor: number("attention_factor"))
        if let problem = scaling.problem() { throw HFError("config.json", "rope scaling '\(type)': \(problem)") }
        return scaling
    }

    /// The safetensors dtype the config's `dtype` names, if it names one.
    var expectedDType: SafetensorsFile.DType? {
        switch dtype {
        case "float32": return .F32
        case "float16": return .F16
        case "bfloat16": return .BF16
        default: return nil
        }
    }
}
