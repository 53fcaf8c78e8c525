/// One scheduling step of a recorded APR parent thread: what the parent was given, what it decoded,
/// which children it spawned, what they were given and decoded, and the join block it got back.
public struct APRReplayStep: Sendable, Equatable, Codable {
    /// The text the parent thread starts this step from: the root prompt, or the joined prompt.
    public var parentPrompt: String
    /// What the parent decodes in this step (appended to `parentPrompt`).
    public var parentCompletion: String
    /// The node ids of the spawn block this step ends with (empty for the last step).
    public var spawnedNodeIDs: [String]
    /// The prompt of each spawned child (``APRProtocol/childPrompt(for:in:)``).
    public var childPrompts: [String]
    /// What each child decodes after its prompt.
    public var childCompletions: [String]
    /// What each child returns (``APRProtocol/searchResult(of:)``); `nil` = no solution.
    public var childResults: [String?]
    /// The join block the parent receives after this step (empty for the last step).
    public var joinBlock: String
}

/// Turns recorded APR threads into scheduler steps and back, using only ``APRProtocol``'s rules.
///
/// A runtime test feeds `parentCompletion`s and `childCompletions` to its scheduler as if the model had
/// produced them and checks that the parent and child strings it builds equal the recording;
/// ``reconstruct(rootPrompt:parentCompletions:childCompletions:)`` is the reference for that loop.
public enum APRReplay {
    /// The steps of `thread` (a parent whose children do not spawn), starting from `rootPrompt`.
    /// Throws when the recording breaks the protocol (a segment that does not extend its joined
    /// prompt, a spawn without matching children, a child that does not start with its prompt).
    public static func steps(of thread: APRThread, rootPrompt: String) throws(CountdownError) -> [APRReplayStep] {
        guard !thread.segments.isEmpty else { throw .malformedTrace("the thread has no segments") }
        guard thread.children.count == thread.segments.count - 1 else {
            throw .malformedTrace("\(thread.segments.count) segments need \(thread.segments.count - 1) spawns, found \(thread.children.count)")
        }
        var steps: [APRReplayStep] = []
        var prompt = rootPrompt
        for (index, segment) in thread.segments.enumerated() {
            guard segment.hasPrefix(prompt) else {
                throw .malformedTrace("segment \(index) does not start with the prompt the scheduler would give it")
            }
            let completion = String(segment.dropFirst(prompt.count))
            let isLast = index == thread.segments.count - 1
            guard APRProtocol.isSpawning(segment) != isLast else {
                throw .malformedTrace(isLast ? "the last segment ends with a spawn block" : "segment \(index) does not end with a spawn block")
            }
            if isLast {
                steps.append(APRReplayStep(parentPrompt: prompt, parentCompletion: completion, spawnedNodeIDs: [],
                                           childPrompts: [], childCompletions: [], childResults: [], joinBlock: ""))
                break
            }
            let ids = try APRProtocol.spawnedNodeIDs(in: segment)
            let children = thread.children[index]
            guard children.count == ids.count else {
                throw .malformedTrace("segment \(index) spawns \(ids.count) children, the recording has \(children.count)")
            }
            var childPrompts: [String] = [], childCompletions: [String] = [], results: [String?] = []
            for (id, child) in zip(ids, children) {
                guard child.segments.count == 1, child.children.isEmpty else {
                    throw .malformedTrace("child #\(id) spawns children itself; APR nests one level only")
                }
                let childPrompt = try APRProtocol.childPrompt(for: id, in: segment)
                guard child.finalText.hasPrefix(childPrompt) else {
                    throw .malformedTrace("child #\(id) does not start with its prompt '\(childPrompt)'")
                }
                childPrompts.append(childPrompt)
                childCompletions.append(String(child.finalText.dropFirst(childPrompt.count)))
                results.append(APRProtocol.searchResult(of: child.finalText))
            }
            let joined = try APRProtocol.joinedPrompt(parentText: segment, results: results)
            steps.append(APRReplayStep(parentPrompt: prompt, parentCompletion: completion, spawnedNodeIDs: ids,
                                       childPrompts: childPrompts, childCompletions: childCompletions,
                                       childResults: results, joinBlock: APRProtocol.joinBlock(nodeIDs: ids, results: results)))
            prompt = joined
        }
        return steps
    }

    /// Runs the spawn/join loop on recorded completions: decode the parent (here: append its next
    /// completion); while it ends with a spawn block, prompt each child, "decode" it, collect results,
    /// and resume the parent from the joined prompt. Returns the parent and children strings it built.
    public static func reconstruct(rootPrompt: String, parentCompletions: [String],
                                   childCompletions: [[String]]) throws(CountdownError) -> APRThread {
        guard let first = parentCompletions.first else { throw .malformedTrace("no parent completion") }
        var thread = APRThread(segments: [rootPrompt + first])
        var step = 0
        while let text = thread.segments.last, APRProtocol.isSpawning(text) {
            guard step < childCompletions.count, step + 1 < parentCompletions.count else {
                throw .malformedTrace("the parent spawns at step \(step) but the recording ends there")
            }
            let ids = try APRProtocol.spawnedNodeIDs(in: text)
            guard ids.count == childCompletions[step].count else {
                throw .malformedTrace("step \(step) spawns \(ids.count) children, \(childCompletions[step].count) completions recorded")
            }
            var children: [APRThread] = []
            for (id, completion) in zip(ids, childCompletions[step]) {
                children.append(APRThread(segments: [try APRProtocol.childPrompt(for: id, in: text) + completion]))
            }
            thread.children.append(children)
            let results = children.map { APRProtocol.searchResult(of: $0.finalText) }
            thread.segments.append(try APRProtocol.joinedPrompt(parentText: text, results: results) + parentCompletions[step + 1])
            step += 1
        }
        guard step + 1 == parentCompletions.count else {
            throw .malformedTrace("the parent finished after \(step + 1) steps, \(parentCompletions.count) completions recorded")
        }
        return thread
    }
}
