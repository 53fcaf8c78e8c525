import Testing
@testable import BraidCountdown

/// Why a shared fixture could not be made; thrown by every test that uses it, so none passes on an empty list.
struct SharedFixtureFailure: Error, CustomStringConvertible {
    let description: String
}

/// 1,000 generated problems (seed 2024, train split), made once per test run: generation is deterministic.
private let generatedProblems: Result<[Problem], SharedFixtureFailure> = {
    do {
        let problems = try ProblemGenerator(config: GeneratorConfig()).generate(count: 1_000, seed: 2024, split: .train)
        guard problems.count == 1_000 else { return .failure(.init(description: "generated \(problems.count) problems, not 1,000")) }
        return .success(problems)
    } catch {
        return .failure(.init(description: "generating the 1,000 shared problems failed: \(error)"))
    }
}()

/// The 1,000 shared problems; throws (failing the calling test) when generation failed.
func thousandProblems() throws -> [Problem] { try generatedProblems.get() }

/// The solver settings the 1,000-problem tests use, per format.
func thousandSettings(_ format: TraceFormat) -> SolverSettings { SolverSettings(format: format, seed: 11) }

/// APR records of the 1,000 problems, shared by the answer test and the replay test (solving is the slow part).
private let solvedAPR: Result<[TraceRecord], SharedFixtureFailure> = {
    do {
        let solver = try TraceSolver(settings: thousandSettings(.apr))
        return .success(try thousandProblems().map(solver.solve))
    } catch let failure as SharedFixtureFailure {
        return .failure(failure)
    } catch {
        return .failure(.init(description: "making the APR solver failed: \(error)"))
    }
}()

/// The APR records of the 1,000 shared problems, in order; throws when they could not be made.
func thousandAPRRecords() throws -> [TraceRecord] { try solvedAPR.get() }

@Suite("Solver traces")
struct SolverTests {
    @Test("On 1,000 problems every trace's final answer, read back from its text, checks", arguments: TraceFormat.allCases)
    func everyAnswerChecks(format: TraceFormat) throws {
        try #require(try thousandProblems().count == 1_000)
        let solver = try TraceSolver(settings: thousandSettings(format))
        var retried = 0
        for (index, problem) in try thousandProblems().enumerated() {
            let record = format == .apr ? (try thousandAPRRecords())[index] : solver.solve(problem)
            #expect(record.solved, "\(problem.id) not solved")
            #expect(record.text.hasPrefix(record.prompt), "\(problem.id): text does not start with its prompt")
            let answer = try #require(AnswerExtractor.extract(from: record.text), "\(problem.id): no answer in the text")
            #expect(answer == record.answer)
            let verdict = SolutionChecker.check(answer, for: problem)
            #expect(verdict.isCorrect, "\(problem.id) \(format): \(answer): \(String(describing: verdict.problem))")
            if record.attempts > 1 { retried += 1 }
        }
        // Retries exist to guarantee success, not to do the work: most problems solve on the first draw.
        #expect(retried < 500, "\(retried) of 1000 needed a retry")
    }

    @Test("Same seed, same traces; another seed, other traces", arguments: TraceFormat.allCases)
    func determinism(format: TraceFormat) throws {
        let problems = Array(try thousandProblems().prefix(50))
        let a = try TraceSolver(settings: SolverSettings(format: format, seed: 5))
        let b = try TraceSolver(settings: SolverSettings(format: format, seed: 6))
        let first = try JSONLines.text(problems.map(a.solve))
        #expect(first == (try JSONLines.text(problems.map(a.solve))))
        #expect(first != (try JSONLines.text(problems.map(b.solve))))
    }

    @Test("A problem's trace does not depend on the other problems in the file")
    func orderIndependence() throws {
        let solver = try TraceSolver(settings: SolverSettings(format: .apr, seed: 3))
        let problems = Array(try thousandProblems().prefix(30))
        #expect(problems.map(solver.solve) == problems.reversed().map(solver.solve).reversed())
    }

    @Test("SoS+ traces use the stream-of-search line grammar and dive into sub searches")
    func sosGrammar() throws {
        let solver = try TraceSolver(settings: SolverSettings(format: .sos, seed: 1))
        let records = try thousandProblems().prefix(200).map(solver.solve)
        let allowed = ["Current State: ", "Exploring Operation: ", "Generated Node #", "Moving to Node #",
                       "Start Sub Search at level ", "Exit Sub Search at level ", "No solution found"]
        for record in records {
            for line in record.text.split(separator: "\n") {
                let known = allowed.contains { line.hasPrefix($0) } || line.hasSuffix("equal: Goal Reached")
                    || line.hasSuffix("unequal: No Solution")
                #expect(known, "unexpected line '\(line)'")
            }
        }
        #expect(records.contains { $0.text.contains("Start Sub Search at level 1: Moving to Node #0,") })
        #expect(records.allSatisfy { $0.text.components("Start Sub Search at level").count == $0.text.components("Exit Sub Search at level").count })
    }

    @Test("Failures are kept on request, and then the text says so")
    func keepFailures() throws {
        let solver = try TraceSolver(settings: SolverSettings(format: .sos, seed: 1, beam: 1, promising: 0, keepFailures: true))
        let records = try thousandProblems().prefix(100).map(solver.solve)
        let failed = records.filter { !$0.solved }
        #expect(!failed.isEmpty, "beam 1 without sub searches should miss some problems")
        #expect(failed.allSatisfy { $0.text.hasSuffix("No solution found.\n") && $0.answer == nil && $0.attempts == 1 })
    }

    @Test("ParaThinker: P tagged attempts, then a summary boxing a correct answer")
    func paraThinkerShape() throws {
        let solver = try TraceSolver(settings: SolverSettings(format: .parathinker, seed: 2, paths: 3))
        var sawFailedPath = false
        for problem in try thousandProblems().prefix(200) {
            let record = solver.solve(problem)
            let text = record.text
            var cursor = text.index(text.startIndex, offsetBy: record.prompt.count)
            for index in 1...3 {
                let open = try #require(text[cursor...].firstRange(of: "<think\(index)>Current State: "))
                #expect(open.lowerBound == cursor, "blocks follow each other without separators")
                let close = try #require(text[open.upperBound...].firstRange(of: "</think\(index)>"))
                cursor = close.upperBound
            }
            #expect(text[cursor...].hasPrefix(ParaThinkerTrace.summaryLead + " \\boxed{"))
            #expect(text.hasSuffix("}.</summary>"))
            let paths = try #require(record.paths)
            #expect(paths.count == 3)
            if paths.contains(where: { $0.answer == nil }) { sawFailedPath = true }
            // The summary's answer is the first path that has one.
            let winner = try #require(paths.first { $0.answer != nil }?.answer)
            #expect(record.answer == ParaThinkerTrace.expressionText(steps: winner, numbers: problem.numbers))
        }
        #expect(sawFailedPath, "small path beams should make some attempts fail")
    }

    @Test("Bad solver settings are rejected")
    func badSettings() {
        #expect(throws: CountdownError.self) { try TraceSolver(settings: SolverSettings(format: .sos, seed: 1, beam: 0)) }
        #expect(throws: CountdownError.self) { try TraceSolver(settings: SolverSettings(format: .parathinker, seed: 1, paths: 9)) }
        #expect(throws: CountdownError.self) { try TraceSolver(settings: SolverSettings(format: .apr, seed: 1, promising: 1.5)) }
    }
}

extension String {
    /// The pieces between occurrences of `separator` (test helper).
    func components(_ separator: String) -> [Substring] { split(separator: separator, omittingEmptySubsequences: false) }
}
