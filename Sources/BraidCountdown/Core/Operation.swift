/// One of Countdown's four operators.
public enum Operator: Character, Sendable, CaseIterable {
    /// Addition.
    case add = "+"
    /// Larger minus smaller (never negative).
    case subtract = "-"
    /// Multiplication.
    case multiply = "*"
    /// Exact division (no remainder, non-zero divisor).
    case divide = "/"

    /// Applies the operator under Countdown's rules; `nil` when the rules forbid it
    /// (negative difference, inexact division, division by zero) or the result does not fit in an `Int`.
    public func apply(_ left: Int, _ right: Int) -> Int? {
        switch self {
        case .add:
            let (sum, overflow) = left.addingReportingOverflow(right)
            return overflow ? nil : sum
        case .multiply:
            let (product, overflow) = left.multipliedReportingOverflow(by: right)
            return overflow ? nil : product
        case .subtract: return left >= right ? left - right : nil
        case .divide: return right != 0 && left % right == 0 ? left / right : nil
        }
    }
}

/// A single step `left op right = result`, written the way APR's traces write it (`8-6=2`).
public struct Operation: Sendable, Hashable, CustomStringConvertible {
    /// The left operand.
    public var left: Int
    /// The operator.
    public var op: Operator
    /// The right operand.
    public var right: Int
    /// The result the step claims.
    public var result: Int

    /// Creates a step; nothing is checked here (see ``isValid``).
    public init(_ left: Int, _ op: Operator, _ right: Int, _ result: Int) {
        self.left = left
        self.op = op
        self.right = right
        self.result = result
    }

    /// True when the arithmetic is right and the step obeys Countdown's rules.
    public var isValid: Bool { op.apply(left, right) == result }

    /// The trace spelling, e.g. `8-6=2`.
    public var description: String { "\(left)\(op.rawValue)\(right)=\(result)" }
}

/// Every step Countdown allows on the pair `(a, b)`, in the order APR's solver lists them:
/// `a+b`, `a*b`, then larger minus smaller, then the exact quotient of larger by smaller if there is one.
///
/// The order matters only for reproducing APR-style traces (ties in the heuristic keep this order).
/// A sum or product too large for an `Int` is left out (only reachable with hand-written huge inputs).
public func allowedOperations(_ a: Int, _ b: Int) -> [Operation] {
    var steps: [Operation] = []
    if let sum = Operator.add.apply(a, b) { steps.append(Operation(a, .add, b, sum)) }
    if let product = Operator.multiply.apply(a, b) { steps.append(Operation(a, .multiply, b, product)) }
    let (large, small) = a <= b ? (b, a) : (a, b)
    steps.append(Operation(large, .subtract, small, large - small))
    if small != 0 && large % small == 0 {
        steps.append(Operation(large, .divide, small, large / small))
    }
    return steps
}

/// Formats numbers the way Python prints a list of ints (`[1, 4, 2]`), as APR's traces do.
public func pythonList(_ numbers: [Int]) -> String {
    "[" + numbers.map(String.init).joined(separator: ", ") + "]"
}

/// Formats steps the way Python prints a list of strings (`['8-6=2', '1+4=5']`), as APR's traces do.
public func pythonList(_ operations: [Operation]) -> String {
    "[" + operations.map { "'\($0)'" }.joined(separator: ", ") + "]"
}
