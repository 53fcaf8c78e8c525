/// A reasoning graph, loaded and resolved: params substituted, `--set` overrides applied, `use:` steps
/// loaded, every default filled in. Downstream stages (the compiler, the runtime) see only this.
///
/// Steps run in order in one context (the "main thread"); forks, spawns and merges open and close
/// parallel branches inside that order.
public struct Graph: Sendable, Hashable {
    /// The graph's name (`name:`; defaults to the file name without extension).
    public var name: String
    /// Free text describing the graph (`description:`).
    public var description: String?
    /// Run-time inputs such as the question, in declaration order.
    public var inputs: [Input]
    /// Params after overrides, in declaration order. Their values are already substituted everywhere.
    public var params: [Param]
    /// The initial context.
    public var prompt: Prompt
    /// The graph-wide generation defaults (`generate:` at the top level), already applied to every step.
    public var defaults: Generation
    /// The steps, in execution order.
    public var steps: [Step]
    /// How the final answer is read.
    public var answer: Answer
    /// `require: exact`: the graph must run as written, so an executor that would lower any of its rules (a
    /// serving engine, see `ServingLowering`) refuses it.
    public var requiresExact: Bool
    /// Where the graph's document starts.
    public var location: SourceLocation? {
        get { provenance.location }
        set { provenance = Provenance(newValue) }
    }
    /// The stored location, kept out of equality.
    public var provenance: Provenance

    /// Creates a graph.
    public init(name: String, description: String? = nil, inputs: [Input] = [], params: [Param] = [],
                prompt: Prompt, defaults: Generation = Generation(), steps: [Step], answer: Answer = Answer(),
                requiresExact: Bool = false, location: SourceLocation? = nil) {
        self.name = name
        self.description = description
        self.inputs = inputs
        self.params = params
        self.prompt = prompt
        self.defaults = defaults
        self.steps = steps
        self.answer = answer
        self.requiresExact = requiresExact
        self.provenance = Provenance(location)
    }

    /// The input with this name, if declared.
    public func input(named name: String) -> Input? { inputs.first { $0.name == name } }

    /// The param with this name, if declared.
    public func param(named name: String) -> Param? { params.first { $0.name == name } }

    /// Every step, depth first in execution order, including those nested in forks, spawn children and `use`.
    public var allSteps: [Step] {
        var out: [Step] = []
        func walk(_ steps: [Step]) {
            for step in steps {
                out.append(step)
                walk(step.nestedSteps)
            }
        }
        walk(steps)
        return out
    }

    /// The step with this id anywhere in the graph.
    public func step(id: String) -> Step? { allSteps.first { $0.id == id } }
}

/// A run-time input (`inputs:`), referenced in templates as `{name}`.
public struct Input: Sendable, Hashable {
    /// The input's name.
    public var name: String
    /// The value used when the run supplies none; nil means the run must supply it.
    public var defaultValue: String?
    /// What the input is for.
    public var description: String?

    /// Creates an input.
    public init(name: String, defaultValue: String? = nil, description: String? = nil) {
        self.name = name
        self.defaultValue = defaultValue
        self.description = description
    }
}

/// A param (`params:`): a named load-time value, overridable with `--set name=value`.
public struct Param: Sendable, Hashable {
    /// The param's name.
    public var name: String
    /// The value after overrides.
    public var value: ParamValue
    /// What the param is for.
    public var description: String?

    /// Creates a param.
    public init(name: String, value: ParamValue, description: String? = nil) {
        self.name = name
        self.value = value
        self.description = description
    }
}

/// A param's value. The type is fixed by the declared default; overrides must match it.
public enum ParamValue: Sendable, Hashable, CustomStringConvertible {
    /// An integer.
    case int(Int)
    /// A floating-point number.
    case double(Double)
    /// A boolean.
    case bool(Bool)
    /// A string.
    case string(String)

    /// The value as it is substituted into templates.
    public var description: String {
        switch self {
        case .int(let v): return String(v)
        case .double(let v): return String(v)
        case .bool(let v): return v ? "true" : "false"
        case .string(let v): return v
        }
    }

    /// The type's name, for messages.
    public var typeName: String {
        switch self {
        case .int: return "integer"
        case .double: return "number"
        case .bool: return "boolean"
        case .string: return "string"
        }
    }
}
