import BraidRuntime
import BraidTransformer
import Foundation

/// The real default model, loaded once per test process.
enum RealModel {
    struct Missing: Error, CustomStringConvertible {
        let description: String
    }

    nonisolated(unsafe) static let loaded: Result<(Transformer, Tokenizer), Error> = Result {
        let url = ModelCache.defaultModel
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw Missing(description: "model file \(url.path) is missing: run scripts/fetch-model.sh (or set BRAID_MODELS)")
        }
        let file = try GGUFFile(contentsOf: url)
        return (Transformer(weights: try Weights(source: file), threads: 1), try Tokenizer(gguf: file))
    }

    /// A fresh model (own KV store) over the shared weights.
    static func model() throws -> TransformerModel {
        let (transformer, tokenizer) = try loaded.get()
        return TransformerModel(transformer: transformer, tokenizer: tokenizer)
    }
}

/// Wraps a model and records, for every token it is given, the full row of logits the model computed for
/// it (the runtime itself only asks for the rows it samples from).
final class RecordingModel: RuntimeModel {
    let inner: RuntimeModel
    /// Per token written, in order: token, position and its logits.
    private(set) var rows: [(token: Int32, position: Int, logits: [Float])] = []

    init(_ inner: RuntimeModel) { self.inner = inner }

    var vocabularySize: Int { inner.vocabularySize }
    var contextLength: Int { inner.contextLength }
    var beginOfSequence: Int32? { inner.beginOfSequence }
    func encode(_ text: String) -> [Int32] { inner.encode(text) }
    func makeTextDecoder() -> any TokenTextDecoder { inner.makeTextDecoder() }
    func isEndOfGeneration(_ token: Int32) -> Bool { inner.isEndOfGeneration(token) }
    func chatPrompt(_ messages: [(role: String, content: String)], continueLast: Bool) throws -> String {
        try inner.chatPrompt(messages, continueLast: continueLast)
    }
    func makeSegment(thought: Int) throws -> SegmentID { try inner.makeSegment(thought: thought) }
    func retain(_ segment: SegmentID) throws { try inner.retain(segment) }
    func release(_ segment: SegmentID) throws { try inner.release(segment) }
    func truncate(_ segment: SegmentID, to length: Int) throws { try inner.truncate(segment, to: length) }
    func makeView(_ segments: [SegmentID]) throws -> ViewID { try inner.makeView(segments) }
    func releaseView(_ view: ViewID) throws { try inner.releaseView(view) }
    var kvUsage: KVUsage { inner.kvUsage }

    func forward(_ batch: [QueryToken], logitRows: LogitRows) throws -> Logits {
        let all = try inner.forward(batch, logitRows: .all)
        for (i, query) in batch.enumerated() {
            rows.append((query.token, query.position, Array(all.row(i))))
        }
        let wanted: [Int]
        switch logitRows {
        case .none: wanted = []
        case .last: wanted = batch.isEmpty ? [] : [batch.count - 1]
        case .all: wanted = Array(batch.indices)
        case .rows(let list): wanted = list
        }
        return Logits(vocabSize: all.vocabSize, batchIndices: wanted, values: wanted.flatMap { Array(all.row($0)) })
    }
}
