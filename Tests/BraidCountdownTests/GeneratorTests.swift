import BraidRandom
import Testing
@testable import BraidCountdown

@Suite("Problem generator")
struct GeneratorTests {
    @Test("SplitMix64 matches the reference implementation's published stream for seed 1234567")
    func splitMixReferenceStream() {
        // First outputs of Vigna's splitmix64.c seeded with 1234567 (the usual test vector).
        var rng = SplitMix64(seed: 1_234_567)
        let expected: [UInt64] = [6_457_827_717_110_365_317, 3_203_168_211_198_807_973, 9_817_491_932_198_370_423,
                                  4_593_380_528_125_082_431, 16_408_922_859_458_223_821]
        #expect((0..<5).map { _ in rng.next() } == expected)
    }

    @Test("Bounded draws stay in range and reach both ends")
    func boundedDraws() {
        var rng = SplitMix64(seed: 7)
        let draws = (0..<2_000).map { _ in rng.int(in: 3...9) }
        #expect(draws.allSatisfy { (3...9).contains($0) })
        #expect(Set(draws) == Set(3...9))
    }

    @Test("1,000 four-number problems: all solvable, in range, distinct, with a checking solution")
    func onlySolvableProblems() throws {
        let config = GeneratorConfig(count: 4)
        let problems = try thousandProblems()  // seed 2024, train split, APR's default ranges
        #expect(problems.count == 1_000)
        #expect(Set(problems.map(\.canonicalKey)).count == 1_000)
        #expect(Set(problems.map(\.id)).count == 1_000)
        for problem in problems {
            #expect(problem.numbers.count == 4)
            #expect(problem.numbers.allSatisfy { config.numberRange.contains($0) })
            #expect(config.targetRange.contains(problem.target))
            #expect(ExhaustiveSolver.isSolvable(numbers: problem.numbers, target: problem.target))
            let solution = try #require(problem.solution)
            #expect(SolutionChecker.check(solution, for: problem).isCorrect, "\(problem.id): \(solution)")
        }
    }

    @Test("Three-number problems with small ranges")
    func threeNumbers() throws {
        let config = GeneratorConfig(count: 3, numberRange: 1...20, targetRange: 10...30)
        let problems = try ProblemGenerator(config: config).generate(count: 200, seed: 3, split: .train)
        #expect(problems.allSatisfy { $0.numbers.count == 3 && ExhaustiveSolver.isSolvable(numbers: $0.numbers, target: $0.target) })
    }

    @Test("Same seed gives identical output; another seed gives other problems")
    func determinism() throws {
        let generator = try ProblemGenerator(config: GeneratorConfig())
        let first = try JSONLines.text(generator.generate(count: 200, seed: 42, split: .train))
        let again = try JSONLines.text(generator.generate(count: 200, seed: 42, split: .train))
        let other = try JSONLines.text(generator.generate(count: 200, seed: 43, split: .train))
        #expect(first == again)
        #expect(first != other)
    }

    @Test("Held-out is disjoint from train whatever the seeds, and each split only holds its own problems")
    func heldOutDisjoint() throws {
        let generator = try ProblemGenerator(config: GeneratorConfig())
        let train = try thousandProblems() + (try generator.generate(count: 300, seed: 6, split: .train))
        let heldout = try generator.generate(count: 300, seed: 2024, split: .heldout)
        #expect(Set(train.map(\.canonicalKey)).isDisjoint(with: heldout.map(\.canonicalKey)))
        #expect(train.allSatisfy { ProblemSplit.of(canonicalKey: $0.canonicalKey) == .train && $0.split == .train })
        #expect(heldout.allSatisfy { ProblemSplit.of(canonicalKey: $0.canonicalKey) == .heldout && $0.split == .heldout })
    }

    @Test("A problem is the same puzzle in any number order")
    func canonicalKeyIgnoresOrder() {
        let a = Problem(id: "a", numbers: [8, 1, 6, 4], target: 10)
        let b = Problem(id: "b", numbers: [1, 4, 6, 8], target: 10)
        #expect(a.canonicalKey == b.canonicalKey)
        #expect(ProblemSplit.of(canonicalKey: a.canonicalKey) == ProblemSplit.of(canonicalKey: b.canonicalKey))
    }

    @Test("Bad settings are rejected with a message naming the setting")
    func badConfig() {
        #expect(throws: CountdownError.self) { try ProblemGenerator(config: GeneratorConfig(count: 7)) }
        #expect(throws: CountdownError.self) { try ProblemGenerator(config: GeneratorConfig(targetRange: 0...5)) }
        do {
            _ = try ProblemGenerator(config: GeneratorConfig(count: 9))
            Issue.record("expected an error")
        } catch {
            #expect(error.description.contains("--numbers"))
        }
    }

    @Test("A space too small for the request fails clearly instead of looping")
    func exhaustedSpace() throws {
        let generator = try ProblemGenerator(config: GeneratorConfig(count: 2, numberRange: 1...3, targetRange: 2...4))
        #expect(throws: CountdownError.self) { try generator.generate(count: 100, seed: 1, split: .train) }
    }

    @Test("Problem files round-trip and report the bad line")
    func problemFiles() throws {
        let problems = try ProblemGenerator(config: GeneratorConfig()).generate(count: 20, seed: 9, split: .heldout)
        let parsed = try ProblemFile.parse(JSONLines.text(problems), source: "p.jsonl")
        #expect(parsed == problems)
        let minimal = try ProblemFile.parse("{\"numbers\":[1,4,6,8],\"target\":10}\n", source: "m.jsonl")
        #expect(minimal.first?.id == "m.jsonl:1")
        #expect(throws: CountdownError.badInput(source: "x.jsonl", line: 2, message: "missing field 'target'")) {
            try ProblemFile.parse("{\"numbers\":[1,2],\"target\":3}\n{\"numbers\":[1,2]}\n", source: "x.jsonl")
        }
    }
}
