import BraidRandom

/// Beam choices shared by the solvers.
enum BeamPolicy {
    /// A beam no Countdown node exceeds (at most 4·C(5,2) = 40 successors): the search keeps every child
    /// and so is complete.
    static let unpruned = 10_000
    /// SoS+ draws its beam per problem from here (APR's SoS+ data: 1 to 5).
    static let sos: ClosedRange<Int> = 1...5
    /// APR draws its parent beam per problem from here; the child beam from `beam...aprChildMax`.
    static let apr: ClosedRange<Int> = 1...10
    /// Upper end of APR's child beam (the released model: beam 10, sub-beam 15).
    static let aprChildMax = 15
    /// ParaThinker attempts draw their beam from here (small, so attempts differ and some fail).
    static let parathinker: ClosedRange<Int> = 1...3
}

/// How to solve: format, seed, and the search knobs (unset knobs are drawn per problem, as APR does).
public struct SolverSettings: Sendable, Equatable {
    /// The trace format.
    public var format: TraceFormat
    /// The seed; each problem's stream is derived from it and the problem's numbers and target, so a
    /// problem's trace does not depend on which other problems are in the file.
    public var seed: UInt64
    /// A fixed beam, or `nil` to draw one per problem (SoS+ 1...5, APR 1...10, ParaThinker paths 1...3).
    public var beam: Int?
    /// APR: a fixed child beam, or `nil` to draw from `beam...15`.
    public var childBeam: Int?
    /// The chance an expansion dives into / spawns its children (`nil`: SoS+ 0.5, APR 0.9).
    public var promising: Double?
    /// ParaThinker: the number of attempts P.
    public var paths: Int
    /// Searches to try before the last, unpruned one (which always succeeds); 1 = unpruned at once.
    public var maxAttempts: Int
    /// Record the first search even when it fails (no retries).
    public var keepFailures: Bool

    /// Creates settings; see each property for the defaults.
    public init(format: TraceFormat, seed: UInt64, beam: Int? = nil, childBeam: Int? = nil, promising: Double? = nil,
                paths: Int = 4, maxAttempts: Int = 8, keepFailures: Bool = false) {
        self.format = format
        self.seed = seed
        self.beam = beam
        self.childBeam = childBeam
        self.promising = promising
        self.paths = paths
        self.maxAttempts = maxAttempts
        self.keepFailures = keepFailures
    }

    /// Checks the settings, naming the first bad one.
    public func validate() throws(CountdownError) {
        if let beam, beam < 1 { throw .invalidConfig("--beam must be at least 1 (got \(beam))") }
        if let childBeam, childBeam < 1 { throw .invalidConfig("--child-beam must be at least 1 (got \(childBeam))") }
        if let promising, !(0...1).contains(promising) {
            throw .invalidConfig("--promising must be between 0 and 1 (got \(promising))")
        }
        guard (1...8).contains(paths) else { throw .invalidConfig("--paths must be 1...8 (got \(paths))") }
        guard (1...100).contains(maxAttempts) else { throw .invalidConfig("--attempts must be 1...100 (got \(maxAttempts))") }
    }
}

/// Produces seeded, reproducible solver traces (SoS+, APR, ParaThinker) as ``TraceRecord``s.
public struct TraceSolver: Sendable {
    /// The settings every problem is solved with.
    public let settings: SolverSettings

    /// Creates a solver after validating `settings`.
    public init(settings: SolverSettings) throws(CountdownError) {
        try settings.validate()
        self.settings = settings
    }

    /// The trace for `problem`. Unless `keepFailures` is set, a failed search is retried with fresh
    /// draws and doubled beams (attempt k searches with 2^(k-1) times the drawn beam), and the last
    /// attempt is unpruned, so the record is solved whenever the problem is solvable while staying as
    /// short as the problem allows.
    public func solve(_ problem: Problem) -> TraceRecord {
        var rng = SplitMix64(seed: settings.seed ^ stableHash("\(settings.format.rawValue)|\(problem.stateText)"))
        var record = attempt(problem, number: 1, rng: &rng)
        var number = 1
        while !record.solved && !settings.keepFailures && number < settings.maxAttempts {
            number += 1
            record = attempt(problem, number: number, rng: &rng)
        }
        return record
    }

