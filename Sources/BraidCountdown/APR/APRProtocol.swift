/// The text rules of APR's spawn/join, as pure functions on strings: the same rules the solver writes
/// and a runtime (Braid's scheduler driving `Graphs/apr.yaml`) applies to model output.
///
/// - A parent segment that ends with a **spawn block** asks for children:
///   `<Calling Sub Searches>` / `<Start Sub Search {i} at level 1> Moving to Node #{id}` … /
///   `<End Calling Sub Searches>`.
/// - Child `i` is prompted with ``childPrompt(for:in:)``: `Moving to Node #{id}` and its
///   `Current State: …, Operations: [...]` line, rebuilt from the parent's `Generated Node` lines.
/// - Prompts end with a newline, as `Graphs/apr.yaml` writes them.
/// - A child's result is ``searchResult(of:)``: the path after its second-to-last `Goal Reached`, or
///   `nil` when it found nothing.
/// - The parent resumes from ``joinedPrompt(parentText:results:)``: its text before the spawn block
///   (the block is deleted) plus the **join block** `<Sub Searches>` … `<End Sub Searches>`.
public enum APRProtocol {
    /// The first line of a spawn block.
    public static let callOpen = "<Calling Sub Searches>"
    /// The last line of a spawn block; a parent segment that ends with it is waiting for children.
    public static let callClose = "<End Calling Sub Searches>"
    /// The first line of a join block. A runtime must never let the model write it itself.
    public static let joinOpen = "<Sub Searches>"
    /// The last line of a join block.
    public static let joinClose = "<End Sub Searches>"

    /// The root prompt of a problem: `Moving to Node #0\nCurrent State: 10:[1, 4, 6, 8], Operations: []\n`
    /// (newline-terminated, as `Graphs/apr.yaml` writes it; APR's Python runtime leaves the newline to the model).
    public static func rootPrompt(numbers: [Int], target: Int) -> String {
        "Moving to Node #0\nCurrent State: \(target):\(pythonList(numbers)), Operations: []\n"
    }

    /// The spawn block for children at `nodeIDs`, newline-terminated.
    public static func spawnBlock(nodeIDs: [String]) -> String {
        var text = callOpen + "\n"
        for (index, id) in nodeIDs.enumerated() {
            text += "<Start Sub Search \(index) at level 1> Moving to Node #\(id)\n"
        }
        return text + callClose + "\n"
    }

    /// The join block for children at `nodeIDs` with their `results` (`nil` = no solution), newline-terminated.
    public static func joinBlock(nodeIDs: [String], results: [String?]) -> String {
        var text = joinOpen + "\n"
        for (index, id) in nodeIDs.enumerated() {
            if index < results.count, let result = results[index] {
                text += "<Goal Reached in Sub Search \(index) at level 1 at Node #\(id)>\n" + result + "\n"
            } else {
                text += "<No Solution in Sub Search \(index) at level 1 at Node #\(id)>\n"
            }
        }
        return text + joinClose + "\n"
    }

    /// True when `text`'s last non-empty line closes a spawn block (the parent waits for children).
    public static func isSpawning(_ text: String) -> Bool {
        lastLine(of: text)?.contains(callClose) ?? false
    }

    /// The node ids of the spawn block that ends `text`, in order.
    public static func spawnedNodeIDs(in text: String) throws(CountdownError) -> [String] {
        guard isSpawning(text), let open = text.lastRange(of: callOpen + "\n") else {
            throw .malformedTrace("the text does not end with a '\(callOpen)' … '\(callClose)' block")
        }
        let block = text[open.upperBound...]
        var ids: [String] = []
        for line in block.split(separator: "\n") where line.hasPrefix("<Start Sub Search ") {
            guard let marker = line.lastRange(of: "Moving to Node #") else {
                throw .malformedTrace("spawn line '\(line)' has no 'Moving to Node #'")
            }
            ids.append(String(line[marker.upperBound...]).trimmingWhitespace)
        }
        guard !ids.isEmpty else { throw .malformedTrace("spawn block without any '<Start Sub Search …>' line") }
        return ids
    }

    /// The prompt of the child at `nodeID`: `Moving to Node #{id}\nCurrent State: {T}:[{nums}], Operations: [...]\n`
    /// (newline-terminated, as `Graphs/apr.yaml` builds it). The state comes from the parent's `Moving to Node`/`Current State` pair for
    /// the node if it has one, else from its `Generated Node #{id}: T:[nums] Operation: op` line, whose
    /// operations are its parent node's plus `op`.
    public static func childPrompt(for nodeID: String, in parentText: String) throws(CountdownError) -> String {
        let state = try nodeState(nodeID, in: parentText)
        let operations = "[" + state.operations.map { "'\($0)'" }.joined(separator: ", ") + "]"
        return "Moving to Node #\(nodeID)\nCurrent State: \(state.target):\(state.numbers), Operations: \(operations)\n"
    }

