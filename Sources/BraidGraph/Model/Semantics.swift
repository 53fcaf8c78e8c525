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
    /// Counts `answers` (one per branch in branch order, nil for a branch without an answer) and picks the
    /// majority, breaking ties by this rule. Answers are compared after trimming whitespace.
    public func tally(_ answers: [String?]) -> VoteResult {
        var counts: [String: Int] = [:]
        var firstBranch: [String: Int] = [:]
        var voters = 0
        for (branch, raw) in answers.enumerated() {
            guard let raw else { continue }
            let answer = raw.trimmingCharacters(in: .whitespacesAndNewlines)
            voters += 1
            counts[answer, default: 0] += 1
            if firstBranch[answer] == nil { firstBranch[answer] = branch }
        }
        guard let top = counts.values.max() else { return VoteResult(answer: nil, votes: 0, voters: 0) }
        let tied = counts.filter { $0.value == top }.map(\.key)
        let winner: String?
        switch self {
        case .firstBranch: winner = tied.min { (firstBranch[$0] ?? 0) < (firstBranch[$1] ?? 0) }
        case .smallest: winner = tied.min()
        }
        return VoteResult(answer: winner, votes: top, voters: voters)
    }
}
