import CBraidKernels
import Foundation

/// Small vector kernels used by the forward pass, written on SIMD lanes because Swift does
/// not reassociate floating-point sums (a plain loop would not vectorise).
enum VectorMath {
    /// Dot product of two `count`-element vectors.
    @inline(__always)
    static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count: Int) -> Float {
        var acc0 = SIMD8<Float>(), acc1 = SIMD8<Float>()
        var i = 0
        let ra = UnsafeRawPointer(a), rb = UnsafeRawPointer(b)
        while i + 16 <= count {
            acc0 += ra.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
                * rb.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
            acc1 += ra.loadUnaligned(fromByteOffset: (i + 8) * 4, as: SIMD8<Float>.self)
                * rb.loadUnaligned(fromByteOffset: (i + 8) * 4, as: SIMD8<Float>.self)
            i += 16
        }
        var sum = (acc0 + acc1).sum()
        while i < count {
            sum += a[i] * b[i]
            i += 1
        }
        return sum
    }

    /// `y += alpha · x` over `count` elements.
    @inline(__always)
    static func addScaled(_ x: UnsafePointer<Float>, alpha: Float, into y: UnsafeMutablePointer<Float>, count: Int) {
        var i = 0
        let rx = UnsafeRawPointer(x), ry = UnsafeMutableRawPointer(y)
        let a = SIMD8<Float>(repeating: alpha)
        while i + 8 <= count {
            let v = ry.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
                + a * rx.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
            ry.storeBytes(of: v, toByteOffset: i * 4, as: SIMD8<Float>.self)
            i += 8
        }
        while i < count {
            y[i] += alpha * x[i]
            i += 1
        }
    }

    /// RMSNorm of one row: `out = x / sqrt(mean(x²) + epsilon) * weight`.
    ///
    /// The mean is accumulated in `Double` (each square exact); the reference accumulates in float32, and
    /// the difference is far below the test tolerance. On SIMD lanes (`braid_rms_norm`): a 16-row step
    /// normalises 960 rows of SmolLM2 on the calling thread while the workers wait.
    static func rmsNorm(_ x: UnsafePointer<Float>, weight: UnsafePointer<Float>, epsilon: Float,
                        into out: UnsafeMutablePointer<Float>, count: Int) {
        braid_rms_norm(x, weight, epsilon, out, count)
    }

    /// In-place softmax over `count` scores; leaves probabilities summing to 1. On SIMD lanes in
    /// `CBraidKernels` (`braid_softmax`), with a vectorised e^x as accurate as libm's `expf` within
    /// the float rounding of the sum (worst relative error of a probability about 2e-6 for both).
    static func softmax(_ x: UnsafeMutablePointer<Float>, count: Int) {
        braid_softmax(x, count)
    }

    /// SwiGLU: `out[i] = silu(gate[i]) · up[i]` with `silu(g) = g / (1 + e^-g)`, on SIMD lanes
    /// (`braid_swiglu`, the same e^x as `softmax`).
    static func swiglu(gate: UnsafePointer<Float>, up: UnsafePointer<Float>,
                       into out: UnsafeMutablePointer<Float>, count: Int) {
        braid_swiglu(gate, up, out, count)
    }
}
