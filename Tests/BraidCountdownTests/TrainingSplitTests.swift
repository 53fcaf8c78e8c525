import Foundation
import Testing
@testable import BraidCountdown

/// The held-out problems behind Docs/results.md never appeared in the shipped models' training data.
///
/// Each shipped model's sidecar (`Models/countdown/*.json`, written by `Training/train.py`) states the
/// generator settings and seed its training problems came from; the training traces are a pure function of
/// those (Docs/countdown.md), so regenerating the problems here gives exactly what the model was trained on.
@Suite("Training data versus held-out results problems")
struct TrainingSplitTests {
    static let repository = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The data section of one sidecar.
    struct Recipe: Decodable {
        struct DataSettings: Decodable {
            let problems: Int
            let numbers: Int
            let number_range: [Int]
            let target_range: [Int]
        }
        let seed: UInt64
        let data: DataSettings
    }

    static func recipes() throws -> [(name: String, recipe: Recipe)] {
        let folder = repository.appendingPathComponent("Models/countdown")
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".json") }.sorted()
        return try names.map { name in
            (name, try JSONDecoder().decode(Recipe.self, from: Data(contentsOf: folder.appendingPathComponent(name))))
        }
    }

    static func resultsProblems() throws -> [Problem] {
        let url = repository.appendingPathComponent("Docs/results/heldout-cd3.jsonl")
        return try ProblemFile.parse(String(contentsOf: url, encoding: .utf8), source: url.path)
    }

    @Test("Every results problem is in the held-out split by the generator's hash")
    func resultsProblemsAreHeldOut() throws {
        let problems = try Self.resultsProblems()
        #expect(problems.count == 500)
        for problem in problems {
            #expect(ProblemSplit.of(canonicalKey: problem.canonicalKey) == .heldout, "\(problem.id)")
        }
    }

    @Test("No results problem is among any shipped model's training problems")
    func resultsProblemsNeverTrainedOn() throws {
        let recipes = try Self.recipes()
        try #require(!recipes.isEmpty, "no Models/countdown/*.json sidecars")
        let heldOut = Set(try Self.resultsProblems().map(\.canonicalKey))
        for (name, recipe) in recipes {
            let d = recipe.data
            let config = GeneratorConfig(count: d.numbers, numberRange: d.number_range[0]...d.number_range[1],
                                         targetRange: d.target_range[0]...d.target_range[1])
            let training = try ProblemGenerator(config: config).generate(count: d.problems, seed: recipe.seed, split: .train)
            #expect(training.count == d.problems, "\(name)")
            let overlap = Set(training.map(\.canonicalKey)).intersection(heldOut)
            #expect(overlap.isEmpty, "\(name): \(overlap.sorted().prefix(5))")
        }
    }

    @Test("The check can fail: a training problem written into the results set is found")
    func overlapIsDetectable() throws {
        let training = try ProblemGenerator(config: GeneratorConfig(count: 3, numberRange: 1...30, targetRange: 10...50))
            .generate(count: 50, seed: 1, split: .train)
        let mixed = Set(try Self.resultsProblems().map(\.canonicalKey) + [training[7].canonicalKey])
        #expect(!Set(training.map(\.canonicalKey)).intersection(mixed).isEmpty)
        #expect(ProblemSplit.of(canonicalKey: training[7].canonicalKey) == .train)
    }
}
