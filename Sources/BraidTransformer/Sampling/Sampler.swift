import CBraidKernels
import Foundation

/// Picks tokens from logits with one thread's parameters and random stream.
///
/// A value type: each reasoning thread keeps its own `Sampler`, so its draws are reproducible
/// from its seed alone. Scratch arrays live inside it and are reused between calls.
public struct Sampler: Sendable {
    /// The filters applied on every call.
    public var parameters: SamplingParameters
    /// This thread's random stream.
    public var random: RandomSource
    private var scratch: [Float] = []
    private var candidates: [Int32] = []
    /// Sums of 256-token chunks of the weights (see `drawUnfiltered`).
    private var chunkSums: [Double] = []

    /// Creates a sampler; `seed` fixes the random stream.
    public init(parameters: SamplingParameters = .greedy, seed: UInt64 = 0) {
        self.parameters = parameters
        random = RandomSource(seed: seed)
    }

    /// Creates a sampler with an explicit random stream.
    public init(parameters: SamplingParameters, random: RandomSource) {
        self.parameters = parameters
        self.random = random
    }

    /// Picks the next token from one row of logits, given the tokens generated so far (for
    /// the repetition penalty). Returns 0 for an empty row.
    public mutating func sample<C: Collection>(_ logits: C, history: [Int32] = []) -> Int32
    where C.Element == Float {
        let p = parameters
        // The usual case reads the row once, straight into the weights: no copy first (a 16-thread step
        // samples 16 rows of 49k–152k logits on the calling thread).
        if p.repetitionPenalty == 1, p.temperature > 0, let total = weights(from: logits) {
            return pick(total: total)
        }
        copyIntoScratch(logits)
        let v = scratch.count
        guard v > 0 else { return 0 }
        if p.repetitionPenalty != 1 {
            let recent = p.penaltyWindow.map { history.suffix($0) } ?? history[...]
            for id in Set(recent) where id >= 0 && Int(id) < v {
                let l = scratch[Int(id)]
                scratch[Int(id)] = l > 0 ? l / p.repetitionPenalty : l * p.repetitionPenalty
            }
        }
        if p.temperature <= 0 { return argmax() }
        // scratch ← e^(l/T − max l/T), the weights every filter below works on; chunkSums for the draw.
        reserveChunkSums(v)
        let total = scratch.withUnsafeMutableBufferPointer { w in
            chunkSums.withUnsafeMutableBufferPointer { c in
                braid_sampling_weights(w.baseAddress, w.count, p.temperature, c.baseAddress)
            }
        }
        return pick(total: total)
    }

    /// scratch ← e^(l/T − max l/T) computed from a contiguous, non-empty row (`braid_sampling_weights_from`: the
    /// same numbers as copying it first and weighting in place); nil when the row is empty or not contiguous.
    private mutating func weights<C: Collection>(from logits: C) -> Double? where C.Element == Float {
        let n = logits.count, t = parameters.temperature
        guard n > 0 else { return nil }
        if scratch.count != n { scratch = [Float](repeating: 0, count: n) }
        reserveChunkSums(n)
        return logits.withContiguousStorageIfAvailable { source in
            scratch.withUnsafeMutableBufferPointer { w in
                chunkSums.withUnsafeMutableBufferPointer { c in
                    braid_sampling_weights_from(source.baseAddress, w.baseAddress, n, t, c.baseAddress)
                }
            }
        }
    }

    private mutating func reserveChunkSums(_ v: Int) {
        let chunks = (v + 255) / 256
        if chunkSums.count < chunks { chunkSums = [Double](repeating: 0, count: chunks) }
    }

    /// A token from the weights in `scratch` (summing to `total`) under the top-k, top-p and min-p filters.
    private mutating func pick(total: Double) -> Int32 {
        let p = parameters, v = scratch.count
        if p.topK == 0 || p.topK >= v, p.topP >= 1, p.minP <= 0 {
            return drawUnfiltered(total: total)
        }

        candidates.removeAll(keepingCapacity: true)
        if p.topK > 0 && p.topK < v {
            selectTopK(p.topK)
        } else if p.topP < 1 {
            nucleusCandidates(p.topP)
        } else {
            candidates.append(contentsOf: (0..<Int32(v)))
        }
        if p.topP < 1 { applyTopP(p.topP) }
        if p.minP > 0 { candidates.removeAll { scratch[Int($0)] < p.minP } }  // best has weight 1
        return draw()
    }

