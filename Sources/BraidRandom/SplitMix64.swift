/// A small, fast, seedable pseudo-random generator (SplitMix64, Steele, Lea & Flood 2014).
///
/// The one seeded generator of Braid, for the product (Countdown data, the sampler's seeding) and the tests.
/// Braid's Countdown data must be byte-identical across runs, machines and Swift versions, so it never
/// uses the standard library's `random(in:)` helpers (their algorithms are not promised to stay fixed).
/// Every draw goes through the explicit helpers below instead.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    /// The generator's whole state; two generators with equal state produce equal streams.
    public private(set) var state: UInt64

    /// Creates a generator whose stream is fully determined by `seed`.
    public init(seed: UInt64) {
        state = seed
    }

    /// Returns the next 64 random bits.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return SplitMix64.mix(state)
    }

    /// The SplitMix64 output function; also a good 64-bit hash finalizer.
    public static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniform integer in `range` (unbiased: rejection sampling on the top of the 64-bit range).
    public mutating func int(in range: ClosedRange<Int>) -> Int {
        let span = UInt64(bitPattern: Int64(range.upperBound) &- Int64(range.lowerBound)) &+ 1
        if span == 0 { return Int(Int64(bitPattern: next())) }  // the full 64-bit range
        // Values below `threshold` would make `% span` favour small results; skip them.
        let threshold = (0 &- span) % span
        while true {
            let draw = next()
            if draw >= threshold {
                return Int(Int64(range.lowerBound) &+ Int64(bitPattern: draw % span))
            }
        }
    }

    /// A uniform `Double` in [0, 1) built from the top 53 bits of one draw.
    public mutating func unitDouble() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// Shuffles `items` in place (Fisher–Yates, last index first).
    public mutating func shuffle<T>(_ items: inout [T]) {
        guard items.count > 1 else { return }
        for i in stride(from: items.count - 1, to: 0, by: -1) {
            let j = int(in: 0...i)
            if i != j { items.swapAt(i, j) }
        }
    }
}

/// FNV-1a over a string's UTF-8 bytes: the one stable string hash (a thread's random stream, test seeds).
///
/// Swift's `Hasher` is randomly seeded per process, so it cannot be used for anything that must be
/// reproducible. `basis` replaces the standard offset basis (to salt the hash).
public func fnv1a(_ text: String, basis: UInt64 = 0xCBF2_9CE4_8422_2325) -> UInt64 {
    var hash = basis
    for byte in text.utf8 {
        hash ^= UInt64(byte)
        hash &*= 0x0000_0100_0000_01B3
    }
    return hash
}

/// A stable, well-mixed 64-bit hash of a string: FNV-1a (offset basis XOR `salt`), then the SplitMix64
/// finalizer (split assignment, per-problem seeds).
public func stableHash(_ text: String, salt: UInt64 = 0) -> UInt64 {
    SplitMix64.mix(fnv1a(text, basis: 0xCBF2_9CE4_8422_2325 ^ salt))
}
