import BraidTestSupport
import BraidGraph
import BraidRuntime
import Foundation

/// Paths and runs shared by the eval and trace-view tests.
enum EvalFixtures {
    /// The repository root.
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// A file under `Tests/BraidEvalTests/Fixtures/`.
    static func fixture(_ name: String) -> String {
        root.appendingPathComponent("Tests/BraidEvalTests/Fixtures/\(name)").path
    }

    /// A graph from `Graphs/`.
    static func graph(_ name: String, overrides: [String: String] = [:]) throws -> Graph {
        try GraphLoader.load(path: root.appendingPathComponent("Graphs/\(name)").path, overrides: overrides)
    }

    /// A graph from YAML text.
    static func graph(yaml: String) throws -> Graph {
        try GraphLoader.load(text: yaml, file: "test.yaml", baseDirectory: root.path)
    }

    /// Runs a graph on a model, collecting its trace.
    static func run(_ graph: Graph, on model: RuntimeModel, inputs: [String: String] = [:],
                    scheduling: RunOptions.Scheduling = .batched) throws -> (RunResult, [TraceEvent]) {
        var events: [TraceEvent] = []
        let options = RunOptions(inputs: inputs, scheduling: scheduling)
        let result = try BraidRunner.run(graph: graph, on: model, options: options) { events.append($0) }
        return (result, events)
    }

    // An APR round (target 10 from [1, 4, 6, 8]) as Countdown's solver writes it: the parent explores, spawns
    // two sub-searches, one finds the goal, the other fails; the parent continues after the join.
    static let aprPrompt = "Moving to Node #0\nCurrent State: 10:[1, 4, 6, 8], Operations: []\n"
    static let aprBefore = """
        Exploring Operation: 8-6=2, Resulting Numbers: [1, 4, 2]
        Generated Node #0,0: 10:[1, 4, 2] Operation: 8-6=2
        Moving to Node #0,0
        Current State: 10:[1, 4, 2], Operations: ['8-6=2']
        Exploring Operation: 1*4=4, Resulting Numbers: [2, 4]
        Generated Node #0,0,0: 10:[2, 4] Operation: 1*4=4
        Exploring Operation: 1+4=5, Resulting Numbers: [2, 5]
        Generated Node #0,0,1: 10:[2, 5] Operation: 1+4=5

        """
    static let aprBlock = """
        <Calling Sub Searches>
        <Start Sub Search 0 at level 1> Moving to Node #0,0,1
        <Start Sub Search 1 at level 1> Moving to Node #0,0,0
        <End Calling Sub Searches>
        """
    static let aprChild0Prompt = "Moving to Node #0,0,1\nCurrent State: 10:[2, 5], Operations: ['8-6=2', '1+4=5']\n"
    static let aprChild1Prompt = "Moving to Node #0,0,0\nCurrent State: 10:[2, 4], Operations: ['8-6=2', '1*4=4']\n"
    static let aprPath = aprChild0Prompt + "Exploring Operation: 2*5=10, Resulting Numbers: [10]\n10,10 equal: Goal Reached"
    static let aprChild0Output = "Exploring Operation: 2*5=10, Resulting Numbers: [10]\n10,10 equal: Goal Reached\n" + aprPath + "\n"
    static let aprChild1Output = "Exploring Operation: 4-2=2, Resulting Numbers: [2]\n2,10 unequal: No Solution\nExploring Operation: 4/2=2, Resulting Numbers: [2]\n2,10 unequal: No Solution\nNo solution found.\n"
    static let aprJoin = "<Sub Searches>\n<Goal Reached in Sub Search 0 at level 1 at Node #0,0,1>\n" + aprPath
        + "\n<No Solution in Sub Search 1 at level 1 at Node #0,0,0>\n<End Sub Searches>\n"
    static let aprAfter = "10,10 equal: Goal Reached\n" + aprPath + "\n"

    /// `Graphs/apr.yaml` played back from the recording above.
    static func aprRun() throws -> (RunResult, [TraceEvent]) {
        let model = ScriptedModel(documents: [
            aprPrompt + aprBefore + aprBlock,
            aprPrompt + aprBefore + aprJoin + aprAfter,
            aprChild0Prompt + aprChild0Output,
            aprChild1Prompt + aprChild1Output,
        ])
        return try run(try graph("apr.yaml"), on: model)
    }

    /// A three-path ParaThinker-style graph whose paths write texts of different lengths, then a summary.
    static let pathsYAML = """
        name: paths
        inputs:
          question: {default: "Q"}
        prompt: "{question}\\n"
        steps:
          - id: think
            fork:
              branches: 3
              prefix: "<t{i}>"
              positions: shared
              finish: all
              generate: {max_tokens: 100, stop: ["</t{i}>"]}
          - id: summary
            merge:
              from: think
              mode: attend
              positions: after-longest
              prefix: "<s>"
              generate: {max_tokens: 100, stop: ["</s>"]}
        answer: {from: summary, regex: 'A=(\\d+)'}
        """

    /// What each path writes (after its prefix) and what the summary writes.
    static let pathTexts = ["short</t1>", "a much longer path text</t2>", "medium text</t3>"]
    static let summaryText = " so A=42</s>"

    /// The graph above on a model that writes ``pathTexts`` and ``summaryText``.
    static func pathsRun(scheduling: RunOptions.Scheduling = .batched) throws -> (RunResult, [TraceEvent]) {
        let model = ScriptedModel { visible in
            // The summary sees every path; a path sees only the prompt and itself.
            if let s = visible.range(of: "<s>", options: .backwards) {
                let written = visible[s.upperBound...]
                return summaryText.dropFirst(written.count).first
            }
            for (i, text) in pathTexts.enumerated() {
                if let p = visible.range(of: "<t\(i + 1)>", options: .backwards) {
                    return text.dropFirst(visible[p.upperBound...].count).first
                }
            }
            return nil
        }
        return try run(try graph(yaml: pathsYAML), on: model, scheduling: scheduling)
    }
}
