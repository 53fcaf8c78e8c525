/// How to pick the next token from logits. The defaults are greedy decoding.
///
/// Filters apply in this order (HF `generate`'s order): repetition penalty, temperature,
/// top-k, top-p, min-p; then one token is drawn from what is left.
public struct SamplingParameters: Codable, Sendable, Equatable {
    /// Softmax temperature; `0` (or less) means greedy (argmax after the penalty).
    public var temperature: Float
    /// Keep only the `topK` most likely tokens; `0` disables.
    public var topK: Int
    /// Keep the smallest set of most likely tokens whose probability reaches `topP`; `1` disables.
    public var topP: Float
    /// Drop tokens less likely than `minP` × the most likely one; `0` disables.
    public var minP: Float
    /// CTRL-style penalty on tokens already in the history (logit / p when positive, × p
    /// when negative); `1` disables.
    public var repetitionPenalty: Float
    /// How many of the most recent history tokens the penalty looks at; `nil` = all.
    public var penaltyWindow: Int?

    /// Creates parameters; every argument defaults to "off".
    public init(temperature: Float = 0, topK: Int = 0, topP: Float = 1, minP: Float = 0,
                repetitionPenalty: Float = 1, penaltyWindow: Int? = nil) {
        self.temperature = temperature
        self.topK = topK
        self.topP = topP
        self.minP = minP
        self.repetitionPenalty = repetitionPenalty
        self.penaltyWindow = penaltyWindow
    }

    /// Greedy decoding.
    public static let greedy = SamplingParameters()

    /// Whether the values are usable; returns the reason when not.
    public func problem() -> String? {
        if !temperature.isFinite { return "temperature must be finite" }
        if topK < 0 { return "top-k must be ≥ 0, is \(topK)" }
        if !(topP > 0 && topP <= 1) { return "top-p must be in (0, 1], is \(topP)" }
        if !(minP >= 0 && minP <= 1) { return "min-p must be in [0, 1], is \(minP)" }
        if !(repetitionPenalty > 0 && repetitionPenalty.isFinite) { return "repetition penalty must be > 0, is \(repetitionPenalty)" }
        if let w = penaltyWindow, w < 0 { return "penalty window must be ≥ 0, is \(w)" }
        return nil
    }
}
