import Foundation
import Testing
@testable import BraidTransformer

/// Throughput of SmolLM2 on this machine. Not a check (timings are not reproducible enough to
/// assert), so it runs only when asked: `BRAID_BENCH=1 swift test -c release … --filter ReferenceThroughput`.
/// `BRAID_THREADS` picks the compute threads (default 1).
@Suite struct ReferenceThroughput {
    @Test(.enabled(if: ProcessInfo.processInfo.environment["BRAID_BENCH"] == "1"))
    func measure() throws {
        let env = ProcessInfo.processInfo.environment
        let threads = env["BRAID_THREADS"].flatMap(Int.init) ?? 1
        let t = Transformer(weights: try RealModel.weights.get(), threads: threads)
        var probe = ThroughputProbe()
        probe.repeats = env["BRAID_BENCH_REPEATS"].flatMap(Int.init) ?? 5
        let r = try probe.run(on: t)
        print(String(format: "threads %d: prefill(%d) %.1f tok/s; decode 1 thread %.1f tok/s; 8 threads %.1f tok/s aggregate; peak RSS %.0f MiB; peak KV %.1f MiB",
                     threads, probe.promptLength, r.prefillTokensPerSecond, r.decodeTokensPerSecond[1] ?? 0,
                     r.decodeTokensPerSecond[8] ?? 0, Double(r.peakResidentBytes ?? 0) / 1_048_576,
                     Double(r.peakKVBytes) / 1_048_576))
    }
}
