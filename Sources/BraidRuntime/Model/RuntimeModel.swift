import BraidTransformer

/// What the runtime needs from a language model: text ↔ tokens, a paged KV cache with segments and views,
/// and a masked, batched forward pass.
///
/// `TransformerModel` is the real implementation (Braid's transformer on a GGUF file). The protocol exists
/// so that the scheduler's logic — forks, merges, spawn/join, termination — can be tested with a scripted
/// stand-in that emits recorded text, without a model that was trained to produce it.
public protocol RuntimeModel: AnyObject {
    /// Number of entries in a row of logits.
    var vocabularySize: Int { get }
    /// The largest position + 1 the model supports.
    var contextLength: Int { get }
    /// Token prepended to a fresh sequence (a root prompt, an isolated child), if the model wants one.
    var beginOfSequence: Int32? { get }

    /// Tokens of `text` (special tokens written in the text are recognised), without any BOS.
    func encode(_ text: String) -> [Int32]
    /// A decoder that turns this model's tokens into text incrementally.
    func makeTextDecoder() -> any TokenTextDecoder
    /// Whether `token` ends generation (end of sequence / end of turn).
    func isEndOfGeneration(_ token: Int32) -> Bool
    /// The prompt text of a conversation in the model's chat format. When `continueLast` is true the last
    /// message's turn is left open (the model continues it); otherwise an assistant turn is opened.
    func chatPrompt(_ messages: [(role: String, content: String)], continueLast: Bool) throws -> String

    /// Makes an empty KV segment whose tokens carry thought index `thought`; the caller holds one reference.
    func makeSegment(thought: Int) throws -> SegmentID
    /// Adds a reference to a segment.
    func retain(_ segment: SegmentID) throws
    /// Drops a reference; the last one frees the segment's blocks.
    func release(_ segment: SegmentID) throws
    /// Drops every token of a segment past `length`.
    func truncate(_ segment: SegmentID, to length: Int) throws
    /// Registers the ordered segments a query token attends to (its own segment last).
    func makeView(_ segments: [SegmentID]) throws -> ViewID
    /// Forgets a view.
    func releaseView(_ view: ViewID) throws
    /// Runs a batch through the model, appending every token's K/V to its segment.
    func forward(_ batch: [QueryToken], logitRows: LogitRows) throws -> Logits
    /// KV blocks and bytes in use now.
    var kvUsage: KVUsage { get }
}

/// KV cache occupancy at one moment.
public struct KVUsage: Sendable, Equatable, Codable {
    /// Blocks referenced by some segment.
    public var blocks: Int
    /// Bytes of those blocks.
    public var bytes: Int
    /// The most bytes in use at any moment so far.
    public var peakBytes: Int

    /// Creates a usage record.
    public init(blocks: Int, bytes: Int, peakBytes: Int) {
        self.blocks = blocks
        self.bytes = bytes
        self.peakBytes = peakBytes
    }
}

/// Turns a stream of token ids into text without cutting a UTF-8 character in two.
public protocol TokenTextDecoder {
    /// Adds one token and returns the text it completes (possibly empty).
    mutating func feed(_ token: Int32) -> String
}

extension StreamingDecoder: TokenTextDecoder {}
