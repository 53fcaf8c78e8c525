// The plan IR stores templates and patterns as text in the language's syntax and types finish rules, occurrences and
// tie rules with the shared vocabulary of BraidRules, so rendering a template, matching a pattern, checking a finish
// rule and ranking a vote use those definitions (the same ones the local executor uses). Nothing in this module
// reads a `Graph`: the executor runs the `Plan`.
import BraidPlan
import BraidRules
import Foundation

/// The graph language's meanings, as the executor needs them.
enum PlanLanguage {
    /// A template (`{question}`, `<think{i}>`) rendered with `variables`.
    static func render(_ template: String, _ variables: [String: String]) -> String {
        TemplateSyntax.parse(template).render(variables)
    }

    /// A plan template rendered with `variables`.
    static func render(_ template: Template, _ variables: [String: String]) -> String {
        template.render(variables)
    }

    /// Whether the fork is done, given each finished branch's text in the order they finished
    /// (`FinishPolicy.isMet`; for `agree`, each text's extracted answer is compared).
    static func isMet(_ fork: ForkPlan, finished texts: [String], of branches: Int) throws -> Bool {
        let policy = fork.finish
        var answers: [String?] = texts.map { _ in nil }
        if case .agree(_, let extract) = policy {
            answers = try texts.map { try self.extract(extract, from: $0, occurrence: .last, preferred: "answer", what: "fork '\(fork.id)' agree") }
        }
        return policy.isMet(finished: answers, of: branches)
    }

    /// Extracts a value with a plan pattern (named group `preferred`, else group 1, else the match); nil when nothing
    /// matches; a pattern that does not compile is an error naming `what`.
    static func extract(_ pattern: Pattern, from text: String, occurrence: Occurrence, preferred: String,
                                what: String) throws -> String? {
        pattern.extract(with: try regex(pattern, variables: [:], what: what), from: text, occurrence: occurrence,
                        preferredGroup: preferred)
    }

    /// A pattern compiled with its `{name}` variables substituted (escaped to match literally).
    static func regex(_ pattern: Pattern, variables: [String: String], what: String) throws -> NSRegularExpression {
        do {
            return try pattern.regularExpression(variables)
        } catch {
            throw ServingRunError.badPattern(what: what, pattern: pattern.description)
        }
    }

    /// A vote over branch answers (`TieRule.rank`): the ranked answers, most votes first.
    static func rank(_ answers: [String?], tie: TieRule) -> [(answer: String, votes: Int)] {
        tie.rank(answers)
    }

    /// The messages of a spawn block: each match of the message pattern with its named captures.
    static func messages(_ message: Pattern, in block: String, variables: [String: String], what: String) throws
        -> [[String: String]] {
        let regex = try regex(message, variables: variables, what: what)
        return Pattern.matches(regex, in: block).map { message.captures(of: $0, in: block) }
    }

    /// Where the first message of a spawn block starts in `text`, if any (UTF-8 offset).
    static func firstMessageStart(_ pattern: Pattern, in text: String, variables: [String: String], what: String) throws -> String.Index? {
        let regex = try regex(pattern, variables: variables, what: what)
        guard let first = Pattern.matches(regex, in: text).first, let range = Range(first.range, in: text) else { return nil }
        return range.lowerBound
    }

    /// A spawn lookup: the captures of its match in `text` (with `variables` substituted into the pattern), nil
    /// when it finds nothing; `names` are the pattern's capture names (set empty when an optional lookup fails).
    static func lookup(_ lookup: SpawnLookup, in text: String, variables: [String: String], what: String) throws
        -> (captures: [String: String]?, names: [String]) {
        let pattern = lookup.pattern
        let regex = try regex(pattern, variables: variables, what: what)
        guard let found = Pattern.match(regex, in: text, occurrence: lookup.occurrence) else { return (nil, pattern.captureNames) }
        return (pattern.captures(of: found, in: text), pattern.captureNames)
    }
}
