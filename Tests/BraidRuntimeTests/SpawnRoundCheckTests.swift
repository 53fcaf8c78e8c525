import BraidTestSupport
import BraidGraph
import BraidPlan
import BraidRuntime
import Testing

/// Run-time spawn rounds are checked as they are instantiated (issue 9, item 2): a graph whose static preflight
/// passes (its spawns' worst case is only a note) is refused when a round's children, at their budgets over what the
/// run has written, can't fit — naming the spawn and the child, before any child token is decoded.
@Suite("Spawn round check (scripted model)")
struct SpawnRoundCheckTests {
    /// A root that spawns up to two isolated children in one round; children decode up to `childTokens`.
    static func graph(childTokens: Int) throws -> Graph {
        try Fixtures.graph(yaml: """
            name: round-check
            prompt: "Task: root\\n"
            steps:
              - id: work
                spawn:
                  generate: {max_tokens: 60}
                  opener: "<spawn>"
                  trigger: "</spawn>"
                  message: 'do (?<name>[a-z]+)'
                  child:
                    prompt: "Task: {name}\\n"
                    generate: {max_tokens: \(childTokens)}
                    result: 'RESULT (?<result>\\w+)'
                  join:
                    header: "<joined>\\n"
                    found: "{name}={result}\\n"
                    failed: "{name} failed\\n"
                    footer: "</joined>\\n"
                  max_children: 2
                  max_rounds: 1
            answer: {from: work, regex: 'FINAL (?<answer>\\w+)'}
            """)
    }

    /// The root spawns alpha and beta (one ASCII character per token: the block is 32 tokens), which answer; the
    /// root then reads their results.
    static let documents = [
        "Task: root\n<spawn>do alpha\ndo beta\n</spawn>",
        "Task: root\n<joined>\nalpha=A1\nbeta=B1\n</joined>\nFINAL B1\n",
        "Task: alpha\nRESULT A1\n",
        "Task: beta\nRESULT B1\n",
    ]

    /// A model shape of 8 KV bytes per token (1 layer, 1 KV head of 1, f32).
    static func shape(context: Int) -> ModelShape {
        ModelShape(layers: 1, kvHeads: 1, headDim: 1, contextLength: context, kvBytesPerElement: 4)
    }

    /// Preflights the graph (it must pass, its spawn worst case only noted), then runs it with rounds checked.
    static func run(_ graph: Graph, check: Preflight, model: ScriptedModel) throws -> (Result<RunResult, RunError>, [TraceEvent]) {
        let report = try check.check(graph, inputs: [:], promptTokens: "Task: root\n".count)
        #expect(!report.notes.isEmpty, "the spawn's worst case does not fit, which the static check only notes")
        let plan = try #require(report.plan)
        var events: [TraceEvent] = []
        do {
            let result = try BraidRunner.run(graph: graph, plan: plan, on: model, roundCheck: check) { events.append($0) }
            return (.success(result), events)
        } catch let error as RunError {
            return (.failure(error), events)
        }
    }

    /// Whether any child thread started or took part in a forward pass.
    static func childRan(_ events: [TraceEvent]) -> Bool {
        events.contains {
            switch $0 {
            case .thread(let start): return start.kind == "child"
            case .forward(let pass): return pass.threads.contains { $0.hasPrefix("work#") }
            default: return false
            }
        }
    }

    @Test("a child whose budget is past the context window is refused before it decodes")
    func childPastContext() throws {
        let model = ScriptedModel(documents: Self.documents)
        let (outcome, events) = try Self.run(try Self.graph(childTokens: 300), check: Preflight(shape: Self.shape(context: 256), memoryLimit: nil),
                                             model: model)
        guard case .failure(.spawnRefused(let spawn, let child, let reason)) = outcome else {
            Issue.record("expected the round to be refused, got \(outcome)")
            return
        }
        #expect(spawn == "work")
        #expect(child == "work#0.child[0]")
        guard case .contextOverflow(let segment, let tokens, let context, _) = reason else {
            Issue.record("expected a context-window error, got \(reason)")
            return
        }
        #expect(segment == "work#0.child[0]")
        #expect(tokens == 300)
        #expect(context == 256)
        #expect(!Self.childRan(events))
        #expect(RunError.spawnRefused(spawn: spawn, child: child, reason: reason).description.contains("spawn 'work'"))
    }

    @Test("a round whose children's KV is over the memory limit is refused naming the child; one that fits runs")
    func roundOverMemory() throws {
        // While the children decode, the run holds the prompt (11), the spawning segment as written (32), and each
        // child's prompt (12, 11) and budget (100 each): 266 tokens × 8 bytes. The root alone (11 + 60) fits 200.
        let tight = Preflight(shape: Self.shape(context: 8192), memoryLimit: 200 * 8)
        let (outcome, events) = try Self.run(try Self.graph(childTokens: 100), check: tight, model: ScriptedModel(documents: Self.documents))
        guard case .failure(.spawnRefused(let spawn, let child, let reason)) = outcome else {
            Issue.record("expected the round to be refused, got \(outcome)")
            return
        }
        #expect(spawn == "work")
        #expect(child == "work#0.child[0]")
        #expect(reason == .memoryOverLimit(segment: "work#0.child[0]", bytes: 266 * 8, limit: 200 * 8, stage: "work"))
        #expect(!Self.childRan(events))

        // With room for the round, the same run spawns both children and joins their results.
        let roomy = Preflight(shape: Self.shape(context: 8192), memoryLimit: 266 * 8)
        let (fits, _) = try Self.run(try Self.graph(childTokens: 100), check: roomy, model: ScriptedModel(documents: Self.documents))
        let result = try fits.get()
        #expect(result.answer == "B1")
        #expect(result.thread("work#0.child[1]")?.text == "Task: beta\nRESULT B1\n")
    }
}