    /// What a finished child returns to its parent: the text after its second-to-last `Goal Reached`
    /// (the restated path, without a trailing newline), or `nil` if it reached no goal.
    public static func searchResult(of childText: String) -> String? {
        let marks = childText.occurrences(of: "Goal Reached")
        guard marks.count >= 2 else { return nil }
        var rest = Substring(childText[marks[marks.count - 2].upperBound...].trimmingWhitespace)
        if rest.first == "\n" { rest = rest.dropFirst() }
        return String(rest)
    }

    /// The prompt the parent resumes from after its children finished: `parentText` without its final
    /// spawn block, plus the join block built from `results` (one per spawned child, in order).
    public static func joinedPrompt(parentText: String, results: [String?]) throws(CountdownError) -> String {
        let ids = try spawnedNodeIDs(in: parentText)
        guard results.count == ids.count else {
            throw .malformedTrace("\(ids.count) children were spawned but \(results.count) results were given")
        }
        guard let open = parentText.lastRange(of: callOpen + "\n") else {
            throw .malformedTrace("no '\(callOpen)' line")
        }
        return String(parentText[..<open.lowerBound]) + joinBlock(nodeIDs: ids, results: results)
    }

    /// A node's state as the parent's text describes it.
    struct NodeState {
        var target: Int
        var numbers: String
        var operations: [String]
    }

    /// The state of node `id` as the parent's text describes it (see ``childPrompt(for:in:)``).
    static func nodeState(_ id: String, in text: String, depth: Int = 0) throws(CountdownError) -> NodeState {
        guard depth < 64 else { throw .malformedTrace("node ids nest too deeply at #\(id)") }
        let visit = "Moving to Node #\(id)\nCurrent State: "
        if let mark = text.firstOccurrence(of: visit) {
            let line = text[text.index(mark.upperBound, offsetBy: -"Current State: ".count)...].prefix { $0 != "\n" }
            if let state = parseCurrentState(line) { return state }
        }
        // Generated Node #0,0,1: 10:[2, 5] Operation: 1+4=5
        guard let mark = text.firstOccurrence(of: "Generated Node #\(id): ") else {
            throw .malformedTrace("node #\(id) is spawned but never generated in the parent's text")
        }
        let body = text[mark.upperBound...].prefix { $0 != "\n" }
        guard let opMark = body.firstOccurrence(of: " Operation: "), let split = body.firstIndex(of: ":"),
              split < opMark.lowerBound, let target = Int(body[..<split]) else {
            throw .malformedTrace("cannot read 'Generated Node #\(id): \(body)'")
        }
        let parts = id.split(separator: ",")
        let parentOps = parts.count > 1 ? try nodeState(parts.dropLast().joined(separator: ","), in: text, depth: depth + 1).operations : []
        return NodeState(target: target, numbers: body[body.index(after: split)..<opMark.lowerBound].trimmingWhitespace,
                         operations: parentOps + [String(body[opMark.upperBound...]).trimmingWhitespace])
    }

    /// Reads `Current State: 10:[1, 4, 2], Operations: ['8-6=2']`.
    static func parseCurrentState(_ line: Substring) -> NodeState? {
        let body = line.dropFirst("Current State: ".count)
        guard let colon = body.firstIndex(of: ":"), let target = Int(body[..<colon]),
              let opsMark = body.firstOccurrence(of: ", Operations: [") else { return nil }
        let numbers = String(body[body.index(after: colon)..<opsMark.lowerBound])
        let inside = body[opsMark.upperBound...].dropLast(body.hasSuffix("]") ? 1 : 0)
        let operations = inside.split(separator: ",").map { $0.filter { $0 != "'" }.trimmingWhitespace }.filter { !$0.isEmpty }
        return NodeState(target: target, numbers: numbers, operations: operations)
    }

    /// The last line with something other than whitespace on it.
    static func lastLine(of text: String) -> Substring? {
        var end = text.endIndex
        while end > text.startIndex {
            let start = text[..<end].lastIndex(of: "\n").map { text.index(after: $0) } ?? text.startIndex
            let line = text[start..<end]
            if !line.allSatisfy(\.isWhitespace) { return line }
            guard start > text.startIndex else { return nil }
            end = text.index(before: start)
        }
        return nil
    }
}
