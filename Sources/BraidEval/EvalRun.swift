import BraidCountdown
import BraidRuntime
import Foundation

/// One problem's run while an evaluation is in flight: its trace file (opened with the run's first event), the
/// critical-path count and step counter read from its events, and the record they make.
final class EvalRun {
    private var record: EvalRecord
    private let tracePath: String?
    private var writer: TraceWriter?
    private var openError: Error?
    private var critical = CriticalPathCounter()
    private var lastStep = 0
    private var started: Date?

    /// A run whose record starts as `record` (wrong, no answer, zero counts); its trace goes to `tracePath`.
    init(record: EvalRecord, tracePath: String?) {
        self.record = record
        self.tracePath = tracePath
    }

    /// Takes one of the run's trace events.
    func observe(_ event: TraceEvent) {
        if started == nil { started = Date() }
        if writer == nil, openError == nil, let tracePath {
            do { writer = try TraceWriter(path: tracePath) } catch { openError = error }
        }
        writer?.write(event)
        critical.observe(event)
        if case .forward(let f) = event { lastStep = max(lastStep, f.step + 1) }
    }

    /// Closes the trace file; throws when it could not be opened.
    func close() throws {
        writer?.close()
        writer = nil
        if let openError, let tracePath {
            throw EvalError("cannot write the trace '\(tracePath)': \(openError.localizedDescription)")
        }
    }

    /// The record of a run that completed: its answer checked by the problem's checker.
    func checked(_ result: RunResult, problem: EvalProblem) -> EvalRecord {
        let verdict: EvalVerdict
        if let answer = result.answer {
            verdict = problem.check(output: answer)
            record.checked = "answer"
        } else {
            verdict = problem.check(output: result.finalText)
        }
        record.correct = verdict.isCorrect
        record.answer = verdict.answer
        record.reason = verdict.isCorrect ? nil : verdict.reason
        record.seconds = result.stats.seconds
        record.sampledTokens = result.stats.sampled
        record.writtenTokens = result.stats.written
        record.sequentialTokens = result.stats.sequentialTokens ?? critical.longest
        record.peakKVBytes = result.stats.peakKVBytes
        record.steps = result.stats.steps
        return record
    }

    /// The record of a run that failed while running (counted as wrong, with its error).
    func failed(_ error: RunError) -> EvalRecord {
        record.seconds = started.map { Date().timeIntervalSince($0) } ?? 0
        record.sequentialTokens = critical.longest
        record.steps = lastStep
        record.reason = "run failed"
        record.error = error.description
        return record
    }
}
