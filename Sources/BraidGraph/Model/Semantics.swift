import Foundation

// Pure helpers that pin down the meaning of finish policies, extraction and votes, so the compiler, the
// runtime and the tests agree on one definition.

extension FinishPolicy {
    /// How many finished branches (out of `branches`) end the fork; nil for `agree`, which depends on the
    /// branches' answers (at most `branches`).
    public func requiredFinished(of branches: Int) -> Int? {
        switch self {
        case .first: return min(1, branches)
        case .half: return (branches + 1) / 2
        case .all: return branches
        case .count(let k): return min(k, branches)
        case .agree: return nil
        }
    }
}

extension Pattern {
    /// Compiles the pattern, replacing each variable by its value escaped to match literally.
    public func regularExpression(_ values: [String: String] = [:]) throws -> NSRegularExpression {
        let source = template.render { name in values[name].map { NSRegularExpression.escapedPattern(for: $0) } }
        return try NSRegularExpression(pattern: source)
    }

    /// The extracted value of the chosen match in `text`: the named group `preferredGroup` if the pattern
    /// has it and it took part, else group 1, else the whole match. Nil when nothing matches.
    public func extract(from text: String, occurrence: Occurrence = .last, preferredGroup: String = "answer",
                        values: [String: String] = [:]) -> String? {
        guard let regex = try? regularExpression(values) else { return nil }
        let range = NSRange(text.startIndex..<text.endIndex, in: text)
        let matches = regex.matches(in: text, range: range)
        guard let match = occurrence == .first ? matches.first : matches.last else { return nil }
        var chosen = match.range
        if captureNames.contains(preferredGroup) {
            let named = match.range(withName: preferredGroup)
            if named.location != NSNotFound { chosen = named }
        } else if match.numberOfRanges > 1, match.range(at: 1).location != NSNotFound {
            chosen = match.range(at: 1)
        }
        guard let r = Range(chosen, in: text) else { return nil }
        return String(text[r])
    }

    /// Every named capture of the chosen match (captures that did not take part are empty strings).
    public func captures(in text: String, occurrence: Occurrence = .last, values: [String: String] = [:]) -> [String: String]? {
        guard let regex = try? regularExpression(values) else { return nil }
        let matches = regex.matches(in: text, range: NSRange(text.startIndex..<text.endIndex, in: text))
        guard let match = occurrence == .first ? matches.first : matches.last else { return nil }
        var out: [String: String] = [:]
        for name in captureNames {
            let r = match.range(withName: name)
            out[name] = r.location == NSNotFound ? "" : Range(r, in: text).map { String(text[$0]) } ?? ""
        }
        return out
    }
}

/// The outcome of a vote.
public struct VoteResult: Sendable, Hashable {
    /// The winning answer; nil when no branch gave one.
    public var answer: String?
    /// How many branches gave the winning answer.
    public var votes: Int
    /// How many branches gave any answer.
    public var voters: Int

    /// Creates a vote result.
    public init(answer: String?, votes: Int, voters: Int) {
        self.answer = answer
        self.votes = votes
        self.voters = voters
    }
}

extension TieRule {
    /// The distinct answers of a vote with their counts, most votes first, ties in the order this rule ranks
    /// them. `answers` holds one entry per branch in branch order (nil for a branch without an answer);
    /// answers are compared after trimming whitespace. The one definition of a vote, shared by the runtime.
    public func rank(_ answers: [String?]) -> [(answer: String, votes: Int)] {
        var counts: [String: Int] = [:]
        var firstBranch: [String: Int] = [:]
        for (branch, raw) in answers.enumerated() {
            guard let raw else { continue }
            let answer = raw.trimmingCharacters(in: .whitespacesAndNewlines)
            counts[answer, default: 0] += 1
            if firstBranch[answer] == nil { firstBranch[answer] = branch }
        }
        let ordered = counts.keys.sorted { a, b in
            let (va, vb) = (counts[a] ?? 0, counts[b] ?? 0)
            if va != vb { return va > vb }
            switch self {
            case .firstBranch: return (firstBranch[a] ?? 0) < (firstBranch[b] ?? 0)
            case .smallest: return a < b
            }
        }
        return ordered.map { (answer: $0, votes: counts[$0] ?? 0) }
    }

    /// Counts `answers` (one per branch in branch order, nil for a branch without an answer) and picks the
    /// majority, breaking ties by this rule (see `rank(_:)`).
    public func tally(_ answers: [String?]) -> VoteResult {
        let ranked = rank(answers)
        return VoteResult(answer: ranked.first?.answer, votes: ranked.first?.votes ?? 0,
                          voters: ranked.reduce(0) { $0 + $1.votes })
    }
}
