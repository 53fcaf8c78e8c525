import BraidGraph
@testable import BraidPlan

/// Plans built by hand through `PlanBuilder`, the shapes the compiler must produce for the library's graphs.
enum HandPlans {
    /// ParaThinker: prompt, `paths` branches at shared positions with thought indexes 1…P, an attend summary.
    static func parathinker(paths: Int, layout: ForkLayout = .shared, mergeLayout: MergeLayout = .afterLongest,
                            mode: MergeMode = .attend, finish: FinishPolicy = .first,
                            budget: Int = 512, summaryBudget: Int = 128) throws -> Plan {
        var builder = PlanBuilder(graph: "parathinker")
        try builder.text(step: "prompt", content: .chat(messages: [PromptMessage(role: "user", text: "{question}")]))
        let generations = (1...paths).map { Decoding(prefix: "<think\($0)>", maxTokens: budget, stop: ["</think\($0)>"]) }
        try builder.fork(step: "think", ForkSpec(generations: generations, layout: layout, thoughts: Array(1...paths),
                                                 finish: finish))
        try builder.merge(step: "summary", fork: "think",
                          MergeSpec(mode: mode, layout: mergeLayout,
                                    generation: Decoding(prefix: "<summary>", maxTokens: summaryBudget, stop: ["</summary>"])))
        return try builder.build()
    }

    /// One prompt and one generation on the main thread.
    static func sequential(budget: Int = 256) throws -> Plan {
        var builder = PlanBuilder(graph: "sequential")
        try builder.text(step: "prompt", content: .text(template: "Q: {question}\nA:", maxTokens: nil))
        try builder.generate(step: "answer", generation: Decoding(maxTokens: budget))
        return try builder.build()
    }

    /// APR-like: the root generates and may spawn isolated children, joined back as text.
    static func apr(maxChildren: Int = 4, rounds: Int = 2, childBudget: Int = 300, budget: Int = 400) throws -> Plan {
        var builder = PlanBuilder(graph: "apr")
        try builder.text(step: "prompt", content: .text(template: "{problem}", maxTokens: nil))
        try builder.generate(step: "search", generation: Decoding(maxTokens: budget, stop: ["<End Calling Sub Searches>"]))
        try builder.spawn(SpawnTemplate(id: "sub", parent: PlanBuilder.mainThread, triggerText: "<End Calling Sub Searches>",
                                        messagePattern: "<Start Sub Search (\\d+) at level 1> Moving to Node #([0-9,]+)",
                                        childPrompt: "Moving to Node #{node}\n", context: .isolated,
                                        child: Decoding(maxTokens: childBudget), maxChildren: maxChildren,
                                        maxRounds: rounds,
                                        join: Splice(sources: [], header: "<Sub Searches>\n", each: "{result}\n",
                                                     failed: "<No Solution>\n", footer: "<End Sub Searches>\n")))
        return try builder.build()
    }
}
