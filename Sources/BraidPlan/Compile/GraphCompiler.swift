import BraidGraph

/// Compiles a loaded graph (BraidGraph's typed AST) into a `Plan`.
///
/// Steps run in order on the root thread `main`. A fork opens one thread per branch; its nested steps run in
/// every branch side by side (one stage per nested step). `{i}` (1-based) and `{i0}` in a branch's templates
/// are rendered per branch; every other variable stays for the runtime. A spawn compiles to its parent's
/// decoding segment plus a `SpawnTemplate`.
public enum GraphCompiler {
    /// Compiles `graph`. Throws `PlanError` naming the step that can't be compiled, or, with `limits`, the first
    /// fork whose branches alone can't fit them (before building it: see `CompileLimits`).
    public static func compile(_ graph: Graph, limits: CompileLimits? = nil) throws -> Plan {
        var params: [String: String] = [:]
        for param in graph.params { params[param.name] = param.value.description }
        var builder = PlanBuilder(graph: graph.name, params: params)
        builder.compileLimits = limits
        builder.plan.inputs = graph.inputs.map(\.name)
        for input in graph.inputs { builder.plan.inputDefaults[input.name] = input.defaultValue }
        try builder.text(step: "prompt", content: promptContent(graph.prompt))
        try compileSteps(graph.steps, threads: [PlanBuilder.mainThread], scopes: [Scope()], into: &builder)
        if let regex = graph.answer.regex {
            builder.answer(AnswerRule(pattern: regex, from: graph.answer.from, occurrence: graph.answer.occurrence))
        } else if let from = graph.answer.from {
            builder.answer(AnswerRule(pattern: nil, from: from))
        }
        return try builder.build()
    }

    /// The root prompt's segment content: a text template or chat messages (the one mapping; the runtime counts
    /// the prompt's tokens with it before compiling the whole graph).
    public static func promptContent(_ prompt: Prompt) -> SegmentContent {
        switch prompt {
        case .text(let template):
            return .text(template: template, maxTokens: nil)
        case .chat(let messages):
            return .chat(messages: messages.map { PromptMessage(role: $0.role.rawValue, text: $0.content) })
        }
    }

    /// Per-thread values for template rendering.
    struct Scope {
        /// Variables rendered at compile time (`i`, `i0`).
        var variables: [String: String] = [:]
        /// The thought index the thread's segments carry.
        var thought = 0
    }

    /// Compiles `steps` on every thread of `threads` side by side (one thread: plain sequence).
    static func compileSteps(_ steps: [Step], threads: [ThreadID], scopes: [Scope], into builder: inout PlanBuilder) throws {
        for step in steps {
            switch step.kind {
            case .fork(let fork):
                for (thread, scope) in zip(threads, scopes) {
                    try compileFork(step.id, fork, parent: thread, scope: scope, into: &builder)
                }
            case .merge(let merge):
                for (thread, scope) in zip(threads, scopes) {
                    try compileMerge(step.id, merge, thread: thread, scope: scope, into: &builder)
                }
            case .use(let use):
                try compileSteps(use.steps, threads: threads, scopes: scopes, into: &builder)
            case .vote(let vote):
                for (thread, scope) in zip(threads, scopes) {
                    let forkID = scopedFork(vote.from, parent: thread)
                    try builder.vote(step: step.id, fork: forkID, pattern: vote.extract,
                                     occurrence: vote.occurrence, tie: vote.tie, text: vote.text.map { render($0, scope) },
                                     thought: scope.thought)
                }
            case .generate, .text, .spawn:
                if threads.count == 1 {
                    try compileLinear(step, thread: threads[0], scope: scopes[0], into: &builder)
                } else {
                    try builder.sideBySide(step: step.id) { inner in
                        for (thread, scope) in zip(threads, scopes) {
                            try compileLinear(step, thread: thread, scope: scope, into: &inner)
                        }
                    }
                }
            }
        }
    }

    /// A fork opened off the root thread is named after its thread (`think[0]/deeper`), as `PlanBuilder.fork` does.
    static func scopedFork(_ id: String, parent: ThreadID) -> String {
        Naming.scoped(id, thread: parent)
    }

    /// `generate`, `text` and `spawn` steps: one segment on one thread.
    static func compileLinear(_ step: Step, thread: ThreadID, scope: Scope, into builder: inout PlanBuilder) throws {
        switch step.kind {
        case .generate(let generate):
            try builder.generate(step: step.id, generation: decoding(generate.generation, prefix: generate.prefix, scope),
                                 thread: thread, thought: scope.thought)
        case .text(let text):
            guard text.maxTokens.map({ $0 > 0 }) ?? true else {
                throw PlanError.invalidGraph(step: step.id, reason: "max_tokens of a text step must be positive")
            }
            try builder.text(step: step.id, kind: .prefix, content: .text(template: render(text.text, scope), maxTokens: text.maxTokens),
                             thread: thread, thought: scope.thought)
        case .spawn(let spawn):
            try compileSpawn(step.id, spawn, thread: thread, scope: scope, into: &builder)
        case .fork, .merge, .vote, .use:
            throw PlanError.invalidGraph(step: step.id, reason: "internal: not a linear step")
        }
    }

    /// A template with the scope's compile-time variables (`{i}`, `{i0}`) rendered; the others stay.
    static func render(_ template: Template, _ scope: Scope) -> Template {
        guard !scope.variables.isEmpty else { return template }
        let pieces = template.pieces.map { piece -> Template.Piece in
            switch piece {
            case .text: return piece
            case .variable(let name):
                return scope.variables[name].map { .text($0) } ?? piece
            case .optional(let name, let suffix):
                guard let value = scope.variables[name] else { return piece }
                return .text(value.isEmpty ? "" : value + suffix)
            }
        }
        return Template(pieces: pieces)
    }

    /// The IR's decoding for an AST generation and optional forced prefix.
    static func decoding(_ generation: BraidGraph.Generation, prefix: Template?, _ scope: Scope) -> Decoding {
        let rendered = prefix.map { render($0, scope) }
        let sampling = SamplingSettings(temperature: generation.sampling.temperature, topP: generation.sampling.topP,
                                        topK: generation.sampling.topK, seed: generation.sampling.seed)
        return Decoding(prefix: rendered?.pieces.isEmpty == true ? nil : rendered, maxTokens: generation.maxTokens,
                        stop: generation.stop.map { render($0, scope) }, sampling: sampling)
    }
}
