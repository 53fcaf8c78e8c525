import ArgumentParser
import BraidGraph
import BraidPlan
import BraidTransformer
import Foundation

/// `braid plan`: compile a graph and show its segments, positions, views, KV lifetimes and bounds.
struct PlanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Compile a graph into its attention-mask/KV-cache plan and show it with its bounds.",
        discussion: """
        Bounds come from budgets and the model's header alone (no weights are loaded): peak KV bytes, peak live \
        tokens, the longest view against the context window. Prompt lengths are bounded by their UTF-8 size, \
        input placeholders by --input-tokens; --lengths gives exact counts instead. A plan that can't fit the \
        context window or --memory-limit is printed, then refused (exit 1) naming the segment at fault. Segments \
        that exist only once spawns happen (children, joins) are bounded at their worst (every round, every \
        child at full budget); when only those can overflow, a note says so and the plan is not refused: the \
        runtime stops such a thread at the limit.

          braid plan Graphs/parathinker.yaml --set paths=8 --memory-limit 256MB
          braid plan Graphs/apr.yaml --format dot | dot -Tsvg > apr.svg

        With --backend openai it shows instead what the plan becomes on a serving engine's /v1/completions API \
        (vLLM, SGLang, llama-server): each rule that is lowered (attend merge → text re-prefill, shared and \
        after-longest positions → flat, thought embeddings → dropped, per-token masks → per-request contexts) \
        and the request pattern. --require-exact then refuses (exit 1) a plan that would lower anything.

          braid plan Graphs/parathinker.yaml --backend openai
        """)

    @OptionGroup var graph: GraphOptions

    @Option(help: "A GGUF model whose header gives the shape (default: SmolLM2-135M's dimensions).")
    var model: String?

    @Option(name: [.customLong("kv-type"), .customLong("kv")],
            help: ArgumentHelp("KV element type the bounds count: f32 or f16 (as run's --kv-type; --kv is the older spelling).",
                               valueName: "f32|f16"))
    var kvType: KVPrecision = .f32

    @Option(name: .customLong("memory-limit"), help: "Refuse a plan whose peak KV exceeds this, e.g. 512MB, 2GB.")
    var memoryLimit: String?

    @Option(help: "Exact token counts for bounds, e.g. prompt=120,think=300 (by step or segment id).")
    var lengths: String?

    @Option(name: .customLong("input-tokens"), help: "Tokens assumed for each input placeholder such as {question}.")
    var inputTokens: Int = 256

    @Option(help: "Output format: text, json or dot.")
    var format: String = "text"

    @Flag(help: "With --format text: Markdown tables.")
    var markdown = false

    @Option(help: "Show the lowering onto a serving backend instead: openai (an OpenAI-style /v1/completions server).")
    var backend: String?

    @Flag(name: .customLong("require-exact"), help: "With --backend: refuse (exit 1) a plan that the backend would lower.")
    var requireExact = false

    func run() throws {
        guard ["text", "json", "dot"].contains(format) else {
            throw CLIFailure(.usage, "error: --format must be text, json or dot, got '\(format)'")
        }
        guard inputTokens >= 0 else { throw CLIFailure(.usage, "error: --input-tokens must be at least 0") }
        if let backend {
            return try showLowering(backend: backend)
        }
        guard !requireExact else { throw CLIFailure(.usage, "error: --require-exact needs --backend") }
        let limit = try memoryLimit.map(PlanCommand.parseMemory)
        let shape = try ModelShapeReader.shape(model: model, kv: kvType)
        let plan = try PlanCommand.compile(try graph.load())
        let given = try lengths.map { try MaskLengths.parse($0).values } ?? [:]
        let bounds: Bounds
        do {
            bounds = try Bounds.compute(plan, model: shape, estimate: LengthEstimate(lengths: given, inputTokens: inputTokens))
        } catch let error as PlanError {
            throw CLIFailure(.invalidInput, "error: \(error)")
        }
        let text: String
        switch format {
        case "json": text = try PlanJSON.encode(plan, bounds: bounds)
        case "dot": text = PlanDOT.render(plan)
        default: text = PlanText.render(plan, bounds: bounds, markdown: markdown)
        }
        FileHandle.standardOutput.write(Data(text.utf8))
        let violations = bounds.violations(memoryLimit: limit)
        let runTime = violations.filter(\.runTime)
        if let first = runTime.first {
            let more = runTime.count > 1 ? " (and \(runTime.count - 1) more run-time segments)" : ""
            FileHandle.standardError.write(Data(("note: only if every spawn round runs with every child at full budget: "
                + "\(first.error)\(more); the runtime stops such a thread at the limit\n").utf8))
        }
        if let refusal = violations.first(where: { !$0.runTime }) {
            throw CLIFailure(.invalidInput, "refused: \(refusal.error)")
        }
    }

    /// `--backend openai`: the serving lowering report, refused under `--require-exact` (or the graph's `require: exact`)
    /// when not exact.
    func showLowering(backend: String) throws {
        guard backend == "openai" else {
            throw CLIFailure(.usage, "error: --backend must be openai (an OpenAI-style /v1/completions server), got '\(backend)'")
        }
        guard format != "dot" else { throw CLIFailure(.usage, "error: --backend shows text or json, not dot") }
        let loaded = try graph.load()
        let report = ServingLowering.lower(try PlanCommand.compile(loaded))
        let text = format == "json" ? try ServingLoweringText.json(report) : ServingLoweringText.render(report, markdown: markdown)
        FileHandle.standardOutput.write(Data(text.utf8))
        if requireExact || loaded.requiresExact {
            do {
                try report.requireExact()
            } catch let error as ServingLowering.NotExact {
                throw CLIFailure(.invalidInput, "refused: \(error)")
            }
        }
    }

    /// Compiles a loaded graph; a graph the compiler can't place is invalid input.
    static func compile(_ graph: Graph) throws -> Plan {
        do {
            return try GraphCompiler.compile(graph)
        } catch let error as PlanError {
            throw CLIFailure(.invalidInput, "error: \(graph.name): \(error)")
        }
    }

    /// `2GB`-style sizes; a malformed one is a usage error.
    static func parseMemory(_ text: String) throws -> Int {
        guard let bytes = ByteCount.parse(text), bytes > 0 else {
            throw CLIFailure(.usage, "error: --memory-limit expects a size such as 512MB or 2GB, got '\(text)'")
        }
        return bytes
    }
}

