import Foundation

/// One event of a run's trace, written one JSON object per line (see Docs/runtime.md for the schema).
///
/// Every event has `"event"` (its kind) and `"step"` (the scheduler step it happened in: the number of
/// forward passes before it). Events are emitted in a deterministic order for a given graph, inputs and
/// seed; only `time`/`ms` fields depend on the machine.
public enum TraceEvent: Sendable, Equatable {
    /// The run starts.
    case run(RunInfo)
    /// A thread starts.
    case thread(ThreadStart)
    /// A thread opens a KV segment.
    case segment(SegmentOpen)
    /// A thread wrote tokens into its segment in one forward pass.
    case tokens(TokensWritten)
    /// A thread stops.
    case stop(ThreadStop)
    /// A merge reads a fork's branches.
    case merge(MergeInfo)
    /// A thread spawns children.
    case spawn(SpawnInfo)
    /// A spawning thread's context is rewritten with its children's results.
    case join(JoinInfo)
    /// A majority vote.
    case vote(VoteInfo)
    /// One forward pass.
    case forward(ForwardInfo)
    /// Something the user should know (a limit enforced, a message ignored).
    case warning(WarningInfo)
    /// The run ends.
    case end(RunEnd)

    /// The event kind, as written in `"event"`.
    public var kind: String {
        switch self {
        case .run: return "run"
        case .thread: return "thread"
        case .segment: return "segment"
        case .tokens: return "tokens"
        case .stop: return "stop"
        case .merge: return "merge"
        case .spawn: return "spawn"
        case .join: return "join"
        case .vote: return "vote"
        case .forward: return "forward"
        case .warning: return "warning"
        case .end: return "end"
        }
    }
}

/// `run`: what is run.
public struct RunInfo: Codable, Sendable, Equatable {
    /// The scheduler step (forward-pass rounds before this event).
    public var step: Int
    /// The graph's name.
    public var graph: String
    /// The run's inputs.
    public var inputs: [String: String]
    /// The graph's params after overrides.
    public var params: [String: String]
    /// The run's seed.
    public var seed: UInt64
    /// `batched` or `sequential` (one thread per forward pass).
    public var scheduling: String
}

/// `thread`: a thread starts.
public struct ThreadStart: Codable, Sendable, Equatable {
    /// The scheduler step (forward-pass rounds before this event).
    public var step: Int
    /// The thread's name (`main`, `think[0]`, `search#0.child[1]`).
    public var thread: String
    /// The thread that created it (nil for `main`).
    public var parent: String?
    /// `main`, `branch` (of a fork) or `child` (of a spawn).
    public var kind: String
    /// The step that created it.
    public var origin: String?
    /// Nesting depth of spawned children (0 for main and its branches).
    public var depth: Int
}

/// `segment`: a thread opens a KV segment.
public struct SegmentOpen: Codable, Sendable, Equatable {
    /// The scheduler step (forward-pass rounds before this event).
    public var step: Int
    /// The thread writing it.
    public var thread: String
    /// The segment's name (the plan's segment id).
    public var segment: String
    /// `prompt`, `prefix`, `generated`, `summary`, `spliced` or `message`.
    public var kind: String
    /// Position of its first token.
    public var start: Int
    /// The segments its tokens attend to, itself last.
    public var view: [String]
    /// Its thought-embedding index.
    public var thought: Int
}

/// `tokens`: tokens one thread wrote in one forward pass.
public struct TokensWritten: Codable, Sendable, Equatable {
    /// The scheduler step (forward-pass rounds before this event).
    public var step: Int
    /// The thread concerned.
    public var thread: String
    /// The segment written.
    public var segment: String
    /// Token ids, in order.
    public var ids: [Int32]
    /// Their positions.
    public var positions: [Int]
    /// Their text.
    public var text: String
    /// Whether they were sampled (false: forced text — prompts, prefixes, joins).
    public var sampled: Bool
}

/// `stop`: a thread stops.
public struct ThreadStop: Codable, Sendable, Equatable {
    /// The scheduler step (forward-pass rounds before this event).
    public var step: Int
    /// The thread concerned.
    public var thread: String
    /// Why: `done` (its steps are finished), `finish-policy` (its fork finished without it), `error`.
    public var reason: String
    /// How its last decoding ended: `eos`, `stop-string`, `budget`, `context`, `max-rounds`, `depth-limit`.
    public var lastDecode: String?
    /// Tokens it sampled in all.
    public var sampled: Int
}

/// `merge`: a merge reads a fork's branches.
public struct MergeInfo: Codable, Sendable, Equatable {
    /// The scheduler step (forward-pass rounds before this event).
    public var step: Int
    /// The merge step.
    public var merge: String
    /// `attend`, `reprefill` or `text`.
    public var mode: String
    /// The fork read.
    public var fork: String
    /// The thread that continues.
    public var thread: String
    /// The source segments read.
    public var sources: [String]
    /// Where the merged segment starts.
    public var start: Int
    /// Tokens re-prefilled (0 for `attend`).
    public var reprefilled: Int
}

