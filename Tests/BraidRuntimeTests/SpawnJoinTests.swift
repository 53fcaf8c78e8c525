import BraidTestSupport
import BraidGraph
import BraidRuntime
import Testing

/// Spawn/join at run time, played back from recorded APR text by `ScriptedModel` (issue 5: a scripted text
/// source standing in for the model, with nested spawns and failed children).
@Suite("Spawn and join (scripted model)")
struct SpawnJoinTests {
    // The APR Countdown example of research/apr.md (target 10 from [1, 4, 6, 8]), as the solver writes it.
    static let prompt = "Moving to Node #0\nCurrent State: 10:[1, 4, 6, 8], Operations: []\n"
    static let before = """
        Exploring Operation: 8-6=2, Resulting Numbers: [1, 4, 2]
        Generated Node #0,0: 10:[1, 4, 2] Operation: 8-6=2
        Exploring Operation: 8/4=2, Resulting Numbers: [1, 6, 2]
        Generated Node #0,1: 10:[1, 6, 2] Operation: 8/4=2
        Moving to Node #0,0
        Current State: 10:[1, 4, 2], Operations: ['8-6=2']
        Exploring Operation: 1*4=4, Resulting Numbers: [2, 4]
        Generated Node #0,0,0: 10:[2, 4] Operation: 1*4=4
        Exploring Operation: 1+4=5, Resulting Numbers: [2, 5]
        Generated Node #0,0,1: 10:[2, 5] Operation: 1+4=5

        """
    static let block = """
        <Calling Sub Searches>
        <Start Sub Search 0 at level 1> Moving to Node #0,0,1
        <Start Sub Search 1 at level 1> Moving to Node #0,0,0
        <End Calling Sub Searches>
        """
    // The child prompts APR's runtime builds from the parent's "Generated Node" and "Moving to Node" lines.
    static let child0Prompt = "Moving to Node #0,0,1\nCurrent State: 10:[2, 5], Operations: ['8-6=2', '1+4=5']\n"
    static let child1Prompt = "Moving to Node #0,0,0\nCurrent State: 10:[2, 4], Operations: ['8-6=2', '1*4=4']\n"
    static let path = "Moving to Node #0,0,1\nCurrent State: 10:[2, 5], Operations: ['8-6=2', '1+4=5']\nExploring Operation: 2*5=10, Resulting Numbers: [10]\n10,10 equal: Goal Reached"
    static let child0Output = "Exploring Operation: 2*5=10, Resulting Numbers: [10]\n10,10 equal: Goal Reached\n" + path + "\n"
    static let child1Output = "Exploring Operation: 4-2=2, Resulting Numbers: [2]\n2,10 unequal: No Solution\nExploring Operation: 4/2=2, Resulting Numbers: [2]\n2,10 unequal: No Solution\nNo solution found.\n"
    static let join = "<Sub Searches>\n<Goal Reached in Sub Search 0 at level 1 at Node #0,0,1>\n" + path
        + "\n<No Solution in Sub Search 1 at level 1 at Node #0,0,0>\n<End Sub Searches>\n"
    static let after = "10,10 equal: Goal Reached\n" + path + "\n"

    @Test("an APR round: children from the spawn block, run together, joined in place of the block")
    func aprRound() throws {
        let model = ScriptedModel(documents: [
            Self.prompt + Self.before + Self.block,
            Self.prompt + Self.before + Self.join + Self.after,
            Self.child0Prompt + Self.child0Output,
            Self.child1Prompt + Self.child1Output,
        ])
        let (result, events) = try Fixtures.run(try Fixtures.graph("apr.yaml"), on: model)
        #expect(result.finalText == Self.before + Self.join + Self.after)
        #expect(result.answer == Self.path)
        #expect(result.thread("search#0.child[0]")?.text == Self.child0Prompt + Self.child0Output)
        #expect(result.thread("search#0.child[1]")?.text == Self.child1Prompt + Self.child1Output)
        // The spawning segment was cut back to before the block: its KV holds only `before`.
        #expect(result.thread("main")?.segments.first { $0.name == "search" }?.text == Self.before)
        let joins = events.compactMap { if case .join(let j) = $0 { return j } else { return nil } }
        #expect(joins.map(\.found) == [[true, false]])
        // The two children decode in the same forward passes.
        let together = events.contains {
            if case .forward(let f) = $0 { return f.threads.contains("search#0.child[0]") && f.threads.contains("search#0.child[1]") }
            return false
        }
        #expect(together)
        #expect(model.liveSegments == 0, "every KV segment is released by the end of the run")
    }

