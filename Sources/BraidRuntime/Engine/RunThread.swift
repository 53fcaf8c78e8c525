import BraidPlan
import BraidTransformer

/// One unit of a thread's program. The plan's program steps (`ThreadStep`) expand into these as they run; what
/// a segment holds and how it is decoded are the plan's. `step` is the key a segment's text is kept under for
/// `RunResult.outputs` and the answer's `from`.
enum Action {
    /// A step of the thread's program in the plan, interpreted when reached.
    case plan(ThreadStep)
    /// Forced text written into the plan's segment `segment`.
    case prefill(step: String, segment: SegmentName, text: ForcedText, bos: Bool)
    /// The plan's decoded segment `segment` (forced prefix, budget, stops and sampling are the plan segment's);
    /// `spawn` when the model may spawn children from it.
    case generate(step: String, segment: SegmentName, spawn: SpawnContext?)
}

/// What a prefilled segment writes.
enum ForcedText {
    /// The plan segment's own content (a text template or chat messages), rendered with the thread's variables
    /// and these.
    case planned([String: String])
    /// Text the run composed from what was written (a join block).
    case composed(String)
    /// Tokens the run composed (a merge's spliced branch text).
    case tokens([Int32])
}

/// What lets a decoding segment spawn children (APR).
struct SpawnContext {
    /// The plan's spawn template this segment may instantiate (`SpawnTemplate.id`).
    var template: String
    /// The round this segment decodes in (0-based).
    var round: Int
}

/// How a decoding segment stands.
struct Decode {
    var step: String
    /// The plan segment's decoding (budget, stops, sampling).
    var decoding: Decoding
    var stops: [String]
    var spawn: SpawnContext?
    /// The spawn trigger as rendered for this thread (a stop string that starts a spawn round), if it may spawn.
    var trigger: String?
    /// Tokens sampled so far in this segment.
    var sampled = 0
    /// Text sampled so far (without the forced prefix), where stop strings are looked for.
    var text = ""
    /// Set when decoding has ended but the last sampled token still has to be written.
    var ending: String?
    /// The stop string that ended it, if any.
    var matchedStop: String?
}

/// What a thread does now.
enum ThreadPhase {
    /// Runs its next action when the scheduler advances it.
    case ready
    /// Has tokens to write (and maybe a decode going on).
    case working
    /// Waits for the fork it opened to finish.
    case waitingFork(Int)
    /// Waits for the children of a spawn round.
    case waitingChildren(SpawnRound)
    /// Finished.
    case done
}

/// One spawn round in flight: the children started and what the join needs.
struct SpawnRound {
    var context: SpawnContext
    /// Per message: its variables and the child thread it started (nil when a required lookup failed).
    var messages: [(variables: [String: String], child: Int?)]
    /// UTF-8 offset in the spawning segment's text where the spawn block starts.
    var blockStart: Int
    /// The round's segments and child threads as the plan instantiated them.
    var instance: SpawnInstance
}

/// A decoding stream: a program of actions, the segments it reads, and its sampler.
final class RunThread {
    let index: Int
    let name: String
    let parent: Int?
    let kind: String
    let depth: Int
    var program: [Action]
    var pc = 0
    var variables: [String: String]
    var phase: ThreadPhase = .ready
    /// The segment being written.
    var current: RunSegment?
    /// Segments this thread wrote itself, in order (its text).
    var own: [RunSegment] = []
    /// The position of the next token (the plan places each segment as it opens).
    var nextPosition = 0
    /// Tokens to write in the next forward pass, with their text; `sampled` marks decoded ones.
    var pending: [(token: Int32, text: String)] = []
    var pendingSampled = false
    var decode: Decode?
    /// Logits after the last token written (what the next sampled token is drawn from).
    var lastLogits: [Float]?
    var sampler: Sampler
    var textDecoder: any TokenTextDecoder
    /// Segments written per step id (a step's output text is theirs, joined).
    var stepSegments: [String: [RunSegment]] = [:]
    /// Vote winners by step id.
    var voteResults: [String: String] = [:]
    /// Forks this thread opened, by step id (index into the engine's forks).
    var forks: [String: Int] = [:]
    var sampledTotal = 0
    var lastDecodeEnd: String?
    /// The fork this thread is a branch of (index into the engine's forks) and its branch index.
    var branchOf: (fork: Int, branch: Int)?

    init(index: Int, name: String, parent: Int?, kind: String, depth: Int, program: [Action],
         variables: [String: String], sampler: Sampler, textDecoder: any TokenTextDecoder) {
        self.index = index
        self.name = name
        self.parent = parent
        self.kind = kind
        self.depth = depth
        self.program = program
        self.variables = variables
        self.sampler = sampler
        self.textDecoder = textDecoder
    }

    var isDone: Bool { if case .done = phase { return true } else { return false } }

    /// The thread's own text (every segment it wrote), e.g. a branch's text for a merge or vote.
    var text: String { own.map(\.text).joined() }

    /// The output of a step this thread ran: a vote's winner or the text its segments hold.
    func output(of step: String) -> String? {
        if let winner = voteResults[step] { return winner }
        return stepSegments[step].map { $0.map(\.text).joined() }
    }
}