/// `spawn`: a thread spawns children.
public struct SpawnInfo: Codable, Sendable, Equatable {
    /// The scheduler step (forward-pass rounds before this event).
    public var step: Int
    /// The thread concerned.
    public var thread: String
    /// The spawn step.
    public var spawn: String
    /// The round (0-based).
    public var round: Int
    /// The child threads started.
    public var children: [String]
    /// Each message's captures, in message order.
    public var messages: [[String: String]]
    /// Messages that started no child (a required lookup found nothing).
    public var skipped: Int
}

/// `join`: a thread's context is rewritten with its children's results.
public struct JoinInfo: Codable, Sendable, Equatable {
    /// The scheduler step (forward-pass rounds before this event).
    public var step: Int
    /// The thread concerned.
    public var thread: String
    /// The spawn step.
    public var spawn: String
    /// The spawn round (0-based).
    public var round: Int
    /// Per message: whether its child returned a result.
    public var found: [Bool]
    /// Tokens of the spawning segment kept (the spawn block was cut from here on).
    public var keptTokens: Int
    /// The join text prefilled.
    public var text: String
}

/// `vote`: a majority vote.
public struct VoteInfo: Codable, Sendable, Equatable {
    /// The scheduler step (forward-pass rounds before this event).
    public var step: Int
    /// The vote step.
    public var vote: String
    /// The fork voted over.
    public var fork: String
    /// The outcome.
    public var outcome: VoteOutcome
}

/// `forward`: one forward pass.
public struct ForwardInfo: Codable, Sendable, Equatable {
    /// The scheduler step (forward-pass rounds before this event).
    public var step: Int
    /// Tokens in the batch.
    public var batch: Int
    /// Threads with tokens in the batch.
    public var threads: [String]
    /// Wall time of the pass in milliseconds.
    public var ms: Double
    /// KV blocks in use after it.
    public var kvBlocks: Int
    /// KV bytes in use after it.
    public var kvBytes: Int
}

/// `warning`: something the user should know.
public struct WarningInfo: Codable, Sendable, Equatable {
    /// The scheduler step (forward-pass rounds before this event).
    public var step: Int
    /// The thread concerned, if any.
    public var thread: String?
    /// What happened.
    public var message: String
}

/// `end`: the run ends.
public struct RunEnd: Codable, Sendable, Equatable {
    /// The scheduler step (forward-pass rounds before this event).
    public var step: Int
    /// The final answer, if one was extracted.
    public var answer: String?
    /// Tokens sampled by all threads.
    public var sampled: Int
    /// Tokens written (sampled and forced).
    public var written: Int
    /// Wall time of the run in milliseconds.
    public var ms: Double
    /// The most KV bytes in use at once.
    public var peakKVBytes: Int
}

extension TraceEvent: Codable {
    private enum Key: String, CodingKey { case event }

    /// Writes the event's fields and its `event` kind into one object.
    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: Key.self)
        try container.encode(kind, forKey: .event)
        switch self {
        case .run(let e): try e.encode(to: encoder)
        case .thread(let e): try e.encode(to: encoder)
        case .segment(let e): try e.encode(to: encoder)
        case .tokens(let e): try e.encode(to: encoder)
        case .stop(let e): try e.encode(to: encoder)
        case .merge(let e): try e.encode(to: encoder)
        case .spawn(let e): try e.encode(to: encoder)
        case .join(let e): try e.encode(to: encoder)
        case .vote(let e): try e.encode(to: encoder)
        case .forward(let e): try e.encode(to: encoder)
        case .warning(let e): try e.encode(to: encoder)
        case .end(let e): try e.encode(to: encoder)
        }
    }

    /// Reads an event by its `event` kind.
    public init(from decoder: Decoder) throws {
        let kind = try decoder.container(keyedBy: Key.self).decode(String.self, forKey: .event)
        switch kind {
        case "run": self = .run(try RunInfo(from: decoder))
        case "thread": self = .thread(try ThreadStart(from: decoder))
        case "segment": self = .segment(try SegmentOpen(from: decoder))
        case "tokens": self = .tokens(try TokensWritten(from: decoder))
        case "stop": self = .stop(try ThreadStop(from: decoder))
        case "merge": self = .merge(try MergeInfo(from: decoder))
        case "spawn": self = .spawn(try SpawnInfo(from: decoder))
        case "join": self = .join(try JoinInfo(from: decoder))
        case "vote": self = .vote(try VoteInfo(from: decoder))
        case "forward": self = .forward(try ForwardInfo(from: decoder))
        case "warning": self = .warning(try WarningInfo(from: decoder))
        case "end": self = .end(try RunEnd(from: decoder))
        default:
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath,
                                                    debugDescription: "unknown trace event '\(kind)'"))
        }
    }
}

/// Reading and writing traces as JSON Lines.
public enum TraceJSONL {
    /// One event as one line of JSON (no trailing newline), keys sorted so lines diff cleanly.
    public static func line(_ event: TraceEvent) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(event), as: UTF8.self)
    }

    /// Parses a whole trace; `file` names it in errors, which give the line number.
    public static func parse(_ text: String, file: String = "<trace>") throws -> [TraceEvent] {
        let decoder = JSONDecoder()
        var events: [TraceEvent] = []
        for (n, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty { continue }
            do {
                events.append(try decoder.decode(TraceEvent.self, from: Data(trimmed.utf8)))
            } catch {
                throw RunError.badInput("\(file):\(n + 1): not a trace event (\(error))")
            }
        }
        return events
    }
}
