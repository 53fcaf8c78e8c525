/// Why an answer was rejected.
public enum AnswerProblem: Error, Sendable, Equatable, CustomStringConvertible {
    /// Nothing that looks like an answer was found.
    case missing
    /// The answer could not be parsed.
    case syntax(String)
    /// A step's arithmetic is wrong (`8-6=3`).
    case arithmetic(String)
    /// A step breaks Countdown's rules (negative difference, inexact division).
    case rule(String)
    /// Numbers are used that are not available, or some are left unused.
    case numbers(String)
    /// Everything is legal but the result is not the target.
    case wrongTarget(String)

    /// A one-line explanation.
    public var description: String {
        switch self {
        case .missing: return "no answer found"
        case .syntax(let m): return "cannot parse answer: \(m)"
        case .arithmetic(let m): return "wrong arithmetic: \(m)"
        case .rule(let m): return "breaks the rules: \(m)"
        case .numbers(let m): return "wrong numbers: \(m)"
        case .wrongTarget(let m): return "misses the target: \(m)"
        }
    }
}

/// The checker's verdict on one answer.
public struct CheckResult: Sendable, Equatable {
    /// The steps the answer amounts to (empty when it could not be parsed).
    public var steps: [Operation]
    /// `nil` when the answer is correct, otherwise why not.
    public var problem: AnswerProblem?
    /// True when the answer solves the problem exactly.
    public var isCorrect: Bool { problem == nil }
}

/// The exact checker of a proposed Countdown solution.
///
/// Accepted answer forms (whitespace anywhere is ignored):
/// - an **operation list**, items separated by `,` `;` or newlines, optionally in a Python list with
///   quotes: `8-6=2, 1+4=5, 2*5=10` or `['8-6=2', '1+4=5', '2*5=10']`. Each item is `a op b = c`;
///   operands must be available (a starting number or an earlier result, each used once), the
///   arithmetic must be right, and after the last step exactly one number, the target, must remain.
/// - an **arithmetic expression** using every starting number exactly once, with `+ - * /` and
///   parentheses, optionally followed by `= target`: `(8-6)*(1+4)` or `(8-6)*(1+4) = 10`.
///
/// In both forms `-` must not go negative (larger minus smaller) and `/` must be exact; `×`, `÷` and
/// `−` are read as `*`, `/` and `-`. To check a whole model output or trace, first use
/// ``AnswerExtractor/extract(from:)``.
public enum SolutionChecker {
    /// Checks `answer` against `problem`.
    public static func check(_ answer: String, for problem: Problem) -> CheckResult {
        check(answer, numbers: problem.numbers, target: problem.target)
    }

    /// Checks `answer` against starting `numbers` and `target`.
    public static func check(_ answer: String, numbers: [Int], target: Int) -> CheckResult {
        let items = splitItems(answer)
        guard !items.isEmpty else { return CheckResult(steps: [], problem: .missing) }
        if items.count == 1 {
            return checkExpression(items[0], numbers: numbers, target: target)
        }
        var steps: [Operation] = []
        for item in items {
            switch parseStep(item) {
            case .success(let step): steps.append(step)
            case .failure(let problem): return CheckResult(steps: [], problem: problem)
            }
        }
        return CheckResult(steps: steps, problem: verify(steps, numbers: numbers, target: target))
    }

    /// Replays `steps` from `numbers`; `nil` when they legally end at exactly `[target]`.
    public static func verify(_ steps: [Operation], numbers: [Int], target: Int) -> AnswerProblem? {
        var available = numbers
        for step in steps {
            guard let value = step.op.apply(step.left, step.right) else {
                return .rule("\(step) is not allowed (subtraction must not go negative, division must be exact)")
            }
            guard value == step.result else {
                return .arithmetic("\(step.left)\(step.op.rawValue)\(step.right) is \(value), not \(step.result)")
            }
            for operand in [step.left, step.right] {
                guard let position = available.firstIndex(of: operand) else {
                    return .numbers("\(step) uses \(operand), which is not available in \(pythonList(available))")
                }
                available.remove(at: position)
            }
            available.append(step.result)
        }
        guard available.count == 1 else {
            return .numbers("\(pythonList(available)) remain; every number must be used exactly once")
        }
        guard available[0] == target else {
            return .wrongTarget("the steps reach \(available[0]), the target is \(target)")
        }
        return nil
    }