/// Reads a `ModelShape` from a GGUF header (no weights are touched).
enum ModelShapeReader {
    /// The shape for `--model` (or SmolLM2's when nil) with the `--kv-type` element type.
    static func shape(model: String?, kv: KVPrecision) throws -> ModelShape {
        let bytes = kv.bytes
        guard let model else { return ModelShape.smolLM2.withKVBytes(bytes) }
        let file: GGUFFile
        do {
            file = try GGUFFile(contentsOf: URL(fileURLWithPath: model))
        } catch {
            throw CLIFailure(.invalidInput, "error: \(model): can't read a GGUF header: \(error)")
        }
        return try shape(metadata: file.metadata, kvBytes: bytes, file: model)
    }

    /// Maps `<arch>.block_count`, `<arch>.attention.head_count_kv`, head dimension and context length.
    static func shape(metadata: GGUFMetadata, kvBytes: Int, file: String) throws -> ModelShape {
        let arch = metadata.string("general.architecture") ?? "llama"
        func require(_ key: String) throws -> Int {
            guard let value = metadata.int("\(arch).\(key)"), value > 0 else {
                throw CLIFailure(.invalidInput, "error: \(file): GGUF metadata lacks a positive '\(arch).\(key)'")
            }
            return value
        }
        let layers = try require("block_count")
        let heads = try require("attention.head_count")
        let kvHeads = metadata.int("\(arch).attention.head_count_kv") ?? heads
        let context = try require("context_length")
        let headDim: Int
        if let explicit = metadata.int("\(arch).attention.key_length"), explicit > 0 {
            headDim = explicit
        } else {
            let embedding = try require("embedding_length")
            guard embedding % heads == 0 else {
                throw CLIFailure(.invalidInput, "error: \(file): embedding length \(embedding) is not a multiple of \(heads) heads")
            }
            headDim = embedding / heads
        }
        return ModelShape(layers: layers, kvHeads: kvHeads, headDim: headDim, contextLength: context, kvBytesPerElement: kvBytes)
    }
}