    /// Copies one row of logits into `scratch` (one block copy when the row is contiguous: the runtime
    /// calls this for every live thread at every step, on a 49k–152k vocabulary).
    private mutating func copyIntoScratch<C: Collection>(_ logits: C) where C.Element == Float {
        let n = logits.count
        if scratch.count != n { scratch = [Float](repeating: 0, count: n) }
        let copied: Void? = logits.withContiguousStorageIfAvailable { source in
            scratch.withUnsafeMutableBufferPointer { target in
                guard let from = source.baseAddress, let to = target.baseAddress else { return }
                to.update(from: from, count: n)
            }
        }
        if copied == nil {
            scratch.removeAll(keepingCapacity: true)
            scratch.append(contentsOf: logits)
        }
    }

    /// The first largest weight (or logit).
    private func argmax() -> Int32 {
        Int32(scratch.withUnsafeBufferPointer { braid_argmax($0.baseAddress, $0.count) })
    }

    /// One draw over every token in id order, proportional to `scratch` (which sums to `total`): the chunk
    /// whose running sum passes the target, then the token inside it — the same token a walk over all
    /// tokens would find, up to the rounding of the chunk sums.
    private mutating func drawUnfiltered(total: Double) -> Int32 {
        guard total > 0, total.isFinite else { return argmax() }
        let target = random.nextUnit() * total
        let v = scratch.count
        var running: Double = 0
        var chunk = 0
        let chunks = (v + 255) / 256
        while chunk < chunks - 1 && running + chunkSums[chunk] <= target {
            running += chunkSums[chunk]
            chunk += 1
        }
        var last: Int32?
        for i in (chunk * 256)..<min(v, chunk * 256 + 256) {
            let w = Double(scratch[i])
            if w > 0 { last = Int32(i) }
            running += w
            if running > target { return Int32(i) }
        }
        return last ?? argmax()
    }

    /// The `k` largest weights, sorted descending (ties: lower id first).
    private mutating func selectTopK(_ k: Int) {
        let w = scratch
        if k > 64 {
            var all = Array(0..<Int32(w.count))
            all.sort { w[Int($0)] > w[Int($1)] || (w[Int($0)] == w[Int($1)] && $0 < $1) }
            candidates.append(contentsOf: all.prefix(k))
            return
        }
        // Small k: one pass keeping a sorted list of the best k (no sort of the vocabulary).
        for i in 0..<w.count {
            let x = w[i]
            if candidates.count == k, let last = candidates.last, !(x > w[Int(last)]) { continue }
            var at = candidates.count
            while at > 0 && x > w[Int(candidates[at - 1])] { at -= 1 }
            candidates.insert(Int32(i), at: at)
            if candidates.count > k { candidates.removeLast() }
        }
    }

    /// Candidates for top-p without top-k: if the tokens within a factor 1e-6 of the best
    /// already hold `topP` of the mass, the nucleus lies among them and only they are sorted;
    /// otherwise every token is a candidate.
    private mutating func nucleusCandidates(_ topP: Float) {
        var total: Double = 0
        var kept: Double = 0
        for (i, w) in scratch.enumerated() {
            total += Double(w)
            if w >= 1e-6 {
                kept += Double(w)
                candidates.append(Int32(i))
            }
        }
        if kept < Double(topP) * total {
            candidates.removeAll(keepingCapacity: true)
            candidates.append(contentsOf: (0..<Int32(scratch.count)))
        }
        candidates.sort { scratch[Int($0)] > scratch[Int($1)] || (scratch[Int($0)] == scratch[Int($1)] && $0 < $1) }
    }

    /// Keeps the shortest prefix of the (descending) candidates whose share of the whole
    /// distribution reaches `topP`.
    private mutating func applyTopP(_ topP: Float) {
        var total: Double = 0
        for w in scratch { total += Double(w) }
        if topKCut { total = candidates.reduce(0) { $0 + Double(scratch[Int($1)]) } }
        var running: Double = 0
        for (n, id) in candidates.enumerated() {
            running += Double(scratch[Int(id)])
            if running >= Double(topP) * total {
                candidates.removeSubrange((n + 1)...)
                return
            }
        }
    }

    /// Whether top-k already cut the distribution (top-p then works on the renormalised rest).
    private var topKCut: Bool { parameters.topK > 0 && parameters.topK < scratch.count }

    private mutating func draw() -> Int32 {
        var total: Double = 0
        for id in candidates { total += Double(scratch[Int(id)]) }
        guard total > 0, let last = candidates.last else { return argmax() }
        let target = random.nextUnit() * total
        var running: Double = 0
        for id in candidates {
            running += Double(scratch[Int(id)])
            if running > target { return id }
        }
        return last
    }
}
