/// A recorded APR run ready for a scheduler test: the problem, the solver's record (every parent segment
/// and child string) and the scheduler steps that rebuild them.
public struct APRRecording: Sendable, Equatable, Codable {
    /// The problem solved.
    public var problem: Problem
    /// The solver's record; `record.apr` holds the expected parent segments and children.
    public var record: TraceRecord
    /// What a scheduler sees and must produce, step by step (``APRReplay/steps(of:rootPrompt:)``).
    public var steps: [APRReplayStep]

    /// The expected strings: the parent's segments and each spawn's children.
    public var thread: APRThread { record.apr ?? APRThread(segments: [record.text]) }

    /// `count` recordings of fresh problems (4 numbers, APR's ranges) solved with APR's default draws.
    ///
    /// Deterministic: the runtime's spawn/join tests can call this instead of reading a fixture file.
    /// About 90% of APR traces spawn once; use ``multiRound(count:seed:)`` for parents that spawn repeatedly.
    public static func sample(count: Int, seed: UInt64) throws(CountdownError) -> [APRRecording] {
        let problems = try ProblemGenerator(config: GeneratorConfig()).generate(count: count, seed: seed, split: .train)
        return try problems.map { problem throws(CountdownError) in try record(problem, seed: seed) }
    }

    /// `count` recordings whose parent spawns at least twice (a failed join, then more searching).
    public static func multiRound(count: Int, seed: UInt64) throws(CountdownError) -> [APRRecording] {
        let problems = try ProblemGenerator(config: GeneratorConfig()).generate(count: max(count * 60, 60), seed: seed, split: .train)
        var found: [APRRecording] = []
        for problem in problems where found.count < count {
            let recording = try record(problem, seed: seed)
            if recording.steps.count >= 3 { found.append(recording) }
        }
        return found
    }

    /// The recording of `problem` solved with APR's default draws and `seed`.
    public static func record(_ problem: Problem, seed: UInt64) throws(CountdownError) -> APRRecording {
        let record = try TraceSolver(settings: SolverSettings(format: .apr, seed: seed)).solve(problem)
        guard let thread = record.apr else { throw .malformedTrace("APR solver returned no thread for \(problem.id)") }
        return APRRecording(problem: problem, record: record, steps: try APRReplay.steps(of: thread, rootPrompt: record.prompt))
    }
}
