import Benchmark
import BraidGraph
import BraidRuntime
import BraidTransformer
import Foundation

/// Prefill, decode with 1–16 streams sharing a prompt, ParaThinker P = 1…16 with fixed budgets
/// (attend against reprefill), and the 1.5B Qwen2-shaped model. Every benchmark records wall
/// clock, CPU time and peak resident memory; `swift package benchmark` prints percentiles.
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .cpuTotal, .throughput, .peakMemoryResident, .mallocCountTotal],
        warmupIterations: 1, scalingFactor: .one, maxDuration: .seconds(20), maxIterations: 20)

    for length in [128, 512] {
        Benchmark("prefill \(length) tokens (SmolLM2 Q4_1)") { benchmark in
            let t = try BenchModels.transformer(BenchModels.smolLM2)
            let vocabulary = t.config.vocabSize
            for _ in benchmark.scaledIterations {
                let kv = t.makeKVStore()
                let s = try kv.makeSegment()
                let v = try kv.makeView([s])
                let batch = (0..<length).map {
                    QueryToken(token: BenchModels.token($0, vocabulary: vocabulary), position: $0, segment: s, view: v)
                }
                benchmark.startMeasurement()
                blackHole(try t.forward(batch: batch, kv: kv, logitRows: .last))
                benchmark.stopMeasurement()
            }
        }
    }

    for streams in [1, 2, 4, 8, 16] {
        Benchmark("decode step, \(streams) streams after a shared 512-token prompt (SmolLM2 Q4_1)",
                  configuration: .init(maxIterations: 200)) { benchmark in
            let decoder = try SharedPromptDecoder(try BenchModels.transformer(BenchModels.smolLM2),
                                                  promptLength: 512, streams: streams)
            _ = try decoder.step()
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations { blackHole(try decoder.step()) }
            benchmark.stopMeasurement()
        }
    }

    for style in ["Q4_K_M", "Q8_0"] {
        guard let url = BenchModels.qwen2(style) else { continue }
        Benchmark("decode step, 1 stream after 128 tokens (random Qwen2 1.5B \(style))",
                  configuration: .init(maxDuration: .seconds(30), maxIterations: 30)) { benchmark in
            let decoder = try SharedPromptDecoder(try BenchModels.transformer(url), promptLength: 128, streams: 1)
            _ = try decoder.step()
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations { blackHole(try decoder.step()) }
            benchmark.stopMeasurement()
        }
    }

    let graph = BenchModels.repository.appendingPathComponent("Graphs/parathinker.yaml").path
    for paths in [1, 2, 4, 8, 16] {
        for recompute in [false, true] {
            let variant = recompute ? "reprefill" : "attend"
            Benchmark("ParaThinker P=\(paths), 64 tokens a path, \(variant) (SmolLM2 Q4_1)",
                      configuration: .init(maxDuration: .seconds(60), maxIterations: 3)) { benchmark in
                let session = try BraidSession(model: BenchModels.smolLM2, threads: BenchModels.threads)
                let g = try GraphLoader.load(path: graph, overrides: [
                    "paths": String(paths), "finish": "all", "path_tokens": "64", "summary_tokens": "32"])
                let options = RunOptions(inputs: ["question": "What is 12*13?"], seed: 0,
                                         recomputeMergedKV: recompute, fixedBudgets: true)
                for _ in benchmark.scaledIterations {
                    blackHole(try session.run(graph: g, options: options) { _ in })
                }
            }
        }
    }
}
