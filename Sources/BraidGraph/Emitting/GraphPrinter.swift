/// Writes a loaded graph back in the graph language with every default spelled out. Loading the
/// output again gives an equal graph (`graph show` relies on this).
public enum GraphPrinter {
    /// The graph as a YAML document.
    public static func yaml(_ graph: Graph) -> String { document(graph).yaml }

    /// The graph as JSON (which the loader also reads, JSON being YAML).
    public static func json(_ graph: Graph) -> String { document(graph).json }

    /// The graph as an ordered document tree.
    public static func document(_ graph: Graph) -> ShowValue {
        var top: [(String, ShowValue)] = [("name", .string(graph.name))]
        if let d = graph.description { top.append(("description", .string(d))) }
        if !graph.inputs.isEmpty {
            top.append(("inputs", .map(graph.inputs.map { input in
                var fields: [(String, ShowValue)] = []
                if let d = input.defaultValue { fields.append(("default", .string(d))) }
                if let d = input.description { fields.append(("description", .string(d))) }
                return (input.name, .map(fields))
            })))
        }
        if !graph.params.isEmpty {
            top.append(("params", .map(graph.params.map { param in
                if let d = param.description {
                    return (param.name, .map([("default", value(param.value)), ("description", .string(d))]))
                }
                return (param.name, value(param.value))
            })))
        }
        top.append(("prompt", prompt(graph.prompt)))
        top.append(("generate", generation(graph.defaults)))
        top.append(("steps", .list(graph.steps.map(step))))
        top.append(("answer", answer(graph.answer)))
        if graph.requiresExact { top.append(("require", .string("exact"))) }
        return .map(top)
    }

    static func value(_ v: ParamValue) -> ShowValue {
        switch v {
        case .int(let x): return .int(x)
        case .double(let x): return .double(x)
        case .bool(let x): return .bool(x)
        case .string(let x): return .string(x)
        }
    }

    static func text(_ t: Template) -> ShowValue { .string(t.description) }

    static func prompt(_ p: Prompt) -> ShowValue {
        switch p {
        case .text(let t): return text(t)
        case .chat(let messages): return .list(messages.map { .map([($0.role.rawValue, text($0.content))]) })
        }
    }

    static func generation(_ g: Generation, extra: [(String, ShowValue)] = []) -> ShowValue {
        var fields = extra
        fields.append(("max_tokens", .int(g.maxTokens)))
        fields.append(("stop", .list(g.stop.map(text))))
        fields.append(("temperature", .double(g.sampling.temperature)))
        fields.append(("top_p", .double(g.sampling.topP)))
        fields.append(("top_k", .int(g.sampling.topK)))
        if let seed = g.sampling.seed { fields.append(("seed", .string(String(seed)))) }
        return .map(fields)
    }

    static func pattern(_ p: Pattern) -> ShowValue { .string(p.description) }

    static func answer(_ a: Answer) -> ShowValue {
        var fields: [(String, ShowValue)] = []
        if let from = a.from { fields.append(("from", .string(from))) }
        if let regex = a.regex { fields.append(("regex", pattern(regex))) }
        fields.append(("occurrence", .string(a.occurrence.rawValue)))
        return .map(fields)
    }

    static func step(_ s: Step) -> ShowValue {
        var fields: [(String, ShowValue)] = [("id", .string(s.id))]
        switch s.kind {
        case .generate(let g):
            fields.append(("generate", generation(g.generation, extra: g.prefix.map { [("prefix", text($0))] } ?? [])))
        case .text(let t):
            if let n = t.maxTokens {
                fields.append(("text", .map([("content", text(t.text)), ("max_tokens", .int(n))])))
            } else {
                fields.append(("text", text(t.text)))
            }
        case .fork(let f): fields.append(("fork", fork(f)))
        case .merge(let m): fields.append(("merge", merge(m)))
        case .spawn(let sp): fields.append(("spawn", spawn(sp)))
        case .vote(let v):
            var vf: [(String, ShowValue)] = [("from", .string(v.from)), ("extract", pattern(v.extract)),
                                             ("occurrence", .string(v.occurrence.rawValue)), ("tie", .string(v.tie.rawValue))]
            if let t = v.text { vf.append(("text", text(t))) }
            fields.append(("vote", .map(vf)))
        case .use(let u):
            fields.append(("use", .string(u.path)))
            if !u.params.isEmpty { fields.append(("with", .map(u.params.map { ($0.name, value($0.value)) }))) }
        }
        return .map(fields)
    }

