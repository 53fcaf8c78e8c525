import BraidPlan
import BraidTransformer

/// Why a run could not start or did not complete. Each case says what is wrong and where.
public enum RunError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The run's inputs are bad (a missing required input, an unknown input name).
    case badInput(String)
    /// A regular expression of the graph does not compile once its variables are filled in.
    case badPattern(what: String, pattern: String)
    /// A step cannot run in this place (a merge of a fork that never ran, a vote over nothing).
    case badStep(step: String, reason: String)
    /// A thread ran past the model's context window.
    case contextOverflow(thread: String, position: Int, context: Int)
    /// The model or its KV cache refused an operation (out of the memory limit, a model error).
    case model(thread: String?, reason: String)
    /// The scheduler found live threads that can never run again (a bug; reported, not hidden).
    case stalled(String)
    /// The plan can't fit the model's context window or the memory limit, whenever every branch runs to its
    /// budget; found by `Preflight` before anything is decoded. The error names the segment at fault.
    case refused(PlanError)
    /// A run-time spawn round can't fit: one of its children, at its budget over what the run has written so far,
    /// would pass the context window or hold KV over the memory limit. Found as the round is instantiated, before
    /// any child token is decoded; names the spawn step, the child and the segment at fault.
    case spawnRefused(spawn: String, child: String, reason: PlanError)
    /// The run did something its plan does not say (opened a segment the plan lacks, or holds a view other than
    /// the plan's): a bug in the executor or the compiler, surfaced rather than run on.
    case planMismatch(segment: String, reason: String)
    /// The graph compiles to no plan, so it can't run (the compiler's error names the step).
    case uncompilable(PlanError)

    /// A one-line message.
    public var description: String {
        switch self {
        case .badInput(let reason): return reason
        case .badPattern(let what, let pattern): return "\(what): the regular expression '\(pattern)' does not compile"
        case .badStep(let step, let reason): return "step '\(step)': \(reason)"
        case .contextOverflow(let thread, let position, let context):
            return "thread '\(thread)' reached position \(position), the model's context window is \(context)"
        case .model(let thread, let reason): return thread.map { "thread '\($0)': \(reason)" } ?? reason
        case .stalled(let reason): return "the scheduler stalled: \(reason)"
        case .planMismatch(let segment, let reason): return "the run and its plan disagree at segment '\(segment)': \(reason)"
        case .uncompilable(let error): return "the graph can't be compiled into a plan: \(error)"
        case .refused(let error): return "refused before running: \(error) (`braid plan` shows the plan's bounds)"
        case .spawnRefused(let spawn, let child, let error):
            return "spawn '\(spawn)': round refused before child '\(child)' decoded a token: \(error)"
        }
    }

    /// True when the run failed for a reason in its input (exit code 1) rather than while running (3).
    public var isInputError: Bool {
        switch self {
        case .badInput, .badPattern, .badStep, .refused, .uncompilable: return true
        case .contextOverflow, .model, .stalled, .planMismatch, .spawnRefused: return false
        }
    }
}
