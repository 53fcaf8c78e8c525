import Foundation

/// How a checkpoint stretches RoPE past the context it was pretrained on (`rope_scaling` /
/// `rope_parameters` in `config.json`, `{arch}.rope.scaling.*` in GGUF).
///
/// Every kind reduces to a per-dimension inverse-frequency table plus one factor on cos/sin, so the
/// forward pass stays the plain rotation; the formulas follow the definitions transformers uses.
public struct RopeScaling: Codable, Sendable, Equatable {
    /// The scaling rule.
    public enum Kind: String, Codable, Sendable {
        /// Positions divided by `factor` (every frequency divided by `factor`).
        case linear
        /// Llama 3.1: long wavelengths divided by `factor`, short ones kept, a smooth blend between.
        case llama3
        /// YaRN: a ramp between extrapolated and interpolated frequencies, plus an attention factor.
        case yarn
    }

    /// The scaling rule.
    public var kind: Kind
    /// Context extension factor (> 0).
    public var factor: Double
    /// Context the model was pretrained on (llama3, yarn).
    public var originalContext: Int
    /// Llama 3: wavelengths above `originalContext / lowFrequencyFactor` are divided by `factor`.
    public var lowFrequencyFactor: Double
    /// Llama 3: wavelengths below `originalContext / highFrequencyFactor` are kept.
    public var highFrequencyFactor: Double
    /// YaRN: rotations (within `originalContext`) above which a dimension is extrapolated (kept).
    public var betaFast: Double
    /// YaRN: rotations below which a dimension is interpolated (divided by `factor`).
    public var betaSlow: Double
    /// Factor on cos/sin (YaRN's attention temperature; 1 for the other kinds).
    public var attentionFactor: Double

    /// Creates a scaling rule; defaults are transformers' (YaRN: β 32/1, attention factor 0.1·ln(factor)+1).
    public init(kind: Kind, factor: Double, originalContext: Int = 0, lowFrequencyFactor: Double = 1,
                highFrequencyFactor: Double = 4, betaFast: Double = 32, betaSlow: Double = 1,
                attentionFactor: Double? = nil) {
        self.kind = kind
        self.factor = factor
        self.originalContext = originalContext
        self.lowFrequencyFactor = lowFrequencyFactor
        self.highFrequencyFactor = highFrequencyFactor
        self.betaFast = betaFast
        self.betaSlow = betaSlow
        self.attentionFactor = attentionFactor ?? (kind == .yarn && factor > 1 ? 0.1 * log(factor) + 1 : 1)
    }

    /// Checks the numbers the formulas divide by or take logarithms of; `reason` names the bad value.
    public func problem() -> String? {
        if !(factor > 0) { return "factor must be positive, is \(factor)" }
        if kind != .linear && originalContext <= 0 { return "original_max_position_embeddings must be positive, is \(originalContext)" }
        if kind == .llama3 && !(highFrequencyFactor > lowFrequencyFactor && lowFrequencyFactor > 0) {
            return "high_freq_factor (\(highFrequencyFactor)) must exceed low_freq_factor (\(lowFrequencyFactor)) > 0"
        }
        if kind == .yarn && !(betaFast > 0 && betaSlow > 0) { return "beta_fast and beta_slow must be positive" }
        return nil
    }

    /// The scaled inverse frequencies for the plain ones `base^(−2i/d)`, `i < d/2`.
    func scaled(_ plain: [Double], base: Double, headDim: Int) -> [Double] {
        switch kind {
        case .linear: return plain.map { $0 / factor }
        case .llama3: return plain.map(llama3)
        case .yarn: return yarn(plain, base: base, headDim: headDim)
        }
    }

    /// Llama 3's rule for one frequency: by wavelength against the original context.
    private func llama3(_ frequency: Double) -> Double {
        let wavelength = 2 * Double.pi / frequency
        let context = Double(originalContext)
        if wavelength < context / highFrequencyFactor { return frequency }
        if wavelength > context / lowFrequencyFactor { return frequency / factor }
        let smooth = (context / wavelength - lowFrequencyFactor) / (highFrequencyFactor - lowFrequencyFactor)
        return (1 - smooth) * frequency / factor + smooth * frequency
    }

    /// YaRN: dimension `i` blends interpolation (`f/factor`) and extrapolation (`f`) by a linear ramp over
    /// the dimension range whose rotation counts within the original context lie between `betaFast` and `betaSlow`.
    private func yarn(_ plain: [Double], base: Double, headDim: Int) -> [Double] {
        let d = Double(headDim)
        func correctionDim(_ rotations: Double) -> Double {
            d * log(Double(originalContext) / (rotations * 2 * Double.pi)) / (2 * log(base))
        }
        let low = max(floor(correctionDim(betaFast)), 0)
        var high = min(ceil(correctionDim(betaSlow)), d - 1)
        if low == high { high += 0.001 }
        return plain.enumerated().map { i, frequency in
            let ramp = min(max((Double(i) - low) / (high - low), 0), 1)
            let extrapolation = 1 - ramp
            return frequency / factor * (1 - extrapolation) + frequency * extrapolation
        }
    }
}
