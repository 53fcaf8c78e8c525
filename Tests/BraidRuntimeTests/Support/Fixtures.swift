import BraidGraph
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

    /// Runs a graph on the scripted model, collecting the trace.
    static func run(_ graph: Graph, on model: RuntimeModel, options: RunOptions = RunOptions()) throws -> (RunResult, [TraceEvent]) {
        var events: [TraceEvent] = []
        let result = try BraidRunner.run(graph: graph, on: model, options: options) { events.append($0) }
        return (result, events)
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
