import BraidCountdown
import BraidEval
import BraidGraph
import BraidRuntime
import BraidTransformer
import Foundation
import Testing

/// `braid eval --batch N` on the real default model: problems that run together give the records and traces
/// they give one at a time (needs a release build: `make test`).
@Suite("Batched eval on the real model")
struct BatchEvalTests {
    struct Missing: Error, CustomStringConvertible {
        let description: String
    }

    static func session() throws -> BraidSession {
        let url = ModelCache.defaultModel
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw Missing(description: "model file \(url.path) is missing: run scripts/fetch-model.sh (or set BRAID_MODELS)")
        }
        return try BraidSession(model: url, threads: 1)
    }

    /// A fresh empty directory for traces.
    static func directory(_ name: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("braid-batch-\(name)-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// Every trace file of a directory by name, each a list of events without their wall times (`ms`).
    static func traces(in directory: String) throws -> [String: [NSDictionary]] {
        var out: [String: [NSDictionary]] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: directory) {
            let text = try String(contentsOfFile: (directory as NSString).appendingPathComponent(name), encoding: .utf8)
            out[name] = try text.split(separator: "\n").map { line in
                let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] ?? [:]
                return NSDictionary(dictionary: object.filter { $0.key != "ms" })
            }
        }
        return out
    }

    /// A record without its wall time.
    static func untimed(_ record: EvalRecord) -> EvalRecord {
        var record = record
        record.seconds = 0
        return record
    }

    @Test("parathinker, self-consistency and APR: --batch 4 and 8 give the records and traces of one problem at a time")
    func batchEqualsOneAtATime() throws {
        let session = try Self.session()
        let problems = try EvalTasks.named("countdown").generateProblems(count: 5, seed: 11)
        // Sampled (temperature > 0) where the graphs sample: each thread's seeded stream must be untouched.
        let configurations = [
            EvalConfiguration(graph: try EvalFixtures.graph("parathinker.yaml", overrides: [
                "paths": "3", "path_tokens": "10", "summary_tokens": "6"])),
            EvalConfiguration(graph: try EvalFixtures.graph("self-consistency.yaml", overrides: ["samples": "3", "tokens": "8"])),
            EvalConfiguration(graph: try EvalFixtures.graph("apr.yaml", overrides: ["parent_tokens": "12", "child_tokens": "6"])),
        ]
        for configuration in configurations {
            // The reference: each problem through `BraidSession.run`, the single-run path.
            let aloneDirectory = try Self.directory("alone")
            defer { try? FileManager.default.removeItem(atPath: aloneDirectory) }
            let alone = try Evaluator(task: "countdown", seed: 5, traceDirectory: aloneDirectory) { graph, options, observer in
                try session.run(graph: graph, options: options, observer: observer)
            }.evaluate(configuration, problems: problems)
            let aloneTraces = try Self.traces(in: aloneDirectory)
            #expect(alone.count == problems.count && aloneTraces.count == problems.count)
            #expect(alone.allSatisfy { $0.error == nil && $0.steps > 0 }, "\(alone.compactMap(\.error))")
            for width in [4, 8] {
                let directory = try Self.directory("batch\(width)")
                defer { try? FileManager.default.removeItem(atPath: directory) }
                var order: [Int] = []
                let batched = try Evaluator(task: "countdown", seed: 5, traceDirectory: directory, batch: width) { requests, width, observer, done in
                    try session.runMany(requests, width: width, observer: observer, done: done)
                }.evaluate(configuration, problems: problems) { index, _ in order.append(index) }
                let label = "\(configuration.label) --batch \(width)"
                #expect(batched.map(Self.untimed) == alone.map(Self.untimed), "\(label): records differ")
                #expect(order == Array(problems.indices), "\(label): progress out of problem order")
                let batchedTraces = try Self.traces(in: directory)
                #expect(batchedTraces.keys.sorted() == aloneTraces.keys.sorted(), "\(label): trace files differ")
                for (name, events) in aloneTraces {
                    #expect(batchedTraces[name] == events, "\(label): trace \(name) differs")
                }
            }
        }
    }

    @Test("a problem that preflight refuses stops the evaluation, names the problem and leaves no trace file")
    func refusedLeavesNoTrace() throws {
        let session = try Self.session()
        session.kvByteLimit = 64 << 10  // 64 KiB: less than the prompt's KV
        let problems = try EvalTasks.named("countdown").generateProblems(count: 3, seed: 11)
        let configuration = EvalConfiguration(graph: try EvalFixtures.graph("sequential.yaml", overrides: ["tokens": "8"]))
        let directory = try Self.directory("refused")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let evaluator = Evaluator(task: "countdown", traceDirectory: directory, batch: 2) { requests, width, observer, done in
            try session.runMany(requests, width: width, observer: observer, done: done)
        }
        let failure = #expect(throws: RunFailure.self) { try evaluator.evaluate(configuration, problems: problems) }
        #expect(failure?.problem == problems[0].id)
        if case .refused = failure?.error {} else { Issue.record("expected a refusal, got \(String(describing: failure?.error))") }
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory).isEmpty)
    }

    /// A graph whose prompt is the problem's numbers written `copies` times: its length grows with the numbers' digits.
    static func numbersGraph(copies: Int) throws -> Graph {
        let line = String(repeating: "{numbers}\\n", count: copies)
        return try GraphLoader.load(text: """
            name: numbers
            inputs:
              numbers: {}
            prompt: "\(line)"
            steps:
              - id: reason
                generate: {max_tokens: 4}
            answer: {from: reason, regex: '(\\d+)'}
            """, file: "numbers.yaml", overrides: [:], baseDirectory: ".")
    }

    @Test("--batch: a problem whose prompt is past the context window stops the evaluation before any run starts")
    func refusedBeforeAnyRun() throws {
        let session = try Self.session()
        let task = try EvalTasks.named("countdown")
        // Four problems; the third's numbers are long enough that its prompt is past the context window.
        let problems = try task.loadProblems(jsonl: """
            {"id": "small-1", "numbers": [1, 4, 6, 8], "target": 10}
            {"id": "small-2", "numbers": [2, 3, 5], "target": 10}
            {"id": "huge", "numbers": [999999, 999998, 999997, 999996, 999995], "target": 999994}
            {"id": "small-3", "numbers": [1, 2], "target": 3}
            """, source: "problems.jsonl")
        let context = session.transformer.config.contextLength
        let big = try Self.numbersGraph(copies: 1)
        let perCopy = try session.promptTokenCount(graph: big, inputs: problems[2].inputs.filter { $0.key == "numbers" })
        let graph = try Self.numbersGraph(copies: context / max(1, perCopy - 2) + 1)
        // Preconditions: only the third problem's prompt is past the window.
        for (index, problem) in problems.enumerated() {
            let tokens = try session.promptTokenCount(graph: graph, inputs: problem.inputs.filter { $0.key == "numbers" })
            try #require((tokens > context) == (index == 2), "problem \(problem.id): \(tokens) prompt tokens")
        }
        let directory = try Self.directory("refused-late")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var started: Set<Int> = []
        let evaluator = Evaluator(task: "countdown", traceDirectory: directory, batch: 2) { requests, width, observer, done in
            try session.runMany(requests, width: width, observer: { index, event in
                started.insert(index)
                observer(index, event)
            }, done: done)
        }
        let failure = #expect(throws: RunFailure.self) { try evaluator.evaluate(EvalConfiguration(graph: graph), problems: problems) }
        #expect(failure?.problem == "huge")
        guard case .refused(.contextOverflow(let segment, let tokens, let window, _))? = failure?.error else {
            Issue.record("expected a context-window refusal, got \(String(describing: failure?.error))")
            return
        }
        #expect(segment == "prompt" && tokens > window && window == context)
        #expect(started.isEmpty, "runs \(started.sorted()) started")
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory).isEmpty)
    }
}