    private static func checkExpression(_ text: String, numbers: [Int], target: Int) -> CheckResult {
        var body = text
        var claimed: Int?
        if let equals = text.lastIndex(of: "=") {
            let left = text[..<equals].trimmingWhitespace
            let right = text[text.index(after: equals)...].trimmingWhitespace
            // Accept both `expr = 10` and `10 = expr`.
            if let value = Int(right) {
                body = String(left)
                claimed = value
            } else if let value = Int(left) {
                body = String(right)
                claimed = value
            } else {
                return CheckResult(steps: [], problem: .syntax("'=' must separate an expression and a number"))
            }
        }
        let expression: Expression
        switch ExpressionParser.parse(body) {
        case .success(let parsed): expression = parsed
        case .failure(let problem): return CheckResult(steps: [], problem: problem)
        }
        guard let (value, steps) = expression.steps() else {
            return CheckResult(steps: [], problem: .rule("\(expression) has a negative difference or an inexact division"))
        }
        guard expression.leaves.sorted() == numbers.sorted() else {
            return CheckResult(steps: steps, problem: .numbers(
                "uses \(pythonList(expression.leaves)), must use each of \(pythonList(numbers)) exactly once"))
        }
        if let claimed, claimed != value {
            return CheckResult(steps: steps, problem: .arithmetic("\(expression) is \(value), not \(claimed)"))
        }
        guard value == target else {
            return CheckResult(steps: steps, problem: .wrongTarget("\(expression) is \(value), the target is \(target)"))
        }
        return CheckResult(steps: steps, problem: nil)
    }

    /// Splits an answer into items, dropping list brackets, quotes and a trailing period.
    static func splitItems(_ answer: String) -> [String] {
        var text = answer.trimmingWhitespace
        if text.hasSuffix(".") { text.removeLast() }
        if text.hasPrefix("["), text.hasSuffix("]") { text = String(text.dropFirst().dropLast()) }
        let separators: Set<Character> = [",", ";", "\n"]
        return text.split(whereSeparator: { separators.contains($0) })
            .map { $0.filter { $0 != "'" && $0 != "\"" && $0 != "`" }.trimmingWhitespace }
            .filter { !$0.isEmpty }
    }

    /// Parses `a op b = c` (non-negative integers, any spacing).
    static func parseStep(_ item: String) -> Result<Operation, AnswerProblem> {
        let chars = Array(item.filter { !$0.isWhitespace })
        var index = 0
        func integer() -> Int? {
            let start = index
            while index < chars.count, chars[index].isASCII, chars[index].isNumber { index += 1 }
            guard index > start, index - start <= 12 else { return nil }
            return Int(String(chars[start..<index]))
        }
        guard let left = integer(), index < chars.count, let op = normalizedOperator(chars[index]) else {
            return .failure(.syntax("'\(item)' is not a step like 8-6=2"))
        }
        index += 1
        guard let right = integer(), index < chars.count, chars[index] == "=" else {
            return .failure(.syntax("'\(item)' is not a step like 8-6=2"))
        }
        index += 1
        guard let result = integer(), index == chars.count else {
            return .failure(.syntax("'\(item)' is not a step like 8-6=2"))
        }
        return .success(Operation(left, op, right, result))
    }
}

extension StringProtocol {
    /// The text without leading and trailing whitespace or newlines.
    var trimmingWhitespace: String {
        guard let first = firstIndex(where: { !$0.isWhitespace }),
              let last = lastIndex(where: { !$0.isWhitespace }) else { return "" }
        return String(self[first...last])
    }
}
