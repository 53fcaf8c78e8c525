/// The trace formats the solver writes.
public enum TraceFormat: String, Sendable, Codable, CaseIterable {
    /// One sequential string in the stream-of-search style (SoS+): best-first with inline sub-searches.
    case sos
    /// APR: parent segments with spawn/join blocks, plus one string per child thread.
    case apr
    /// ParaThinker: P independent attempts `<think1>`…`</thinkP>` and a `<summary>` with the verified answer.
    case parathinker
}

/// One ParaThinker path as the record describes it.
public struct ParaThinkerPath: Sendable, Codable, Equatable {
    /// The beam the path searched with.
    public var beam: Int
    /// The path's answer (operation list) when it reached the target, else `nil`.
    public var answer: String?
}

/// One solved (or, on request, failed) problem as a JSONL record.
///
/// For every format `text` starts with `prompt` (what the model is given) and the rest is what it
/// should produce; `answer` is extracted back from the text with ``AnswerExtractor`` and is an
/// operation list (`8-6=2, 1+4=5, 2*5=10`) or, for ParaThinker, the boxed expression.
public struct TraceRecord: Sendable, Codable, Equatable {
    /// `{problem id}/{format}`.
    public var id: String
    /// The problem's id.
    public var problemID: String
    /// Which format this is.
    public var format: TraceFormat
    /// The problem's numbers.
    public var numbers: [Int]
    /// The problem's target.
    public var target: Int
    /// The prompt (a prefix of `text`, ending with a newline).
    public var prompt: String
    /// The main training string: the SoS+ trace, the APR parent's final segment, or the ParaThinker text.
    public var text: String
    /// The answer the text states, or `nil` if it found none.
    public var answer: String?
    /// True when the search reached the target.
    public var solved: Bool
    /// How many searches were run before this one succeeded (1 = first try).
    public var attempts: Int
    /// The beam of the recorded search (for ParaThinker: the largest path beam).
    public var beam: Int
    /// APR only: the beam of the child threads.
    public var childBeam: Int?
    /// APR only: every parent segment and child string.
    public var apr: APRThread?
    /// ParaThinker only: one entry per path.
    public var paths: [ParaThinkerPath]?
    /// APR only, on request (`--replay`): the scheduler steps of the parent (``APRReplay/steps(of:rootPrompt:)``).
    public var replay: [APRReplayStep]?
}

/// A single training string, for `--flat` output: every APR segment and child is its own string.
public struct TrainingString: Sendable, Codable, Equatable {
    /// `{record id}/{role}{index}` (e.g. `…/apr/parent1`, `…/apr/child0.2`).
    public var id: String
    /// The format it comes from.
    public var format: TraceFormat
    /// `sequence` (SoS+, ParaThinker), `parent` or `child` (APR).
    public var role: String
    /// The string (prompt included).
    public var text: String

    /// The training strings of `record`, in order: parents segment by segment, each spawn's children
    /// right after the segment that spawned them.
    public static func strings(of record: TraceRecord) -> [TrainingString] {
        guard let thread = record.apr else {
            return [TrainingString(id: record.id, format: record.format, role: "sequence", text: record.text)]
        }
        var out: [TrainingString] = []
        for (index, segment) in thread.segments.enumerated() {
            out.append(TrainingString(id: "\(record.id)/parent\(index)", format: .apr, role: "parent", text: segment))
            if index < thread.children.count {
                for (childIndex, child) in thread.children[index].enumerated() {
                    out.append(TrainingString(id: "\(record.id)/child\(index).\(childIndex)", format: .apr,
                                              role: "child", text: child.finalText))
                }
            }
        }
        return out
    }
}
