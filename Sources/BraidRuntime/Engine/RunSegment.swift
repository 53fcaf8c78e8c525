import BraidTransformer

/// One KV segment the run writes: its name (the plan's segment id), the model's KV handle, where it starts
/// in position space, and the tokens and text written so far.
///
/// A class because threads, forks and merges all refer to the same segment while it grows.
final class RunSegment {
    /// The plan-style segment id (`prompt`, `think[0]`, `summary`, `search#0.join`).
    let name: String
    /// The model's KV segment.
    let kv: SegmentID
    /// The index of the thread that writes it.
    let thread: Int
    /// The position of its first token.
    let start: Int
    /// Its thought-embedding index.
    let thought: Int
    /// What the segment holds, for the trace (`prompt`, `prefix`, `generated`, `summary`, `spliced`, `message`).
    let kind: String
    /// The segments its tokens attend to before themselves, in order (names, for the trace).
    let viewNames: [String]
    /// Tokens written, in order.
    private(set) var tokens: [Int32] = []
    /// Text of those tokens.
    private(set) var text = ""
    /// For each token, the length of `text` (in `Character`s' UTF-8 bytes) after it, for cutting at a token.
    private(set) var textEnds: [Int] = []
    /// The model's view for writing this segment (released when the segment is closed).
    var view: ViewID?
    /// The segments it reads before itself (for recomputing its KV with the same mask).
    var reads: [RunSegment] = []

    init(name: String, kv: SegmentID, thread: Int, start: Int, thought: Int, kind: String, viewNames: [String]) {
        self.name = name
        self.kv = kv
        self.thread = thread
        self.start = start
        self.thought = thought
        self.kind = kind
        self.viewNames = viewNames
    }

    /// Number of tokens written.
    var count: Int { tokens.count }
    /// One past the last position written.
    var end: Int { start + tokens.count }

    /// Records a token written to the model's KV and the text it completed.
    func append(_ token: Int32, text piece: String) {
        tokens.append(token)
        text += piece
        textEnds.append(text.utf8.count)
    }

    /// Forgets every token past `length` (after `truncate` on the KV side); the text is cut to match.
    func truncate(to length: Int) {
        guard length < tokens.count else { return }
        let bytes = length == 0 ? 0 : textEnds[length - 1]
        tokens.removeLast(tokens.count - length)
        textEnds.removeLast(textEnds.count - length)
        text = String(decoding: Array(text.utf8.prefix(bytes)), as: UTF8.self)
    }

    /// Copies another segment's tokens and text (its KV is written separately).
    func copyContents(of other: RunSegment) {
        tokens = other.tokens
        text = other.text
        textEnds = other.textEnds
    }

    /// The number of leading tokens whose text ends at or before UTF-8 offset `offset`.
    func tokensEnding(atOrBefore offset: Int) -> Int {
        var n = 0
        while n < textEnds.count, textEnds[n] <= offset { n += 1 }
        return n
    }
}
