import BraidRuntime
import BraidTransformer

/// A stand-in for a language model that "generates" recorded documents, one character per token.
///
/// Each query token's continuation is looked up by what the token can see: the text of the segments in
/// its view (its own segment up to and including itself). The first document that starts with that text
/// and is longer gives the next character; a document equal to it gives end-of-sequence; no match gives
/// end-of-sequence too. So a document list is a recording of every context a thread will be in — e.g. an
/// APR parent before its spawn block and again after the join — and the runtime must build exactly those
/// contexts (prompts, child prompts, join blocks) for the recording to play back.
final class ScriptedModel: RuntimeModel {
    static let eos: Int32 = 128
    let documents: [String]
    private let encoded: [[Int32]]
    private var contents: [Int: [Int32]] = [:]
    private var references: [Int: Int] = [:]
    private var views: [Int: [SegmentID]] = [:]
    private var nextID = 0
    /// Every batch the runtime sent, for checks on batching.
    private(set) var batches: [[QueryToken]] = []
    private(set) var peak = 0

    /// With a seed, the model babbles instead of replaying documents (see `babble(after:)`).
    private let babbleSeed: UInt64?

    init(documents: [String]) {
        self.documents = documents
        encoded = documents.map { $0.unicodeScalars.map { $0.value < 128 ? Int32($0.value) : 63 } }
        babbleSeed = nil
    }

    /// A model that babbles: every context gets a continuation drawn from a hash of the seed and the
    /// context, so runs differ by seed but never by scheduling; about one token in 16 ends the text.
    init(babbleSeed seed: UInt64) {
        documents = []
        encoded = []
        babbleSeed = seed
    }

    var vocabularySize: Int { 129 }
    var contextLength: Int { 1 << 16 }
    var beginOfSequence: Int32? { nil }

    func encode(_ text: String) -> [Int32] {
        text.unicodeScalars.map { $0.value < 128 ? Int32($0.value) : Int32(63) }
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

    /// Segments still holding tokens' KV (not freed).
    var liveSegments: Int { references.count }

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
        if count > 1 {
            references[segment.raw] = count - 1
        } else {
            references[segment.raw] = nil
            contents[segment.raw] = nil
        }
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
        batches.append(batch)
        var visible: [[Int32]] = []
        for query in batch {
            guard contents[query.segment.raw] != nil, let view = views[query.view.raw] else {
                throw KVError.unknownSegment(query.segment)
            }
            contents[query.segment.raw]?.append(query.token)
            visible.append(view.flatMap { contents[$0.raw] ?? [] })
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
            row[Int(next(after: visible[r]))] = 10
            values += row
        }
        return Logits(vocabSize: vocabularySize, batchIndices: rows, values: values)
    }

    /// The recorded continuation of the tokens `text`.
    func next(after text: [Int32]) -> Int32 {
        if let babbleSeed { return Self.babble(after: text, seed: babbleSeed) }
        for document in encoded where document.count >= text.count && document[..<text.count].elementsEqual(text) {
            return document.count > text.count ? document[text.count] : Self.eos
        }
        return Self.eos
    }

    /// The babbling continuation of `text`: a letter or space, or end-of-sequence.
    static func babble(after text: [Int32], seed: UInt64) -> Int32 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325 ^ seed
        for token in text {
            hash ^= UInt64(UInt32(bitPattern: token))
            hash = hash &* 0x100_0000_01b3
        }
        hash = (hash ^ (hash >> 29)) &* 0xBF58_476D_1CE4_E5B9
        hash ^= hash >> 32
        if hash % 16 == 0 { return eos }
        let alphabet = Array("abcdefgh ".unicodeScalars)
        return Int32(alphabet[Int((hash >> 8) % UInt64(alphabet.count))].value)
    }

    var kvUsage: KVUsage {
        let tokens = contents.values.reduce(0) { $0 + $1.count }
        return KVUsage(blocks: tokens, bytes: tokens, peakBytes: peak)
    }
}
