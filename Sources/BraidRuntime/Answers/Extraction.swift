import BraidGraph
import Foundation

/// Regex matching for answers, votes, spawn messages, lookups and child results (ICU syntax, as the
/// graph language documents).
enum Extraction {
    /// Compiles a pattern after substituting its `{name}` variables, each escaped to match literally.
    static func regex(_ pattern: Pattern, variables: [String: String] = [:], what: String) throws -> NSRegularExpression {
        let source = pattern.template.render { name in
            variables[name].map(NSRegularExpression.escapedPattern(for:))
        }
        do {
            return try NSRegularExpression(pattern: source, options: [])
        } catch {
            throw RunError.badPattern(what: what, pattern: source)
        }
    }

    /// Every match of `regex` in `text`, in order.
    static func matches(_ regex: NSRegularExpression, in text: String) -> [NSTextCheckingResult] {
        regex.matches(in: text, options: [], range: NSRange(text.startIndex..., in: text))
    }

    /// The match that counts under `occurrence`, if any.
    static func match(_ regex: NSRegularExpression, in text: String, occurrence: Occurrence) -> NSTextCheckingResult? {
        let all = matches(regex, in: text)
        return occurrence == .first ? all.first : all.last
    }

    /// The text of a match's named group `preferred`, else its group 1, else the whole match.
    static func value(of match: NSTextCheckingResult, preferred: String, in text: String) -> String {
        if let range = Range(match.range(withName: preferred), in: text) { return String(text[range]) }
        if match.numberOfRanges > 1, let range = Range(match.range(at: 1), in: text) { return String(text[range]) }
        guard let range = Range(match.range, in: text) else { return "" }
        return String(text[range])
    }

    /// Every named group of a match that took part in it, by name.
    static func captures(of match: NSTextCheckingResult, names: [String], in text: String) -> [String: String] {
        var out: [String: String] = [:]
        for name in names {
            out[name] = Range(match.range(withName: name), in: text).map { String(text[$0]) } ?? ""
        }
        return out
    }

    /// Extracts an answer: `preferred` group, else group 1, else the whole match; nil when nothing matches.
    static func extract(_ pattern: Pattern, from text: String, occurrence: Occurrence, preferred: String,
                        what: String) throws -> String? {
        let compiled = try regex(pattern, what: what)
        return match(compiled, in: text, occurrence: occurrence).map { value(of: $0, preferred: preferred, in: text) }
    }
}

/// The outcome of a majority vote.
public struct VoteOutcome: Sendable, Equatable, Codable {
    /// Each branch's extracted answer in branch order (nil: it gave none and did not vote).
    public var answers: [String?]
    /// Votes per distinct answer, most votes first, ties in the order the tie rule ranks them.
    public var counts: [AnswerCount]
    /// The winning answer; nil when no branch gave one.
    public var winner: String?

    /// One answer and how many branches gave it.
    public struct AnswerCount: Sendable, Equatable, Codable {
        /// The answer.
        public var answer: String
        /// How many branches gave it.
        public var votes: Int
    }
}

/// Majority voting with deterministic tie-breaking, as `TieRule.rank` in the graph language defines it.
public enum Voting {
    /// Counts `answers` (nil = no vote; compared after trimming whitespace) and picks the winner: most votes;
    /// ties go to the answer first given by the lowest-numbered branch (`firstBranch`) or to the
    /// lexicographically smallest (`smallest`).
    public static func tally(_ answers: [String?], tie: TieRule) -> VoteOutcome {
        let ranked = tie.rank(answers)
        return VoteOutcome(answers: answers,
                           counts: ranked.map { VoteOutcome.AnswerCount(answer: $0.answer, votes: $0.votes) },
                           winner: ranked.first?.answer)
    }
}
