/// Finds the answer in a model output or a solver trace, so that ``SolutionChecker`` can check it.
///
/// Rules, first match wins:
/// 1. the content of the **last** `\boxed{…}` (ParaThinker summaries, chat models);
/// 2. in a search trace (SoS+, APR parent or child), the path that ends at the **last**
///    `x,T equal: Goal Reached` line: the operations of the nearest `Current State: …, Operations: [...]`
///    line above it plus the nearest `Exploring Operation: …` step above it, as an operation list;
/// 3. otherwise the last non-empty line, without an `Answer:` / `Final answer:` label.
///
/// Returns `nil` when the text has no candidate at all (empty, or a search that found no solution).
public enum AnswerExtractor {
    /// The answer text in `output`, or `nil`.
    public static func extract(from output: String) -> String? {
        if let boxed = lastBoxed(in: output) { return boxed }
        if let goal = output.lastRange(of: " equal: Goal Reached") {
            return pathAnswer(before: output[..<goal.lowerBound])
        }
        if output.firstOccurrence(of: "Current State:") != nil || output.firstOccurrence(of: "No solution found.") != nil {
            return nil  // a search trace that never reached the goal
        }
        let lines = output.split(separator: "\n")
        guard var last = lines.last(where: { !$0.trimmingWhitespace.isEmpty })?.trimmingWhitespace else { return nil }
        for label in ["Final answer:", "Final Answer:", "Answer:", "answer:"] where last.hasPrefix(label) {
            last = String(last.dropFirst(label.count)).trimmingWhitespace
        }
        return last.isEmpty ? nil : last
    }

    private static func pathAnswer(before text: Substring) -> String? {
        let stepPrefix = "Exploring Operation: "
        guard let stepMark = text.lastRange(of: stepPrefix) else { return nil }
        let stepLine = text[stepMark.upperBound...].prefix { $0 != "\n" }
        guard let comma = stepLine.firstOccurrence(of: ", Resulting Numbers:") else { return nil }
        let finalStep = String(stepLine[..<comma.lowerBound])
        var steps: [String] = []
        if let stateMark = text.lastRange(of: "Current State: ") {
            let state = text[stateMark.lowerBound...].prefix { $0 != "\n" }
            if let open = state.firstOccurrence(of: "Operations: [") {
                let inside = state[open.upperBound...].dropLast(state.hasSuffix("]") ? 1 : 0)
                steps = inside.split(separator: ",").map { $0.filter { $0 != "'" }.trimmingWhitespace }.filter { !$0.isEmpty }
            }
        }
        return (steps + [finalStep]).joined(separator: ", ")
    }

    /// The content of the last non-empty `\boxed{…}`, braces balanced (an empty `\boxed{}`, as in an
    /// instruction that asks for one, is skipped).
    static func lastBoxed(in text: String) -> String? {
        for start in text.occurrences(of: "\\boxed{").reversed() {
            var depth = 1
            var index = start.upperBound
            while index < text.endIndex {
                let char = text[index]
                if char == "{" { depth += 1 }
                if char == "}" {
                    depth -= 1
                    if depth == 0 { break }
                }
                index = text.index(after: index)
            }
            guard index < text.endIndex else { continue }
            let content = String(text[start.upperBound..<index]).trimmingWhitespace
            if !content.isEmpty { return content }
        }
        return nil
    }
}
