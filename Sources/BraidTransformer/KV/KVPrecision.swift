/// How keys and values are stored in the KV cache.
///
/// `.f32` is exact: attention reads exactly the keys and values the layer computed, as the reference does.
/// `.f16` (`--kv-type f16`) is an opt-in that halves the cache's memory and the bytes attention reads each
/// step: every key and value is rounded to IEEE binary16 (nearest, ties to even) when written and widened
/// exactly when read, so logits move by the rounding (measured in Docs/performance.md). Keys are rounded
/// after RoPE, as they are stored.
public enum KVPrecision: String, Sendable, CaseIterable, Codable {
    /// 32-bit floats (the default, exact).
    case f32
    /// IEEE binary16, half the bytes.
    case f16

    /// Bytes of one stored element.
    public var bytes: Int { self == .f16 ? 2 : 4 }
}
