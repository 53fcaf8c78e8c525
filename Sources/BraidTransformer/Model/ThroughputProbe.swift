import Foundation

/// Measures the forward pass the way the project reports it: prefill tokens/s for one long
/// prompt, decode tokens/s for one thread, and aggregate decode tokens/s for many threads
/// sharing that prompt — each the median of several runs. `braid bench` and the performance
/// notes in `Docs/transformer.md` use it.
public struct ThroughputProbe: Sendable {
    /// One measurement setting.
    public var promptLength = 512
    /// Decode steps per run (each step is one token for every thread).
    public var decodeSteps = 32
    /// Thread counts to decode with, all sharing the prompt's KV.
    public var threadCounts = [1, 8]
    /// Runs per number (the median is reported).
    public var repeats = 5

    /// What was measured.
    public struct Report: Sendable, Codable {
        /// Prompt tokens per second of the prefill (median).
        public var prefillTokensPerSecond: Double
        /// For each thread count: aggregate generated tokens per second over all threads (median).
        public var decodeTokensPerSecond: [Int: Double]
        /// Peak resident memory of the process in bytes (`VmHWM`), when the OS reports it.
        public var peakResidentBytes: Int?
        /// The most KV bytes in use during the runs.
        public var peakKVBytes: Int
    }

    /// Creates a probe with the default settings.
    public init() {}

    /// Runs the measurements on `transformer` with arbitrary token ids (speed does not depend
    /// on which tokens are fed).
    public func run(on transformer: Transformer) throws -> Report {
        let vocab = Int32(transformer.config.vocabSize)
        let prompt = (0..<promptLength).map { Int32(($0 * 7919 + 13) % Int(vocab)) }
        var prefill: [Double] = []
        var decode: [Int: [Double]] = [:]
        var peakKV = 0
        for _ in 0..<repeats {
            let kv = transformer.makeKVStore()
            let p = try kv.makeSegment()
            let pv = try kv.makeView([p])
            let batch = prompt.enumerated().map { QueryToken(token: $1, position: $0, segment: p, view: pv) }
            let start = DispatchTime.now().uptimeNanoseconds
            _ = try transformer.forward(batch: batch, kv: kv, logitRows: .last)
            prefill.append(Double(promptLength) / seconds(since: start))
            for threads in threadCounts {
                let segments = try (0..<threads).map { _ in try kv.makeSegment() }
                let views = try segments.map { try kv.makeView([p, $0]) }
                var tokens = (0..<threads).map { Int32(($0 * 31 + 5) % Int(vocab)) }
                let begin = DispatchTime.now().uptimeNanoseconds
                for step in 0..<decodeSteps {
                    let batch = (0..<threads).map {
                        QueryToken(token: tokens[$0], position: promptLength + step, segment: segments[$0], view: views[$0])
                    }
                    let logits = try transformer.forward(batch: batch, kv: kv, logitRows: .all)
                    tokens = (0..<threads).map { logits.argmax(row: $0) }
                }
                decode[threads, default: []].append(Double(threads * decodeSteps) / seconds(since: begin))
                peakKV = max(peakKV, kv.peakBytes)
                for v in views { try kv.releaseView(v) }
                for s in segments { try kv.release(s) }
            }
        }
        return Report(prefillTokensPerSecond: median(prefill),
                      decodeTokensPerSecond: decode.mapValues(median),
                      peakResidentBytes: Self.peakResidentBytes(), peakKVBytes: peakKV)
    }

    /// `VmHWM` from `/proc/self/status` (Linux), in bytes.
    public static func peakResidentBytes() -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
        for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            let digits = line.filter(\.isNumber)
            return Int(digits).map { $0 * 1024 }
        }
        return nil
    }

    private func seconds(since start: UInt64) -> Double {
        Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }

    private func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return 0 }
        let mid = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
    }
}
