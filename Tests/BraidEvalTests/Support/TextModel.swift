import BraidRuntime
import BraidTransformer

/// A stand-in for a language model whose next character is a function of the text a query token can see
/// (its view's segments, itself included), one ASCII character per token; nil ends generation.
///
/// Enough to drive the real scheduler through forks, merges and spawn/join with known text, so the eval
/// harness and the trace viewer are tested on real traces without model weights.
final class TextModel: RuntimeModel {
    static let eos: Int32 = 128
    private let next: (String) -> Character?
    private var contents: [Int: [Int32]] = [:]
    private var references: [Int: Int] = [:]
    private var views: [Int: [SegmentID]] = [:]
    private var nextID = 0
    private var peak = 0

    /// A model continuing with `next(visibleText)`.
    init(next: @escaping (String) -> Character?) { self.next = next }

    /// A model that plays back recorded documents: the first document that extends the visible text gives
    /// the next character; none (or an exact match) ends generation.
    convenience init(documents: [String]) {
        self.init { text in
            for document in documents where document.hasPrefix(text) && document.count > text.count {
                return document[document.index(document.startIndex, offsetBy: text.count)]
            }
            return nil
        }
    }

    var vocabularySize: Int { 129 }
    var contextLength: Int { 1 << 16 }
    var beginOfSequence: Int32? { nil }

    func encode(_ text: String) -> [Int32] {
        text.unicodeScalars.map { $0.value < 128 ? Int32($0.value) : 63 }
    }

    struct Decoder: TokenTextDecoder {
        mutating func feed(_ token: Int32) -> String {
            token >= 0 && token < 128 ? String(UnicodeScalar(UInt8(token))) : ""
        }
    }

    func makeTextDecoder() -> any TokenTextDecoder { Decoder() }
    func isEndOfGeneration(_ token: Int32) -> Bool { token == Self.eos }

    func chatPrompt(_ messages: [(role: String, content: String)], continueLast: Bool) throws -> String {
        messages.map { "[\($0.role)] \($0.content)\n" }.joined() + (continueLast ? "" : "[assistant] ")
    }

    func makeSegment(thought: Int) throws -> SegmentID {
        let id = SegmentID(raw: nextID)
        nextID += 1
        contents[id.raw] = []
        references[id.raw] = 1
        return id
    }

    func retain(_ segment: SegmentID) throws {
        guard references[segment.raw] != nil else { throw KVError.unknownSegment(segment) }
        references[segment.raw, default: 0] += 1
    }

    func release(_ segment: SegmentID) throws {
        guard let count = references[segment.raw] else { throw KVError.unknownSegment(segment) }
        references[segment.raw] = count > 1 ? count - 1 : nil
        if count == 1 { contents[segment.raw] = nil }
    }

    func truncate(_ segment: SegmentID, to length: Int) throws {
        guard let tokens = contents[segment.raw], length <= tokens.count else { throw KVError.unknownSegment(segment) }
        contents[segment.raw] = Array(tokens.prefix(length))
    }

    func makeView(_ segments: [SegmentID]) throws -> ViewID {
        for s in segments { try retain(s) }
        let id = ViewID(raw: nextID)
        nextID += 1
        views[id.raw] = segments
        return id
    }

    func releaseView(_ view: ViewID) throws {
        guard let list = views.removeValue(forKey: view.raw) else { throw KVError.unknownView(view) }
        for s in list { try release(s) }
    }

    func forward(_ batch: [QueryToken], logitRows: LogitRows) throws -> Logits {
        var visible: [String] = []
        for query in batch {
            guard contents[query.segment.raw] != nil, let view = views[query.view.raw] else {
                throw KVError.unknownSegment(query.segment)
            }
            contents[query.segment.raw]?.append(query.token)
            let tokens = view.flatMap { contents[$0.raw] ?? [] }
            visible.append(String(String.UnicodeScalarView(tokens.compactMap { UnicodeScalar(UInt32($0)) })))
        }
        peak = max(peak, contents.values.reduce(0) { $0 + $1.count })
        let rows: [Int]
        switch logitRows {
        case .none: rows = []
        case .last: rows = batch.isEmpty ? [] : [batch.count - 1]
        case .all: rows = Array(batch.indices)
        case .rows(let list): rows = list
        }
        var values: [Float] = []
        for r in rows {
            var row = [Float](repeating: 0, count: vocabularySize)
            let token = next(visible[r]).flatMap { $0.asciiValue.map(Int32.init) } ?? Self.eos
            row[Int(token)] = 10
            values += row
        }
        return Logits(vocabSize: vocabularySize, batchIndices: rows, values: values)
    }

    var kvUsage: KVUsage {
        let tokens = contents.values.reduce(0) { $0 + $1.count }
        return KVUsage(blocks: tokens, bytes: tokens * 64, peakBytes: peak * 64)
    }
}
