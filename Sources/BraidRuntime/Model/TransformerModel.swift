import BraidTransformer
import Foundation

/// The real model: Braid's transformer with its paged KV store and the GGUF file's tokenizer.
public final class TransformerModel: RuntimeModel {
    /// The transformer.
    public let transformer: Transformer
    /// The tokenizer.
    public let tokenizer: Tokenizer
    /// The KV store every segment of a run lives in.
    public let kv: KVStore

    /// Wraps a loaded transformer and tokenizer with a fresh KV store.
    /// - Parameter kvByteLimit: the most KV bytes the run may hold at once (`--memory-limit`); nil: no limit.
    public init(transformer: Transformer, tokenizer: Tokenizer, kvByteLimit: Int? = nil) {
        self.transformer = transformer
        self.tokenizer = tokenizer
        kv = transformer.makeKVStore(blockTokens: 16, byteLimit: kvByteLimit)
    }

    public var vocabularySize: Int { transformer.config.vocabSize }
    public var contextLength: Int { transformer.config.contextLength }
    public var beginOfSequence: Int32? { tokenizer.addsBOS ? tokenizer.bosID : nil }

    public func encode(_ text: String) -> [Int32] {
        var ids = tokenizer.encode(text)
        if tokenizer.addsBOS, let bos = tokenizer.bosID, ids.first == bos { ids.removeFirst() }
        return ids
    }

    public func makeTextDecoder() -> any TokenTextDecoder { StreamingDecoder(tokenizer: tokenizer) }
    public func isEndOfGeneration(_ token: Int32) -> Bool { tokenizer.isEndOfGeneration(token) }

    public func chatPrompt(_ messages: [(role: String, content: String)], continueLast: Bool) throws -> String {
        try Self.chatPrompt(messages, continueLast: continueLast, tokenizer: tokenizer)
    }

    /// Chat messages as `tokenizer`'s chat format writes them: with the generation prompt after them, or with the
    /// last (assistant) message left open when `continueLast`. The one rendering of a chat prompt, also used by the
    /// serving executor, which sends this text to a server.
    public static func chatPrompt(_ messages: [(role: String, content: String)], continueLast: Bool,
                                  tokenizer: Tokenizer) throws -> String {
        guard continueLast, let last = messages.last else {
            return try tokenizer.applyChatTemplate(messages: messages, addGenerationPrompt: true)
        }
        let head = try tokenizer.applyChatTemplate(messages: Array(messages.dropLast()), addGenerationPrompt: false)
        return head + "<|im_start|>\(last.role)\n\(last.content)"
    }

    public func makeSegment(thought: Int) throws -> SegmentID { try kv.makeSegment(thought: thought) }
    public func retain(_ segment: SegmentID) throws { try kv.retain(segment) }
    public func release(_ segment: SegmentID) throws { try kv.release(segment) }
    public func truncate(_ segment: SegmentID, to length: Int) throws { try kv.truncate(segment, to: length) }
    public func makeView(_ segments: [SegmentID]) throws -> ViewID { try kv.makeView(segments) }
    public func releaseView(_ view: ViewID) throws { try kv.releaseView(view) }

    public func forward(_ batch: [QueryToken], logitRows: LogitRows) throws -> Logits {
        try transformer.forward(batch: batch, kv: kv, logitRows: logitRows)
    }

    public var kvUsage: KVUsage { KVUsage(blocks: kv.blocksInUse, bytes: kv.bytesInUse, peakBytes: kv.peakBytes) }
}