    static func fork(_ f: Fork) -> ShowValue {
        var fields: [(String, ShowValue)] = []
        switch f.prefix {
        case .template(let t):
            fields.append(("branches", .int(f.count)))
            fields.append(("prefix", text(t)))
        case .list(let list):
            fields.append(("branches", .list(list.map(text))))
        }
        fields.append(("positions", .string(f.positions.rawValue)))
        fields.append(("sees", .string(f.sees.rawValue)))
        switch f.thought {
        case .none: fields.append(("thought", .string("none")))
        case .branch: fields.append(("thought", .string("branch")))
        case .fixed(let n): fields.append(("thought", .int(n)))
        }
        switch f.finish {
        case .first: fields.append(("finish", .string("first")))
        case .half: fields.append(("finish", .string("half")))
        case .all: fields.append(("finish", .string("all")))
        case .count(let k): fields.append(("finish", .map([("count", .int(k))])))
        case .agree(let k, let extract): fields.append(("finish", .map([("agree", .int(k)), ("extract", pattern(extract))])))
        }
        if let g = f.generation { fields.append(("generate", generation(g))) }
        if !f.steps.isEmpty { fields.append(("steps", .list(f.steps.map(step)))) }
        return .map(fields)
    }

    static func merge(_ m: Merge) -> ShowValue {
        var fields: [(String, ShowValue)] = [("from", .string(m.from)), ("mode", .string(m.mode.rawValue))]
        if m.mode != .attend {
            fields.append(("each", text(m.each)))
            fields.append(("separator", .string(m.separator)))
        }
        if let p = m.prefix { fields.append(("prefix", text(p))) }
        fields.append(("positions", .string(m.positions.rawValue)))
        if let g = m.generation { fields.append(("generate", generation(g))) }
        return .map(fields)
    }

    static func spawn(_ s: Spawn) -> ShowValue {
        var fields: [(String, ShowValue)] = [("generate", generation(s.generation)), ("trigger", text(s.trigger))]
        if let o = s.opener { fields.append(("opener", text(o))) }
        fields.append(("message", pattern(s.message)))
        if !s.lookups.isEmpty {
            fields.append(("lookups", .list(s.lookups.map {
                .map([("regex", pattern($0.pattern)), ("occurrence", .string($0.occurrence.rawValue)), ("required", .bool($0.required))])
            })))
        }
        var child: [(String, ShowValue)] = [("prompt", text(s.child.prompt)), ("context", .string(s.child.context.rawValue))]
        if let g = s.child.generation { child.append(("generate", generation(g))) }
        if !s.child.steps.isEmpty { child.append(("steps", .list(s.child.steps.map(step)))) }
        if let r = s.child.result { child.append(("result", pattern(r))) }
        child.append(("occurrence", .string(s.child.occurrence.rawValue)))
        fields.append(("child", .map(child)))
        fields.append(("join", .map([("header", text(s.join.header)), ("found", text(s.join.found)),
                                     ("failed", text(s.join.failed)), ("footer", text(s.join.footer))])))
        fields.append(("max_children", .int(s.maxChildren)))
        fields.append(("max_depth", .int(s.maxDepth)))
        fields.append(("max_rounds", .int(s.maxRounds)))
        return .map(fields)
    }
}
