import BraidGraph
import BraidPlan
import BraidRuntime
import Foundation

/// Paths and helpers shared by the runtime tests.
enum Fixtures {
    /// The repository root.
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// A graph from `Graphs/`.
    static func graph(_ name: String, overrides: [String: String] = [:]) throws -> Graph {
        try GraphLoader.load(path: root.appendingPathComponent("Graphs/\(name)").path, overrides: overrides)
    }

    /// A graph from YAML text.
    static func graph(yaml: String, overrides: [String: String] = [:]) throws -> Graph {
        try GraphLoader.load(text: yaml, file: "test.yaml", overrides: overrides, baseDirectory: root.path)
    }

    /// Runs a graph on the scripted model, collecting the trace. Spawn rounds are checked as they are instantiated
    /// (as `BraidSession` checks them) against the model's context window and the machine's memory, at 8 KV bytes
    /// per token (the scripted model's KV is no real model's): every spawn test is also a test that rounds which
    /// fit are not refused.
    static func run(_ graph: Graph, on model: RuntimeModel, options: RunOptions = RunOptions()) throws -> (RunResult, [TraceEvent]) {
        var events: [TraceEvent] = []
        let result = try BraidRunner.run(graph: graph, on: model, options: options,
                                         roundCheck: Preflight(shape: shape(of: model), memoryLimit: nil)) { events.append($0) }
        return (result, events)
    }

    /// A shape of `model`'s context window and 8 KV bytes per token (1 layer, 1 KV head of 1, f32).
    static func shape(of model: RuntimeModel) -> ModelShape {
        ModelShape(layers: 1, kvHeads: 1, headDim: 1, contextLength: model.contextLength, kvBytesPerElement: 4)
    }

    /// The warnings of a trace.
    static func warnings(_ events: [TraceEvent]) -> [String] {
        events.compactMap { if case .warning(let w) = $0 { return w.message } else { return nil } }
    }

    /// The stop events of a trace, by thread.
    static func stops(_ events: [TraceEvent]) -> [String: ThreadStop] {
        var out: [String: ThreadStop] = [:]
        for case .stop(let s) in events { out[s.thread] = s }
        return out
    }
}

extension RunResult {
    /// The thread with this name.
    func thread(_ name: String) -> ThreadResult? { threads.first { $0.name == name } }
}
