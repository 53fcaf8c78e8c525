import BraidRandom

/// A small, seedable, platform-independent random generator (xoshiro256**, seeded through
/// SplitMix64), one per reasoning thread.
///
/// Each thread owns its own generator, so the tokens a thread samples depend only on its seed
/// and its own logits — never on which other threads happen to share its batch or in which
/// order the scheduler visits them.
public struct RandomSource: RandomNumberGenerator, Sendable, Equatable {
    private var state: (UInt64, UInt64, UInt64, UInt64)

    /// Seeds the four state words from `seed` with SplitMix64 (never all zero).
    public init(seed: UInt64) {
        var seeder = SplitMix64(seed: seed)
        state = (seeder.next(), seeder.next(), seeder.next(), seeder.next())
    }

    /// A generator for sub-stream `index` of `seed` (e.g. thread i of a run), decorrelated
    /// from the other sub-streams.
    public init(seed: UInt64, stream index: UInt64) {
        self.init(seed: seed ^ (index &* 0xD1B5_4A32_D192_ED03) &+ index)
    }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        let result = rotate(state.1 &* 5, 7) &* 9
        let t = state.1 << 17
        state.2 ^= state.0
        state.3 ^= state.1
        state.1 ^= state.2
        state.0 ^= state.3
        state.2 ^= t
        state.3 = rotate(state.3, 45)
        return result
    }

    /// A uniform double in [0, 1) with 53 random bits.
    public mutating func nextUnit() -> Double { Double(next() >> 11) * 0x1p-53 }

    private func rotate(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    public static func == (a: RandomSource, b: RandomSource) -> Bool { a.state == b.state }
}
