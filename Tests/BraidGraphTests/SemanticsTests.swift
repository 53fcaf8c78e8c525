import Testing
@testable import BraidGraph

/// The shared meaning of finish policies, extraction and votes.
@Suite struct SemanticsTests {
    @Test(arguments: [(FinishPolicy.first, 4, 1), (.half, 4, 2), (.half, 5, 3), (.all, 4, 4), (.count(3), 4, 3), (.count(9), 4, 4)])
    func finishPolicyCounts(_ policy: FinishPolicy, _ branches: Int, _ needed: Int) {
        #expect(policy.requiredFinished(of: branches) == needed)
    }

    @Test func agreeDependsOnAnswers() {
        #expect(FinishPolicy.agree(2, extract: Pattern("x")).requiredFinished(of: 4) == nil)
    }

    @Test func extractionPrefersTheNamedGroupThenGroupOne() {
        let text = "first \\boxed{3} then \\boxed{15}"
        #expect(Pattern("\\\\boxed\\{([^}]*)\\}").extract(from: text) == "15")
        #expect(Pattern("\\\\boxed\\{([^}]*)\\}").extract(from: text, occurrence: .first) == "3")
        #expect(Pattern("(b)oxed\\{(?<answer>\\d+)").extract(from: text) == "15")
        #expect(Pattern("boxed").extract(from: text) == "boxed")
        #expect(Pattern("nothing").extract(from: text) == nil)
    }

    @Test func variablesInPatternsMatchLiterally() throws {
        let lookup = Pattern(template: TemplateSyntax.parse("Generated Node #{node}: (?<goal>\\d+)"))
        let text = "Generated Node #0,1: 7\nGenerated Node #0.1: 9\n"
        #expect(lookup.captures(in: text, values: ["node": "0.1"]) == ["goal": "9"])
        #expect(lookup.captures(in: text, values: ["node": "0,1"]) == ["goal": "7"])
        #expect(lookup.captures(in: text, values: ["node": "5"]) == nil)
    }

    @Test func majorityWinsAndTiesAreDeterministic() {
        #expect(TieRule.firstBranch.tally(["3", "15", " 15", nil]) == VoteResult(answer: "15", votes: 2, voters: 3))
        #expect(TieRule.firstBranch.tally(["b", "a", "a", "b"]).answer == "b")
        #expect(TieRule.smallest.tally(["b", "a", "a", "b"]).answer == "a")
        #expect(TieRule.firstBranch.tally([nil, nil]) == VoteResult(answer: nil, votes: 0, voters: 0))
    }
}
