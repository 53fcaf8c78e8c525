/// How the activations enter the matrix products that run on the kernels (`Transformer.kernelRowLimit`).
///
/// `.f32` is exact: every product is computed on the f32 activations and the dequantized weights,
/// as the reference (HF transformers on the dequantized file) computes it. `.q8` is an opt-in
/// approximation, as llama.cpp does by default: each 32-element block of an activation row is
/// rounded to int8 with one f32 scale (d = max|x| / 127) once per product, and the products with
/// Q4_1, Q8_0, Q4_K and Q6_K weights run as exact integer dot products (AVX-512 VNNI where the CPU has it).
/// Logits then differ from the reference by about 1e-1 and greedy continuations may diverge
/// (measured in Docs/performance.md). In `.q8`, prefill batches take the integer kernels too when every
/// matrix of the model has them (they are faster than tiles and sgemm at every batch size measured); other
/// weight types, and prefill batches of a model with any such matrix, stay f32.
public enum ActivationPrecision: String, Sendable, CaseIterable {
    /// Exact f32 activations (the default).
    case f32
    /// Activations rounded to 8 bits per 32-element block for Q4_1, Q8_0, Q4_K and Q6_K weights.
    case q8
}

/// A growable, 64-byte aligned byte buffer for the quantized activations of one product (reused
/// across steps, like `FloatBuffer`).
final class ByteBuffer {
    private(set) var pointer: UnsafeMutableRawPointer
    private(set) var capacity: Int

    init() {
        capacity = 64
        pointer = .allocate(byteCount: capacity, alignment: 64)
    }

    deinit { pointer.deallocate() }

    /// Makes room for `count` bytes (doubling at least) and returns the start; contents are not kept.
    func reserve(_ count: Int) -> UnsafeMutableRawPointer {
        if count > capacity {
            capacity = max(count, capacity * 2)
            pointer.deallocate()
            pointer = .allocate(byteCount: capacity, alignment: 64)
        }
        return pointer
    }
}
