import CBraidKernels
import Foundation

/// How a model pairs the dimensions of a head for rotary position embedding.
public enum RopeStyle: String, Codable, Sendable {
    /// Rotate `(x[2i], x[2i+1])` — ggml's "normal" RoPE. GGUF llama files store Q/K rows
    /// permuted so that this equals HF's rotate-half on the original weights.
    case adjacent
    /// Rotate `(x[i], x[i + d/2])` — HF's rotate-half, ggml's "neox" RoPE (qwen2).
    case halfSplit
}

/// Rotary position embedding with angle `θ_i = position · base^(−2i/d)` (frequencies rescaled by a
/// `RopeScaling` when the checkpoint has one).
///
/// The inverse frequencies are computed once; the angle per token is formed in `Double` and
/// rounded, so large positions keep their precision.
struct Rope {
    let style: RopeStyle
    let headDim: Int
    private let inverseFrequencies: [Double]
    /// Factor on cos and sin (YaRN's attention factor; 1 otherwise).
    private let magnitude: Double

    /// - Parameter scaling: the checkpoint's context-extension rule, applied to the frequency table.
    init(style: RopeStyle, headDim: Int, base: Double, scaling: RopeScaling? = nil) {
        self.style = style
        self.headDim = headDim
        let half = headDim / 2
        let plain = (0..<half).map { i in 1 / pow(base, Double(2 * i) / Double(headDim)) }
        inverseFrequencies = scaling?.scaled(plain, base: base, headDim: headDim) ?? plain
        magnitude = scaling?.attentionFactor ?? 1
    }

    /// Fills `cos`/`sin` (each `headDim / 2` values) for one position.
    func angles(position: Int, cos: UnsafeMutablePointer<Float>, sin: UnsafeMutablePointer<Float>) {
        for i in 0..<(headDim / 2) {
            let theta = Double(position) * inverseFrequencies[i]
            cos[i] = Float(magnitude * Foundation.cos(theta))
            sin[i] = Float(magnitude * Foundation.sin(theta))
        }
    }

    /// Rotates `heads` consecutive heads of `headDim` values in place (`braid_rope`: SIMD lanes, each product
    /// rounded on its own as the scalar formula `(a·cos − b·sin, a·sin + b·cos)` rounds it).
    func apply(_ x: UnsafeMutablePointer<Float>, heads: Int,
               cos: UnsafePointer<Float>, sin: UnsafePointer<Float>) {
        braid_rope(x, heads, headDim, style == .halfSplit ? 1 : 0, cos, sin)
    }
}