    static let nested = """
        name: nested
        prompt: "Task: root\\n"
        steps:
          - id: work
            spawn:
              generate: {max_tokens: 200}
              opener: "<spawn>"
              trigger: "</spawn>"
              message: 'do (?<name>[a-z]+)'
              child:
                prompt: "Task: {name}\\n"
                generate: {max_tokens: 200}
                result: 'RESULT (?<result>\\w+)'
              join:
                header: "<joined>\\n"
                found: "{name}={result}\\n"
                failed: "{name} failed\\n"
                footer: "</joined>\\n"
              max_children: 2
              max_depth: 2
              max_rounds: 2
        answer: {from: work, regex: 'FINAL (?<answer>\\w+)'}
        """

    /// The text `nested` is played back from: the root spawns alpha, beta (and gamma, over max_children); alpha
    /// spawns delta, which tries to spawn past max_depth; beta fails; the root's second round spawns zeta; its
    /// third try is past max_rounds.
    static let nestedDocuments = [
        "Task: root\nplan\n<spawn>do alpha\ndo beta\ndo gamma\n</spawn>",
        "Task: root\nplan\n<joined>\nalpha=A1\nbeta failed\n</joined>\nagain\n<spawn>do zeta\n</spawn>",
        "Task: root\nplan\n<joined>\nalpha=A1\nbeta failed\n</joined>\nagain\n<joined>\nzeta=Z1\n</joined>\nFINAL Z1\n<spawn>do eta\n</spawn>",
        "Task: alpha\nsub\n<spawn>do delta\n</spawn>",
        "Task: alpha\nsub\n<joined>\ndelta=D1\n</joined>\nRESULT A1\n",
        "Task: delta\nRESULT D1\n<spawn>do epsilon\n</spawn>",
        "Task: beta\nno luck\n",
        "Task: zeta\nRESULT Z1\n",
    ]

