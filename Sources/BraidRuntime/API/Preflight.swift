import BraidGraph
import BraidPlan
import BraidTransformer
import Foundation

/// The check every run passes before anything is decoded: the graph is compiled (`BraidPlan`) and the plan's worst
/// case — the real prompt length, every branch at its budget — is bounded against the model's context window and
/// the KV memory limit.
///
/// `BraidSession.run` always runs it, so `braid run`, `braid eval`, `braid bench graph` and the Swift API refuse the
/// same plans with the same message (`RunError.refused`, naming the segment at fault). A violation reached only
/// if run-time spawns take every round with every child at full budget is not refused: it becomes a note; the
/// engine checks each round against this shape and limit as it is instantiated (`Bounds.roundViolation`,
/// `RunError.spawnRefused`) and stops a thread at the context window as it goes.
///
/// Without a memory limit, the machine's physical memory is the limit: a plan whose KV can't fit the machine can't
/// run. The check is linear in the plan's size, and a fork whose branches alone are over the limit is refused before
/// it is compiled (`CompileLimits`), so even a graph asking for 100,000 paths is refused at once. `quickCheck` is
/// the part that needs no prompt and no weights (bounds with an empty prompt), for commands to run before loading
/// the model; `check` runs it too, so the message is the same wherever a plan is refused.
public struct Preflight: Sendable {
    /// The model's shape as the bounds see it (layers, KV heads, head dimension, context window, KV element size).
    public var shape: ModelShape
    /// The most KV bytes a run may hold (`--memory-limit`); nil: the machine's physical memory.
    public var memoryLimit: Int?

    /// `memoryLimit`, or the machine's physical memory when none is set.
    public var effectiveMemoryLimit: Int {
        memoryLimit ?? Int(clamping: ProcessInfo.processInfo.physicalMemory)
    }

    /// A check against a model of this configuration whose KV store keeps elements of `kvPrecision`
    /// (f32 by default, as `KVStore` does unless asked for f16).
    public init(config: ModelConfig, memoryLimit: Int?, kvPrecision: KVPrecision = .f32) {
        shape = ModelShape(layers: config.layers, kvHeads: config.kvHeads, headDim: config.headDim,
                           contextLength: config.contextLength, kvBytesPerElement: kvPrecision.bytes)
        self.memoryLimit = memoryLimit
    }

    /// A check against a model of this shape.
    public init(shape: ModelShape, memoryLimit: Int?) {
        self.shape = shape
        self.memoryLimit = memoryLimit
    }

    /// What the check found when it did not refuse.
    public struct Report: Sendable {
        /// The plan's bounds (nil when the graph could not be compiled into a plan, see `notes`).
        public var bounds: Bounds?
        /// The compiled plan, which the run executes (nil when the graph could not be compiled, see `notes`).
        public var plan: Plan?
        /// Things worth telling the user that do not stop the run: a run-time worst case that would not fit, or
        /// why the bounds could not be checked.
        public var notes: [String]
    }

    /// The part of `check` that needs neither the prompt nor the weights, for commands to run before loading the
    /// model: compiles `graph` under `CompileLimits` (a fork whose branches alone can't fit the memory limit is
    /// refused before it is built) and bounds the plan with an empty prompt and empty inputs. Bounds only grow with
    /// lengths, so what can't fit then can't fit with the real prompt either. Throws `RunError.refused`.
    /// (A graph the compiler can't place passes: `check` notes it.)
    public func quickCheck(_ graph: Graph) throws {
        guard case .success(let plan) = try compile(graph) else { return }
        do {
            try refuseStatic(plan, estimate: Self.emptyInputs)
        } catch is PlanError {
            return  // `check` notes it
        }
    }

    /// Compiles `graph` and checks its bounds with the root prompt at `promptTokens` tokens; any other use of an
    /// input is bounded by the longest input value's UTF-8 bytes. Throws `RunError.refused` naming the segment
    /// when the static part can't fit. Runs `quickCheck`'s part first, so every entry point refuses a plan with the
    /// same message whether or not its command checked before loading the model.
    public func check(_ graph: Graph, inputs: [String: String], promptTokens: Int) throws -> Report {
        let plan: Plan
        switch try compile(graph) {
        case .success(let compiled): plan = compiled
        case .failure(let error): return Report(bounds: nil, plan: nil, notes: [Self.unchecked(error)])
        }
        let values = graph.inputs.compactMap { inputs[$0.name] ?? $0.defaultValue }
        let estimate = LengthEstimate(lengths: ["prompt": promptTokens], inputTokens: values.map(\.utf8.count).max() ?? 0)
        let violations: (bounds: Bounds, list: [Bounds.Violation])
        do {
            try refuseStatic(plan, estimate: Self.emptyInputs)
            violations = try refuseStatic(plan, estimate: estimate)
        } catch let error as PlanError {
            return Report(bounds: nil, plan: plan, notes: [Self.unchecked(error)])
        }
        var notes: [String] = []
        let runTime = violations.list.filter(\.runTime)
        if let first = runTime.first {
            let more = runTime.count > 1 ? " (and \(runTime.count - 1) more run-time segments)" : ""
            notes.append("in the worst case (every spawn round, every child at full budget) \(first.error)\(more)")
        }
        return Report(bounds: violations.bounds, plan: plan, notes: notes)
    }

    /// Lengths for a check before the prompt is known: an empty prompt, empty inputs (each at most the real one).
    static let emptyInputs = LengthEstimate(lengths: ["prompt": 0], inputTokens: 0)

    /// Bounds `plan` with `estimate` and throws `RunError.refused` for the first static violation; returns the
    /// bounds and every violation (all run-time). Throws the `PlanError` when the bounds can't be computed (the
    /// runtime still guards the context window and the memory limit as it goes).
    @discardableResult
    private func refuseStatic(_ plan: Plan, estimate: LengthEstimate) throws -> (bounds: Bounds, list: [Bounds.Violation]) {
        let bounds = try Bounds.compute(plan, model: shape, estimate: estimate)
        let violations = bounds.violations(memoryLimit: effectiveMemoryLimit)
        if let error = violations.first(where: { !$0.runTime })?.error { throw RunError.refused(error) }
        return (bounds, violations)
    }

    /// The plan under `CompileLimits`; a fork over them is refused, any other compile error is returned (the
    /// runtime still guards the context window and the memory limit as it goes).
    private func compile(_ graph: Graph) throws -> Result<Plan, PlanError> {
        do {
            return .success(try GraphCompiler.compile(graph, limits: CompileLimits(model: shape, memoryLimit: effectiveMemoryLimit)))
        } catch let error as PlanError {
            if case .memoryOverLimit = error { throw RunError.refused(error) }
            return .failure(error)
        }
    }

    /// The note for a plan whose bounds could not be computed.
    private static func unchecked(_ error: PlanError) -> String {
        "the plan's bounds were not checked: \(error)"
    }
}
