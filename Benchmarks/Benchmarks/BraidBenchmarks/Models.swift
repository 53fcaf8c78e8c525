import BraidTransformer
import Foundation

/// The model files the benchmarks run on, and the repository they live in.
enum BenchModels {
    /// The repository root (this file is Benchmarks/Benchmarks/BraidBenchmarks/Models.swift).
    static let repository = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    /// SmolLM2-135M-Instruct Q4_1 (`make model`).
    static var smolLM2: URL { ModelCache.defaultModel }

    /// The random 1.5B Qwen2-shaped files of `scripts/write-random-qwen2.py`, when written
    /// (`random-qwen2-1.5b.Q4_K_M.gguf`, `random-qwen2-1.5b.Q8_0.gguf` in the model cache).
    static func qwen2(_ style: String) -> URL? {
        let url = ModelCache.directory.appendingPathComponent("random-qwen2-1.5b.\(style).gguf")
        return FileManager.default.fileExists(atPath: url.path) ? url : nil
    }

    /// Compute threads: `BRAID_THREADS`, else one per core (the library's default).
    static var threads: Int? { ProcessInfo.processInfo.environment["BRAID_THREADS"].flatMap(Int.init) }

    /// A transformer on `url` (mapped, not copied: loading takes milliseconds).
    static func transformer(_ url: URL) throws -> Transformer {
        try Transformer(contentsOf: url, threads: threads)
    }

    /// Token ids spread over the vocabulary (speed does not depend on which ids are fed).
    static func token(_ i: Int, vocabulary: Int) -> Int32 { Int32((i &* 7919 &+ 13) % vocabulary) }
}

/// A prompt prefilled once, and `streams` segments that each see it: one decode step feeds one
/// token to every stream, then the streams are truncated back so every step sees the same context.
final class SharedPromptDecoder {
    let transformer: Transformer
    let kv: KVStore
    let promptLength: Int
    private let batch: [QueryToken]
    private let segments: [SegmentID]

    init(_ transformer: Transformer, promptLength: Int, streams: Int) throws {
        let kv = transformer.makeKVStore()
        let vocabulary = transformer.config.vocabSize
        let prompt = try kv.makeSegment()
        let promptView = try kv.makeView([prompt])
        _ = try transformer.forward(batch: (0..<promptLength).map {
            QueryToken(token: BenchModels.token($0, vocabulary: vocabulary), position: $0, segment: prompt, view: promptView)
        }, kv: kv, logitRows: .none)
        let segments = try (0..<streams).map { _ in try kv.makeSegment() }
        var batch: [QueryToken] = []
        for (i, s) in segments.enumerated() {
            batch.append(QueryToken(token: BenchModels.token(promptLength + i, vocabulary: vocabulary),
                                    position: promptLength, segment: s, view: try kv.makeView([prompt, s])))
        }
        self.transformer = transformer
        self.promptLength = promptLength
        self.kv = kv
        self.segments = segments
        self.batch = batch
    }

    /// One decode step for every stream (logits for every row, as sampling needs).
    func step() throws -> Logits {
        let logits = try transformer.forward(batch: batch, kv: kv, logitRows: .all)
        for s in segments { try kv.truncate(s, to: 0) }
        return logits
    }
}
