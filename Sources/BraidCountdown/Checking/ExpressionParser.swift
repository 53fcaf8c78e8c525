/// An arithmetic expression over integers: the second answer form the checker accepts
/// (`(8-6)*(1+4)`).
public indirect enum Expression: Sendable, Equatable, CustomStringConvertible {
    /// An integer literal (one of the problem's numbers).
    case number(Int)
    /// `left op right`.
    case binary(Expression, Operator, Expression)

    /// The literals in the order they appear.
    public var leaves: [Int] {
        switch self {
        case .number(let value): return [value]
        case .binary(let left, _, let right): return left.leaves + right.leaves
        }
    }

    /// The steps that evaluate the expression bottom-up, left to right; `nil` when a step breaks
    /// Countdown's rules (negative difference, inexact division, division by zero).
    public func steps() -> (value: Int, steps: [Operation])? {
        switch self {
        case .number(let value):
            return (value, [])
        case .binary(let left, let op, let right):
            guard let l = left.steps(), let r = right.steps(), let value = op.apply(l.value, r.value) else { return nil }
            return (value, l.steps + r.steps + [Operation(l.value, op, r.value, value)])
        }
    }

    /// Fully parenthesised except at the top: `(8-6)*(1+4)`.
    public var description: String { render(top: true) }

    private func render(top: Bool) -> String {
        switch self {
        case .number(let value): return String(value)
        case .binary(let left, let op, let right):
            let inner = left.render(top: false) + String(op.rawValue) + right.render(top: false)
            return top ? inner : "(" + inner + ")"
        }
    }
}

/// A recursive-descent parser for `+ - * /`, parentheses and non-negative integer literals, with the
/// usual precedence (`*` `/` bind tighter, all left-associative). Unary minus is not Countdown and is rejected.
struct ExpressionParser {
    private let chars: [Character]
    private var index = 0

    /// Parses `text` completely; the error names what was unexpected and where (0-based column).
    static func parse(_ text: String) -> Result<Expression, AnswerProblem> {
        var parser = ExpressionParser(chars: Array(text))
        do {
            let expression = try parser.parseSum()
            parser.skipSpaces()
            if parser.index < parser.chars.count {
                throw AnswerProblem.syntax("unexpected '\(parser.chars[parser.index])' at column \(parser.index)")
            }
            return .success(expression)
        } catch let problem as AnswerProblem {
            return .failure(problem)
        } catch {
            return .failure(.syntax("\(error)"))
        }
    }

    private init(chars: [Character]) {
        self.chars = chars
    }

    private mutating func skipSpaces() {
        while index < chars.count, chars[index].isWhitespace { index += 1 }
    }

    private mutating func peekOperator(_ allowed: [Operator]) -> Operator? {
        skipSpaces()
        guard index < chars.count, let op = normalizedOperator(chars[index]), allowed.contains(op) else { return nil }
        return op
    }

    private mutating func parseSum() throws -> Expression {
        var left = try parseProduct()
        while let op = peekOperator([.add, .subtract]) {
            index += 1
            left = .binary(left, op, try parseProduct())
        }
        return left
    }

    private mutating func parseProduct() throws -> Expression {
        var left = try parseAtom()
        while let op = peekOperator([.multiply, .divide]) {
            index += 1
            left = .binary(left, op, try parseAtom())
        }
        return left
    }

    private mutating func parseAtom() throws -> Expression {
        skipSpaces()
        guard index < chars.count else { throw AnswerProblem.syntax("expression ends too early") }
        if chars[index] == "(" {
            index += 1
            let inner = try parseSum()
            skipSpaces()
            guard index < chars.count, chars[index] == ")" else {
                throw AnswerProblem.syntax("missing ')' at column \(index)")
            }
            index += 1
            return inner
        }
        let start = index
        while index < chars.count, chars[index].isASCII, chars[index].isNumber { index += 1 }
        guard index > start else { throw AnswerProblem.syntax("expected a number at column \(start)") }
        guard index - start <= 12, let value = Int(String(chars[start..<index])) else {
            throw AnswerProblem.syntax("number too large at column \(start)")
        }
        return .number(value)
    }
}

/// Maps the operator spellings a model may use (`+ - * /`, `×`, `÷`, `−`) to ``Operator``.
func normalizedOperator(_ char: Character) -> Operator? {
    switch char {
    case "+": return .add
    case "-", "−", "–": return .subtract
    case "*", "×", "·": return .multiply
    case "/", "÷": return .divide
    default: return nil
    }
}
