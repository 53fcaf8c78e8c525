import BraidRandom

/// Builds ParaThinker-style texts: P independently sampled attempts, then a summary stating the
/// verified answer.
///
/// Each attempt is a short best-first search (no inline sub-searches) with its own seed and a beam
/// drawn from `pathBeams`, so attempts differ and some fail. The summary boxes the answer of the first
/// attempt whose answer the exact checker accepts, written as an expression (`(8-6)*(1+4)`).
enum ParaThinkerTrace {
    /// The fixed start of every summary (ParaThinker forces it token by token at inference).
    static let summaryLead = "<summary>By analyzing multiple reasoning processes above, I concluded that: The final answer is"

    struct Attempt {
        var text: String
        var beam: Int
        var answer: String?
    }

    /// Samples `count` attempts for `problem` with beams drawn from `pathBeams`. Only the last attempt is
    /// widened, by `scale` (retries) or without pruning when `complete` is set (which always succeeds on a
    /// solvable problem), so the other paths stay short samples.
    static func sample(_ problem: Problem, count: Int, pathBeams: ClosedRange<Int>, scale: Int, complete: Bool,
                       rng: inout SplitMix64) -> [Attempt] {
        (0..<count).map { index in
            let drawn = rng.int(in: pathBeams)
            let isLast = index == count - 1
            let beam = isLast ? (complete ? BeamPolicy.unpruned : min(BeamPolicy.unpruned, drawn * scale)) : drawn
            var search = BestFirstSearch(target: problem.target, beam: beam, promising: 0, rng: SplitMix64(seed: rng.next()))
            let result = search.run(numbers: problem.numbers)
            let answer = AnswerExtractor.extract(from: result.text)
            let verified = answer.flatMap { SolutionChecker.check($0, for: problem).isCorrect ? $0 : nil }
            return Attempt(text: result.text, beam: beam, answer: verified)
        }
    }

    /// The completion after the prompt: the attempts in `<thinkI>` tags, then the summary. `nil` when no
    /// attempt is correct (the caller resamples).
    static func completion(_ attempts: [Attempt], problem: Problem) -> (text: String, answer: String)? {
        guard let winner = attempts.first(where: { $0.answer != nil }), let steps = winner.answer,
              let expression = expressionText(steps: steps, numbers: problem.numbers) else { return nil }
        // No separators between blocks: at inference each path is its own branch after the prompt
        // and the summary follows the paths directly (Graphs/parathinker.yaml).
        var text = ""
        for (index, attempt) in attempts.enumerated() {
            text += "<think\(index + 1)>" + attempt.text + "</think\(index + 1)>"
        }
        text += summaryLead + " \\boxed{\(expression)}.</summary>"
        return (text, expression)
    }

    /// Rewrites a checked operation list as one expression over the starting numbers.
    static func expressionText(steps answer: String, numbers: [Int]) -> String? {
        var pool: [(value: Int, expression: Expression)] = numbers.map { ($0, .number($0)) }
        for item in SolutionChecker.splitItems(answer) {
            guard case .success(let step) = SolutionChecker.parseStep(item),
                  let left = pool.firstIndex(where: { $0.value == step.left }) else { return nil }
            let leftExpression = pool.remove(at: left).expression
            guard let right = pool.firstIndex(where: { $0.value == step.right }) else { return nil }
            let rightExpression = pool.remove(at: right).expression
            pool.append((step.result, .binary(leftExpression, step.op, rightExpression)))
        }
        return pool.count == 1 ? pool[0].expression.description : nil
    }
}