    @Test("nested spawns, failed children, and the children/depth/rounds limits")
    func nestedAndLimits() throws {
        let model = ScriptedModel(documents: Self.nestedDocuments)
        let rootC = Self.nestedDocuments[2]
        let (result, events) = try Fixtures.run(try Fixtures.graph(yaml: Self.nested), on: model)
        #expect(result.answer == "Z1")
        #expect(result.finalText == String(rootC.dropFirst("Task: root\n".count)))
        #expect(result.threads.map(\.name) == ["main", "work#0.child[0]", "work#0.child[1]",
                                               "work#0.child[0]/work#0.child[0]", "work#1.child[0]"])
        #expect(result.thread("work#0.child[0]")?.text == "Task: alpha\nsub\n<joined>\ndelta=D1\n</joined>\nRESULT A1\n")
        let stops = Fixtures.stops(events)
        #expect(stops["work#0.child[0]/work#0.child[0]"]?.lastDecode == "depth-limit")
        #expect(stops["main"]?.lastDecode == "max-rounds")
        let warnings = Fixtures.warnings(events)
        #expect(warnings.contains { $0.contains("max_children is 2") })
        #expect(warnings.contains { $0.contains("max_depth 2") })
        #expect(warnings.contains { $0.contains("max_rounds 2") })
        #expect(model.liveSegments == 0)
    }

    /// A spawn step among a spawned child's own steps: the root spawns `alpha`, whose `look` step spawns `beta`.
    static let innerSpawn = """
        name: inner
        prompt: "Task: root\\n"
        steps:
          - id: work
            spawn:
              generate: {max_tokens: 200}
              opener: "<spawn>"
              trigger: "</spawn>"
              message: 'do (?<name>[a-z]+)'
              child:
                prompt: "Task: {name}\\n"
                steps:
                  - id: look
                    spawn:
                      generate: {max_tokens: 200}
                      opener: "<sub>"
                      trigger: "</sub>"
                      message: 'try (?<what>[a-z]+)'
                      child:
                        prompt: "Sub: {what}\\n"
                        generate: {max_tokens: 200}
                        result: 'GOT (?<result>\\w+)'
                      join:
                        found: "{what}={result}\\n"
                        failed: "{what} failed\\n"
                      max_depth: 2
                result: 'RESULT (?<result>\\w+)'
              join:
                found: "{name}={result}\\n"
                failed: "{name} failed\\n"
        answer: {from: work, regex: 'FINAL (?<answer>\\w+)'}
        """

    /// What `innerSpawn` plays back: the root before and after its round, alpha before and after its own round
    /// (its `look` step), and beta.
    static let innerDocuments = [
        "Task: root\nplan\n<spawn>do alpha\n</spawn>",
        "Task: root\nplan\nalpha=A1\nFINAL A1\n",
        "Task: alpha\nx\n<sub>try beta\n</sub>",
        "Task: alpha\nx\nbeta=B1\nRESULT A1\n",
        "Sub: beta\nGOT B1\n",
    ]

    @Test("a spawn step among a spawned child's own steps spawns, joins and returns through the child")
    func spawnInChildSteps() throws {
        let model = ScriptedModel(documents: Self.innerDocuments)
        let (result, events) = try Fixtures.run(try Fixtures.graph(yaml: Self.innerSpawn), on: model)
        #expect(result.answer == "A1")
        #expect(result.threads.map(\.name) == ["main", "work#0.child[0]", "work#0.child[0]/look#0.child[0]"])
        #expect(result.thread("work#0.child[0]")?.text == "Task: alpha\nx\nbeta=B1\nRESULT A1\n")
        #expect(result.thread("work#0.child[0]/look#0.child[0]")?.text == "Sub: beta\nGOT B1\n")
        let joins = events.compactMap { if case .join(let j) = $0 { return j } else { return nil } }
        #expect(joins.map(\.thread) == ["work#0.child[0]", "main"])
        #expect(joins.map(\.found) == [[true], [true]])
        #expect(Fixtures.warnings(events).isEmpty)
        #expect(model.liveSegments == 0)
    }

    @Test("a required lookup that finds nothing starts no child and joins as failed")
    func requiredLookupMissing() throws {
        // Node #0,9 was never generated, so its required "Generated Node" lookup fails.
        let block = "<Calling Sub Searches>\n<Start Sub Search 0 at level 1> Moving to Node #0,9\n<End Calling Sub Searches>"
        let join = "<Sub Searches>\n<No Solution in Sub Search 0 at level 1 at Node #0,9>\n<End Sub Searches>\n"
        let model = ScriptedModel(documents: [Self.prompt + "x\n" + block, Self.prompt + "x\n" + join + "done\n"])
        let (result, events) = try Fixtures.run(try Fixtures.graph("apr.yaml"), on: model)
        #expect(result.finalText == "x\n" + join + "done\n")
        #expect(result.threads.count == 1)
        let spawns = events.compactMap { if case .spawn(let s) = $0 { return s } else { return nil } }
        #expect(spawns.first?.skipped == 1)
    }

    /// A round whose first message fails its required lookup and whose second starts a child.
    static let failedThenStartedBlock = "<Calling Sub Searches>\n<Start Sub Search 0 at level 1> Moving to Node #0,9\n"
        + "<Start Sub Search 1 at level 1> Moving to Node #0,0,1\n<End Calling Sub Searches>"
    static let failedThenFoundJoin = "<Sub Searches>\n<No Solution in Sub Search 0 at level 1 at Node #0,9>\n"
        + "<Goal Reached in Sub Search 1 at level 1 at Node #0,0,1>\n" + path + "\n<End Sub Searches>\n"
    static let failedThenStartedDocuments = [
        prompt + before + failedThenStartedBlock,
        prompt + before + failedThenFoundJoin + after,
        child0Prompt + child0Output,
    ]

    @Test("children are numbered as they start: a failed message before them takes no number (as the plan names them)")
    func childNumbering() throws {
        let model = ScriptedModel(documents: Self.failedThenStartedDocuments)
        let (result, events) = try Fixtures.run(try Fixtures.graph("apr.yaml"), on: model)
        #expect(result.threads.map(\.name) == ["main", "search#0.child[0]"])
        #expect(result.thread("search#0.child[0]")?.text == Self.child0Prompt + Self.child0Output)
        #expect(result.finalText == Self.before + Self.failedThenFoundJoin + Self.after)
        let joins = events.compactMap { if case .join(let j) = $0 { return j } else { return nil } }
        #expect(joins.map(\.found) == [[false, true]])
        #expect(model.liveSegments == 0)
    }
}
