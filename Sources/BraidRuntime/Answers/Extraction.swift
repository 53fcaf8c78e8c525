import BraidRules
import Foundation

/// Regex matching for answers, votes, spawn messages, lookups and child results (ICU syntax, as the
/// graph language documents). The rules are `Pattern`'s (BraidGraph); this only turns a pattern that does
/// not compile into a `RunError` naming where it is used.
enum Extraction {
    /// Compiles a pattern after substituting its `{name}` variables, each escaped to match literally.
    static func regex(_ pattern: Pattern, variables: [String: String] = [:], what: String) throws -> NSRegularExpression {
        do {
            return try pattern.regularExpression(variables)
        } catch {
            let source = pattern.template.render { name in variables[name].map(NSRegularExpression.escapedPattern(for:)) }
            throw RunError.badPattern(what: what, pattern: source)
        }
    }

    /// Every match of `regex` in `text`, in order.
    static func matches(_ regex: NSRegularExpression, in text: String) -> [NSTextCheckingResult] {
        Pattern.matches(regex, in: text)
    }

    /// The match that counts under `occurrence`, if any.
    static func match(_ regex: NSRegularExpression, in text: String, occurrence: Occurrence) -> NSTextCheckingResult? {
        Pattern.match(regex, in: text, occurrence: occurrence)
    }

    /// Extracts an answer: `preferred` group, else group 1, else the whole match; nil when nothing matches.
    static func extract(_ pattern: Pattern, from text: String, occurrence: Occurrence, preferred: String,
                        what: String) throws -> String? {
        pattern.extract(with: try regex(pattern, what: what), from: text, occurrence: occurrence, preferredGroup: preferred)
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
