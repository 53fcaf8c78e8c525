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

    /// Whether a fork of `branches` branches is done. `answers` holds one entry per finished branch, in the
    /// order they finished: for `agree`, each one's extracted answer (see `Pattern.extract`), otherwise
    /// anything. `agree(k)` is met once k answers are equal (compared as a vote compares them), or when every
    /// branch has finished. The one definition of the finish rules, used by the runtime.
    public func isMet(finished answers: [String?], of branches: Int) -> Bool {
        if let needed = requiredFinished(of: branches) { return answers.count >= needed }
        guard case .agree(let k, _) = self else { return false }
        return TieRule.firstBranch.tally(answers).votes >= k || answers.count >= branches
    }
}

extension Pattern {
    /// Compiles the pattern, replacing each variable by its value escaped to match literally.
    public func regularExpression(_ values: [String: String] = [:]) throws -> NSRegularExpression {
        let source = template.render { name in values[name].map { NSRegularExpression.escapedPattern(for: $0) } }
        return try NSRegularExpression(pattern: source)
    }

    /// Every match of `regex` in `text`, in order.
    public static func matches(_ regex: NSRegularExpression, in text: String) -> [NSTextCheckingResult] {
        regex.matches(in: text, range: NSRange(text.startIndex..<text.endIndex, in: text))
    }

    /// The match that counts under `occurrence` (the first or the last), if any.
    public static func match(_ regex: NSRegularExpression, in text: String, occurrence: Occurrence) -> NSTextCheckingResult? {
        let all = matches(regex, in: text)
        return occurrence == .first ? all.first : all.last
    }

    /// The extracted value of a match of this pattern: the named group `preferredGroup` if the pattern has it
    /// and it took part, else group 1 if it took part, else the whole match.
    public func value(of match: NSTextCheckingResult, in text: String, preferredGroup: String = "answer") -> String {
        var chosen = match.range
        if captureNames.contains(preferredGroup) {
            let named = match.range(withName: preferredGroup)
            if named.location != NSNotFound { chosen = named }
        } else if match.numberOfRanges > 1, match.range(at: 1).location != NSNotFound {
            chosen = match.range(at: 1)
        }
        return Range(chosen, in: text).map { String(text[$0]) } ?? ""
    }

    /// Every named capture of a match of this pattern (captures that did not take part are empty strings).
    public func captures(of match: NSTextCheckingResult, in text: String) -> [String: String] {
        var out: [String: String] = [:]
        for name in captureNames {
            let r = match.range(withName: name)
            out[name] = r.location == NSNotFound ? "" : Range(r, in: text).map { String(text[$0]) } ?? ""
        }
        return out
    }

    /// The extracted value (see `value(of:in:preferredGroup:)`) of the chosen match in `text`, with the
    /// pattern compiled as `regex`. Nil when nothing matches. The one definition of answer, vote, agree and
    /// child-result extraction, shared by the runtime.
    public func extract(with regex: NSRegularExpression, from text: String, occurrence: Occurrence = .last,
                        preferredGroup: String = "answer") -> String? {
        Pattern.match(regex, in: text, occurrence: occurrence).map { value(of: $0, in: text, preferredGroup: preferredGroup) }
    }

    /// `extract(with:from:occurrence:preferredGroup:)` with the pattern compiled here; nil also when it does
    /// not compile (validated graphs' patterns do).
    public func extract(from text: String, occurrence: Occurrence = .last, preferredGroup: String = "answer",
                        values: [String: String] = [:]) -> String? {
        guard let regex = try? regularExpression(values) else { return nil }
        return extract(with: regex, from: text, occurrence: occurrence, preferredGroup: preferredGroup)
    }

    /// Every named capture of the chosen match (captures that did not take part are empty strings).
    public func captures(in text: String, occurrence: Occurrence = .last, values: [String: String] = [:]) -> [String: String]? {
        guard let regex = try? regularExpression(values),
              let match = Pattern.match(regex, in: text, occurrence: occurrence) else { return nil }
        return captures(of: match, in: text)
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
