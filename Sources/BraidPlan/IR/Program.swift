/// One entry of a thread's program (`PlanThread.program`): what the thread does next.
///
/// A thread runs its program in order. Every segment the thread writes is named by exactly one entry — a `write`,
/// the trigger of a `spawn` (with the rounds it adds), a `merge`'s segments, or a `vote`'s text — so an executor that
/// walks the program writes the thread's segments in `PlanThread.segments` order and needs nothing from the graph.
public enum ThreadStep: Equatable, Sendable {
    /// Write this segment: prefill its content (`text`, `chat`) or decode it as its `Decoding` says.
    case write(SegmentName)
    /// Decode the trigger segment of this spawn template (`SpawnTemplate.id`); when it ends with a spawn block,
    /// instantiate a round (`Plan.instantiateSpawn`), run its children, write the join and decode the continuation,
    /// which may spawn again.
    case spawn(String)
    /// Open this fork (`ForkPlan.id`): start its branch threads and wait until its finish rule is met.
    case fork(String)
    /// Write this merge's segments (`MergePlan.segments`, in order), reading its fork's branches.
    case merge(String)
    /// Count this vote (`VotePlan.id`) over its fork's branches; then write its text segment, if it has one.
    case vote(String)
}

extension Plan {
    /// The program of thread `id` (empty for a thread the plan does not have).
    public func program(of id: ThreadID) -> [ThreadStep] {
        thread(id)?.program ?? []
    }

    /// The spawn template with this id, if any.
    public func spawnTemplate(_ id: String) -> SpawnTemplate? {
        spawns.first { $0.id == id }
    }

    /// The merge with this id, if any.
    public func merge(_ id: String) -> MergePlan? {
        merges.first { $0.id == id }
    }

    /// The vote with this id, if any.
    public func vote(_ id: String) -> VotePlan? {
        votes.first { $0.id == id }
    }

    /// The value of every run-time input: the given values over the graph's defaults. Throws `InputError` for a
    /// name that is not an input and for an input without a value.
    public func inputValues(_ given: [String: String]) throws -> [String: String] {
        try Plan.inputValues(graph: graph, inputs: inputs, defaults: inputDefaults, given: given)
    }

    /// `inputValues(_:)` for a graph named `graph` with these inputs and defaults (before it is compiled).
    public static func inputValues(graph: String, inputs: [String], defaults: [String: String],
                                   given: [String: String]) throws -> [String: String] {
        for name in given.keys.sorted() where !inputs.contains(name) {
            let known = inputs.joined(separator: ", ")
            throw InputError("graph '\(graph)' has no input '\(name)'" + (known.isEmpty ? "" : " (inputs: \(known))"))
        }
        var values: [String: String] = [:]
        for name in inputs {
            guard let value = given[name] ?? defaults[name] else {
                throw InputError("graph '\(graph)' needs input '\(name)': pass --input \(name)=VALUE")
            }
            values[name] = value
        }
        return values
    }
}

/// A run's inputs do not match the plan's (`Plan.inputValues`): the message says which and how to fix it.
public struct InputError: Error, Equatable, Sendable, CustomStringConvertible {
    /// What is wrong.
    public var description: String

    /// Creates an input error.
    public init(_ description: String) {
        self.description = description
    }
}

extension Segment {
    /// Whether the executor writes the model's begin-of-sequence token before this segment's content: a thread's
    /// own fresh sequence, i.e. the root prompt or an isolated child's prompt (placed at the `start`).
    public var opensSequence: Bool {
        (kind == .prompt || kind == .message) && placement.rule == .start
    }
}

extension ThreadStep: Codable {
    private enum Keys: String, CodingKey {
        case write, spawn, fork, merge, vote
    }

    /// Decodes a one-key object: `{"write": id}`, `{"spawn": id}`, `{"fork": id}`, `{"merge": id}`, `{"vote": id}`.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Keys.self)
        guard let key = container.allKeys.first, container.allKeys.count == 1 else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath,
                                                    debugDescription: "a program step is one of write, spawn, fork, merge, vote"))
        }
        let id = try container.decode(String.self, forKey: key)
        switch key {
        case .write: self = .write(id)
        case .spawn: self = .spawn(id)
        case .fork: self = .fork(id)
        case .merge: self = .merge(id)
        case .vote: self = .vote(id)
        }
    }

    /// Encodes as a one-key object.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Keys.self)
        switch self {
        case .write(let id): try container.encode(id, forKey: .write)
        case .spawn(let id): try container.encode(id, forKey: .spawn)
        case .fork(let id): try container.encode(id, forKey: .fork)
        case .merge(let id): try container.encode(id, forKey: .merge)
        case .vote(let id): try container.encode(id, forKey: .vote)
        }
    }
}
