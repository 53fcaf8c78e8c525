import Foundation
import Testing
import CBraidKernels
@testable import BraidTransformer

/// Token selection: greedy, filters, penalty, and per-thread reproducibility.
@Suite struct SamplingTests {
    let logits: [Float] = [1.0, 3.0, 2.5, -1.0, 0.5, 2.9, -3.0, 0.0]

    func softmax(_ l: [Float], temperature: Float = 1) -> [Double] {
        let m = l.max() ?? 0
        let e = l.map { exp(Double(($0 - m) / temperature)) }
        let z = e.reduce(0, +)
        return e.map { $0 / z }
    }

    func histogram(_ parameters: SamplingParameters, draws: Int = 20_000, seed: UInt64 = 1) -> [Double] {
        var sampler = Sampler(parameters: parameters, seed: seed)
        var counts = [Double](repeating: 0, count: logits.count)
        for _ in 0..<draws { counts[Int(sampler.sample(logits))] += 1 }
        return counts.map { $0 / Double(draws) }
    }

    @Test("greedy picks the largest logit")
    func greedy() {
        var sampler = Sampler()
        #expect(sampler.sample(logits) == 1)
    }

    @Test("temperature sampling follows softmax(logits / T)")
    func temperatureDistribution() {
        let expected = softmax(logits, temperature: 0.7)
        let observed = histogram(SamplingParameters(temperature: 0.7))
        // 20k draws: the standard error of each frequency is below 0.0036.
        for i in logits.indices { #expect(abs(observed[i] - expected[i]) < 0.015, "token \(i)") }
    }

    @Test("top-k keeps only the k most likely tokens, renormalised")
    func topK() {
        let observed = histogram(SamplingParameters(temperature: 1, topK: 2))
        let p = softmax([3.0, 2.9])
        #expect(abs(observed[1] - p[0]) < 0.015)
        #expect(abs(observed[5] - p[1]) < 0.015)
        #expect(observed[2] == 0 && observed[0] == 0)
    }

    @Test("top-p keeps the smallest prefix reaching p")
    func topP() {
        let p = softmax(logits)
        // Sorted: 1 (3.0), 5 (2.9), 2 (2.5), …; choose p between the 2- and 3-token masses.
        let two = p[1] + p[5], three = two + p[2]
        let observed = histogram(SamplingParameters(temperature: 1, topP: Float((two + three) / 2)))
        for i in logits.indices where ![1, 5, 2].contains(i) { #expect(observed[i] == 0, "token \(i)") }
        #expect(observed[2] > 0.1)
        var sampler = Sampler(parameters: SamplingParameters(temperature: 1, topP: 0.01), seed: 3)
        for _ in 0..<100 { #expect(sampler.sample(logits) == 1) }
    }

    @Test("min-p drops tokens below min-p × the best probability")
    func minP() {
        let p = softmax(logits)
        let observed = histogram(SamplingParameters(temperature: 1, minP: 0.5))
        for i in logits.indices where p[i] < 0.5 * p[1] { #expect(observed[i] == 0, "token \(i)") }
        #expect(observed[2] > 0)
    }

    @Test("repetition penalty divides positive and multiplies negative logits of seen tokens")
    func repetitionPenalty() {
        var sampler = Sampler(parameters: SamplingParameters(repetitionPenalty: 1.5))
        #expect(sampler.sample(logits, history: [1]) == 5)  // 3.0/1.5 = 2.0 < 2.9
        #expect(sampler.sample(logits, history: [1, 5]) == 2)  // 2.9/1.5 < 2.5
        var windowed = Sampler(parameters: SamplingParameters(repetitionPenalty: 1.5, penaltyWindow: 1))
        #expect(windowed.sample(logits, history: [1, 5]) == 1, "token 1 is outside the window")
    }

    @Test("a thread's draws depend only on its own seed and logits")
    func perThreadReproducible() {
        let params = SamplingParameters(temperature: 1.2, topK: 5)
        var alone = Sampler(parameters: params, seed: 11)
        let soloDraws = (0..<200).map { _ in alone.sample(logits) }
        // Interleave with other threads' samplers, as a batch scheduler would.
        var mine = Sampler(parameters: params, seed: 11)
        var others = (0..<3).map { Sampler(parameters: params, seed: UInt64(100 + $0)) }
        var mixed: [Int32] = []
        for _ in 0..<200 {
            for k in others.indices { _ = others[k].sample(logits.reversed()) }
            mixed.append(mine.sample(logits))
        }
        #expect(mixed == soloDraws)
        var different = Sampler(parameters: params, seed: 12)
        #expect((0..<200).map { _ in different.sample(logits) } != soloDraws)
    }

    @Test("parameters outside their ranges are reported")
    func validation() {
        #expect(SamplingParameters(topP: 0).problem() == "top-p must be in (0, 1], is 0.0")
        #expect(SamplingParameters(topK: -1).problem() == "top-k must be ≥ 0, is -1")
        #expect(SamplingParameters(minP: 2).problem() == "min-p must be in [0, 1], is 2.0")
        #expect(SamplingParameters(repetitionPenalty: 0).problem() == "repetition penalty must be > 0, is 0.0")
        #expect(SamplingParameters(temperature: .nan).problem() == "temperature must be finite")
        #expect(SamplingParameters(temperature: 0.8, topK: 40, topP: 0.9).problem() == nil)
    }
    /// A vocabulary of 1,000 (four 256-token chunks): most of the mass on tokens at and around chunk
    /// boundaries, the rest spread thin, as in a real row.
    var wideLogits: [Float] {
        var l = (0..<1000).map { Float(($0 * 37) % 101) / 101 - 4 }
        for (id, value) in [(0, 1.5), (255, 2.0), (256, 1.0), (511, 0.5), (700, 2.2), (999, 1.2)] { l[id] = Float(value) }
        return l
    }

    @Test("an unfiltered draw over many chunks follows softmax(logits / T) token by token")
    func wideTemperatureDistribution() {
        let l = wideLogits
        let expected = softmax(l, temperature: 0.8)
        var sampler = Sampler(parameters: SamplingParameters(temperature: 0.8), seed: 5)
        var counts = [Double](repeating: 0, count: l.count)
        let draws = 40_000
        for _ in 0..<draws { counts[Int(sampler.sample(l))] += 1 }
        // Each frequency's standard error is at most 0.0025 (p = 0.25); 0.012 is about five of them.
        for i in l.indices { #expect(abs(counts[i] / Double(draws) - expected[i]) < 0.012, "token \(i)") }
        // The thin tail (994 tokens) is drawn too, at its total mass.
        let heavy: Set = [0, 255, 256, 511, 700, 999]
        let tail = l.indices.filter { !heavy.contains($0) }
        let observedTail = tail.reduce(0) { $0 + counts[$1] } / Double(draws)
        #expect(abs(observedTail - tail.reduce(0) { $0 + expected[$1] }) < 0.012)
    }

    @Test("sampling weights are e^(l/T − max) to 1e-6 and the chunk sums add them up")
    func samplingWeights() {
        var w = wideLogits
        var chunks = [Double](repeating: 0, count: 4)
        let total = braid_sampling_weights(&w, w.count, 0.8, &chunks)
        let top = wideLogits.map { Double($0 / 0.8) }.max() ?? 0
        for (i, l) in wideLogits.enumerated() {
            let exact = exp(Double(l / 0.8) - top)
            #expect(abs(Double(w[i]) - exact) <= 1e-6 * exact, "token \(i)")
        }
        for c in 0..<4 {
            let exact = w[(c * 256)..<min(1000, c * 256 + 256)].reduce(0) { $0 + Double($1) }
            #expect(abs(chunks[c] - exact) <= 1e-5 * exact, "chunk \(c)")
        }
        #expect(abs(total - chunks.reduce(0, +)) <= 1e-12 * total)
    }

    @Test("argmax takes the first of equal largest values and never a NaN")
    func argmaxTiesAndNaN() {
        var l = [Float](repeating: -1, count: 40)
        l[7] = 3; l[33] = 3; l[2] = .nan
        #expect(braid_argmax(l, l.count) == 7)
        var greedy = Sampler()
        #expect(greedy.sample(l) == 7)
        #expect(braid_argmax([Float.nan, .nan], 2) == 0)
        #expect(braid_argmax([Float](), 0) == 0)
    }
}
