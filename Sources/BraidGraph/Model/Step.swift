/// One step of a graph. Steps run in order, each continuing the context the previous one left.
public struct Step: Sendable, Hashable {
    /// The step's id, unique in the whole graph (steps from `use:` are prefixed `useid.`).
    /// Defaults to the kind and its 1-based position, e.g. `generate1`.
    public var id: String
    /// What the step does.
    public var kind: StepKind
    /// Where the step was written.
    public var location: SourceLocation? {
        get { provenance.location }
        set { provenance = Provenance(newValue) }
    }
    /// The stored location, kept out of equality.
    public var provenance: Provenance

    /// Creates a step.
    public init(id: String, kind: StepKind, location: SourceLocation? = nil) {
        self.id = id
        self.kind = kind
        self.provenance = Provenance(location)
    }

    /// The steps directly nested in this one (a fork's branch steps, a spawn child's steps, a used graph's steps).
    public var nestedSteps: [Step] {
        switch kind {
        case .fork(let fork): return fork.steps
        case .spawn(let spawn): return spawn.child.steps
        case .use(let use): return use.steps
        case .generate, .text, .merge, .vote: return []
        }
    }
}

/// The kinds of step.
public enum StepKind: Sendable, Hashable {
    /// Decode a segment in the current context (`generate:`).
    case generate(GenerateStep)
    /// Append forced text to the context without decoding (`text:`).
    case text(TextStep)
    /// Open parallel branches (`fork:`).
    case fork(Fork)
    /// Close a fork's branches into one continuation (`merge:`).
    case merge(Merge)
    /// Decode while the model may spawn child threads (`spawn:`).
    case spawn(Spawn)
    /// Majority vote over a fork's branches (`vote:`).
    case vote(Vote)
    /// Run another graph file's steps here (`use:`).
    case use(Use)

    /// The kind's name as written in YAML.
    public var name: String {
        switch self {
        case .generate: return "generate"
        case .text: return "text"
        case .fork: return "fork"
        case .merge: return "merge"
        case .spawn: return "spawn"
        case .vote: return "vote"
        case .use: return "use"
        }
    }
}

/// A decoded segment: an optional forced prefix, then free decoding.
public struct GenerateStep: Sendable, Hashable {
    /// Text forced before decoding starts (not sampled), e.g. `<summary>`.
    public var prefix: Template?
    /// Budget, stops and sampling.
    public var generation: Generation

    /// Creates a generate step.
    public init(prefix: Template? = nil, generation: Generation = Generation()) {
        self.prefix = prefix
        self.generation = generation
    }
}

/// Forced text appended to the context.
public struct TextStep: Sendable, Hashable {
    /// The text.
    public var text: Template
    /// When set, only the first this-many tokens of the rendered text are appended (e.g. a flawed
    /// prefix of a given length, for ParaThinker's tunnel-vision experiment).
    public var maxTokens: Int?

    /// Creates a text step.
    public init(text: Template, maxTokens: Int? = nil) {
        self.text = text
        self.maxTokens = maxTokens
    }
}

/// Runs another graph's steps in place (`use: file.yaml` with `with: {param: value}`).
///
/// The used graph is loaded with the given params; its prompt is ignored (the current context is its
/// prompt), its inputs must be inputs of the using graph, and its step ids are prefixed with this step's id.
public struct Use: Sendable, Hashable {
    /// The path as written, relative to the using file.
    public var path: String
    /// The params given with `with:` (after substitution of the using graph's params).
    public var params: [Param]
    /// The used graph's name.
    public var graphName: String
    /// The used graph's steps, ids prefixed with `<use id>.`.
    public var steps: [Step]

    /// Creates a use step.
    public init(path: String, params: [Param] = [], graphName: String, steps: [Step]) {
        self.path = path
        self.params = params
        self.graphName = graphName
        self.steps = steps
    }
}