    private func attempt(_ problem: Problem, number: Int, rng: inout SplitMix64) -> TraceRecord {
        let last = !settings.keepFailures && number == settings.maxAttempts
        let id = "\(problem.id)/\(settings.format.rawValue)"
        // Widen the search on every retry; a beam of 2^6 already keeps every successor of 4 numbers.
        let scale = 1 << min(number - 1, 6)
        func widened(_ beam: Int) -> Int { last ? BeamPolicy.unpruned : min(BeamPolicy.unpruned, beam * scale) }
        switch settings.format {
        case .sos:
            let beam = widened(settings.beam ?? rng.int(in: BeamPolicy.sos))
            var search = BestFirstSearch(target: problem.target, beam: beam, promising: settings.promising ?? 0.5,
                                         rng: SplitMix64(seed: rng.next()))
            let result = search.run(numbers: problem.numbers)
            let prompt = "Current State: \(problem.stateText), Operations: []\n"
            return TraceRecord(id: id, problemID: problem.id, format: .sos, numbers: problem.numbers, target: problem.target,
                               prompt: prompt, text: result.text, answer: AnswerExtractor.extract(from: result.text),
                               solved: result.solved, attempts: number, beam: beam)
        case .apr:
            let drawn = settings.beam ?? rng.int(in: BeamPolicy.apr)
            let beam = widened(drawn)
            let childBeam = widened(settings.childBeam ?? rng.int(in: min(drawn, BeamPolicy.aprChildMax)...BeamPolicy.aprChildMax))
            var search = APRSearch(target: problem.target, beam: beam, childBeam: childBeam,
                                   promising: settings.promising ?? 0.9, rng: SplitMix64(seed: rng.next()))
            let result = search.run(numbers: problem.numbers)
            return TraceRecord(id: id, problemID: problem.id, format: .apr, numbers: problem.numbers, target: problem.target,
                               prompt: APRProtocol.rootPrompt(numbers: problem.numbers, target: problem.target),
                               text: result.thread.finalText, answer: AnswerExtractor.extract(from: result.thread.finalText),
                               solved: result.solved, attempts: number, beam: beam, childBeam: childBeam, apr: result.thread)
        case .parathinker:
            let beams = settings.beam.map { $0...$0 } ?? BeamPolicy.parathinker
            let attempts = ParaThinkerTrace.sample(problem, count: settings.paths, pathBeams: beams, scale: scale,
                                                   complete: last, rng: &rng)
            let prompt = CountdownTask.question(for: problem) + "\n"
            let paths = attempts.map { ParaThinkerPath(beam: $0.beam, answer: $0.answer) }
            let beam = attempts.map(\.beam).max() ?? 0
            guard let done = ParaThinkerTrace.completion(attempts, problem: problem) else {
                // No attempt succeeded: the summary cannot state a verified answer.
                var text = ""
                for (index, attempt) in attempts.enumerated() {
                    text += "<think\(index + 1)>" + attempt.text + "</think\(index + 1)>"
                }
                text += ParaThinkerTrace.summaryLead + " \\boxed{no solution}.</summary>"
                return TraceRecord(id: id, problemID: problem.id, format: .parathinker, numbers: problem.numbers,
                                   target: problem.target, prompt: prompt, text: prompt + text, answer: nil, solved: false,
                                   attempts: number, beam: beam, paths: paths)
            }
            return TraceRecord(id: id, problemID: problem.id, format: .parathinker, numbers: problem.numbers,
                               target: problem.target, prompt: prompt, text: prompt + done.text, answer: done.answer,
                               solved: true, attempts: number, beam: beam, paths: paths)
        }
    }
}
