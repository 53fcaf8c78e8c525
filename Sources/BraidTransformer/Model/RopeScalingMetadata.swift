import Foundation

extension RopeScaling {
    /// GGUF keys (after `{arch}.`) that describe RoPE scaling. `type`, `factor`, `original_context_length`,
    /// `attn_factor` and `yarn_beta_*` are llama.cpp's names; `attn_factor` multiplies YaRN's default
    /// 0.1·ln(factor)+1 as in llama.cpp. `low_freq_factor` / `high_freq_factor` and the type `llama3` are
    /// Braid's own (llama.cpp bakes Llama 3's rule into a `rope_freqs` tensor instead).
    enum Key {
        static let type = "rope.scaling.type"
        static let factor = "rope.scaling.factor"
        static let originalContext = "rope.scaling.original_context_length"
        static let attentionFactor = "rope.scaling.attn_factor"
        static let betaFast = "rope.scaling.yarn_beta_fast"
        static let betaSlow = "rope.scaling.yarn_beta_slow"
        static let lowFrequencyFactor = "rope.scaling.low_freq_factor"
        static let highFrequencyFactor = "rope.scaling.high_freq_factor"
    }

    /// Reads the scaling keys of a model file; `nil` when there are none or the type is `none`.
    /// - Throws: `ModelError.invalidMetadata` naming the key for an unknown type or an unusable value.
    init?(source: ModelSource, architecture: String, contextLength: Int) throws {
        func key(_ suffix: String) -> String { architecture + "." + suffix }
        // llama.cpp stores Llama 3's rule as per-dimension divisors in `rope_freqs.weight`; without them the
        // model would run with plain RoPE and silently give other numbers.
        if source.tensorShape("rope_freqs.weight") != nil {
            throw ModelError.invalidMetadata(key: "rope_freqs.weight", reason: "RoPE frequency factors (llama.cpp's Llama 3 scaling) are not supported")
        }
        guard let type = source.metadataString(key(Key.type)), type != "none" else { return nil }
        guard let kind = Kind(rawValue: type) else {
            throw ModelError.invalidMetadata(key: key(Key.type), reason: "rope scaling '\(type)' is not supported (linear, llama3, yarn)")
        }
        func number(_ suffix: String) -> Double? { source.metadataFloat(key(suffix)).map(Double.init) }
        let factor = number(Key.factor) ?? 1
        self.init(kind: kind, factor: factor,
                  originalContext: source.metadataInt(key(Key.originalContext)) ?? contextLength,
                  lowFrequencyFactor: number(Key.lowFrequencyFactor) ?? 1,
                  highFrequencyFactor: number(Key.highFrequencyFactor) ?? 4,
                  betaFast: number(Key.betaFast) ?? 32, betaSlow: number(Key.betaSlow) ?? 1)
        if kind == .yarn, let multiplier = number(Key.attentionFactor) { attentionFactor *= multiplier }
        if let problem = problem() { throw ModelError.invalidMetadata(key: key(Key.type), reason: problem) }
    }

    /// The GGUF metadata that `init(source:…)` reads back as this rule (values as Double/Int/String).
    var metadata: [String: Any] {
        var values: [String: Any] = [Key.type: kind.rawValue, Key.factor: factor]
        if kind != .linear { values[Key.originalContext] = originalContext }
        if kind == .llama3 {
            values[Key.lowFrequencyFactor] = lowFrequencyFactor
            values[Key.highFrequencyFactor] = highFrequencyFactor
        }
        if kind == .yarn {
            values[Key.betaFast] = betaFast
            values[Key.betaSlow] = betaSlow
            let standard = factor > 1 ? 0.1 * log(factor) + 1 : 1
            values[Key.attentionFactor] = attentionFactor / standard
        }
        return values
    }
}
