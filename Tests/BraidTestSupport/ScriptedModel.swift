import BraidRandom
import BraidRuntime
import BraidTransformer

/// A stand-in for a language model that "generates" recorded documents, one character per token; shared by
/// the runtime and eval tests (BraidTestSupport).
///
/// Each query token's continuation is looked up by what the token can see: the text of the segments in
/// its view (its own segment up to and including itself). The first document that starts with that text
/// and is longer gives the next character; a document equal to it gives end-of-sequence; no match gives
/// end-of-sequence too. So a document list is a recording of every context a thread will be in — e.g. an
/// APR parent before its spawn block and again after the join — and the runtime must build exactly those
/// contexts (prompts, child prompts, join blocks) for the recording to play back.
public final class ScriptedModel: RuntimeModel {
    /// The end-of-sequence token.
    public static let eos: Int32 = 128
    /// The recorded documents (empty when babbling).
    public let documents: [String]
    private let encoded: [[Int32]]
    private var contents: [Int: [Int32]] = [:]
    private var references: [Int: Int] = [:]
    private var views: [Int: [SegmentID]] = [:]
    private var nextID = 0
    /// Every batch the runtime sent, for checks on batching.
    public private(set) var batches: [[QueryToken]] = []
    /// Most tokens held at once.
    public private(set) var peak = 0

    /// With a seed, the model babbles instead of replaying documents (see `babble(after:)`).
    private let babbleSeed: UInt64?
    /// When set, the next character is this function of the visible text (nil ends generation).
    private let continuation: (@Sendable (String) -> Character?)?

    /// A model that plays back `documents`.
    public init(documents: [String]) {
        self.documents = documents
        encoded = documents.map { $0.unicodeScalars.map { $0.value < 128 ? Int32($0.value) : 63 } }
        babbleSeed = nil
        continuation = nil
    }

    /// A model whose next character is `next(visibleText)`, the text a query token can see (its view's
    /// segments, itself included); nil ends generation.
    public init(next: @escaping @Sendable (String) -> Character?) {
        documents = []
        encoded = []
        babbleSeed = nil
        continuation = next
    }

    /// A model that babbles: every context gets a continuation drawn from a hash of the seed and the
    /// context, so runs differ by seed but never by scheduling; about one token in 16 ends the text.
    public init(babbleSeed seed: UInt64) {
        documents = []
        encoded = []
        babbleSeed = seed
        continuation = nil
    }

    public var vocabularySize: Int { 129 }
    public var contextLength: Int { 1 << 16 }
    public var beginOfSequence: Int32? { nil }

    public func encode(_ text: String) -> [Int32] {
        text.unicodeScalars.map { $0.value < 128 ? Int32($0.value) : Int32(63) }
    }

    /// One ASCII character per token.
    public struct Decoder: TokenTextDecoder {
        public mutating func feed(_ token: Int32) -> String {
            token >= 0 && token < 128 ? String(UnicodeScalar(UInt8(token))) : ""
        }
    }

    public func makeTextDecoder() -> any TokenTextDecoder { Decoder() }
    public func isEndOfGeneration(_ token: Int32) -> Bool { token == Self.eos }

    public func chatPrompt(_ messages: [(role: String, content: String)], continueLast: Bool) throws -> String {
        messages.map { "[\($0.role)] \($0.content)\n" }.joined() + (continueLast ? "" : "[assistant] ")
    }

    /// Segments still holding tokens' KV (not freed).
    public var liveSegments: Int { references.count }

    public func makeSegment(thought: Int) throws -> SegmentID {
        let id = SegmentID(raw: nextID)
        nextID += 1
        contents[id.raw] = []
        references[id.raw] = 1
        return id
    }

    public func retain(_ segment: SegmentID) throws {
        guard references[segment.raw] != nil else { throw KVError.unknownSegment(segment) }
        references[segment.raw, default: 0] += 1
    }

    public func release(_ segment: SegmentID) throws {
        guard let count = references[segment.raw] else { throw KVError.unknownSegment(segment) }
        if count > 1 {
            references[segment.raw] = count - 1
        } else {
            references[segment.raw] = nil
            contents[segment.raw] = nil
        }
    }

    public func truncate(_ segment: SegmentID, to length: Int) throws {
        guard let tokens = contents[segment.raw], length <= tokens.count else { throw KVError.unknownSegment(segment) }
        contents[segment.raw] = Array(tokens.prefix(length))
    }

    public func makeView(_ segments: [SegmentID]) throws -> ViewID {
        for s in segments { try retain(s) }
        let id = ViewID(raw: nextID)
        nextID += 1
        views[id.raw] = segments
        return id
    }

    public func releaseView(_ view: ViewID) throws {
        guard let list = views.removeValue(forKey: view.raw) else { throw KVError.unknownView(view) }
        for s in list { try release(s) }
    }

    public func forward(_ batch: [QueryToken], logitRows: LogitRows) throws -> Logits {
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
    public func next(after text: [Int32]) -> Int32 {
        if let babbleSeed { return Self.babble(after: text, seed: babbleSeed) }
        if let continuation {
            let visible = String(decoding: text.compactMap { $0 >= 0 && $0 < 128 ? UInt8($0) : nil }, as: UTF8.self)
            guard let character = continuation(visible), let ascii = character.asciiValue else { return Self.eos }
            return Int32(ascii)
        }
        for document in encoded where document.count >= text.count && document[..<text.count].elementsEqual(text) {
            return document.count > text.count ? document[text.count] : Self.eos
        }
        return Self.eos
    }

    /// The babbling continuation of `text`: a letter or space, or end-of-sequence.
    public static func babble(after text: [Int32], seed: UInt64) -> Int32 {
        let hash = stableHash(String(decoding: text.map { UInt8(truncatingIfNeeded: $0) }, as: UTF8.self), salt: seed)
        if hash % 16 == 0 { return eos }
        let alphabet = Array("abcdefgh ".unicodeScalars)
        return Int32(alphabet[Int((hash >> 8) % UInt64(alphabet.count))].value)
    }

    public var kvUsage: KVUsage {
        let tokens = contents.values.reduce(0) { $0 + $1.count }
        return KVUsage(blocks: tokens, bytes: tokens, peakBytes: peak)
    }
}
