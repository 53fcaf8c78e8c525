import ArgumentParser
import BraidTransformer
import Foundation

/// `braid logits`: run a hand-written masked layout through the model and print every token's
/// top logits — what any mask computes, and the compiler's test hook.
struct LogitsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "logits",
        abstract: "Print the top-k logits of every token of a masked layout (segments, views, positions) as JSON.",
        discussion: """
        The layout file names segments, which other segments each one sees (its own segment is \
        always seen last, causally), and lists tokens (ids or text) with positions. The format is \
        in Docs/transformer.md; Examples/masked-layout.json is a ParaThinker layout.

          braid logits --layout Examples/masked-layout.json --top-k 5
        """
    )

    @Option(help: "A GGUF model file or Hugging Face model folder (default: the cached SmolLM2-135M-Instruct).")
    var model: String?

    @Option(help: "The layout JSON file.")
    var layout: String

    @Option(help: "How many of the largest logits to print per token.")
    var topK = 5

    @Option(help: "Threads that compute each forward step (the caller plus a pool of workers; default: one per core).")
    var threads: Int?

    @Option(help: ActivationPrecision.help)
    var activations: ActivationPrecision = .f32

    @Option(name: .customLong("kv-type"), help: KVPrecision.help)
    var kvType: KVPrecision = .f32

    func validate() throws {
        if topK < 1 { throw ValidationError("--top-k must be ≥ 1") }
        if let n = threads, n < 1 { throw ValidationError("--threads must be ≥ 1") }
    }

    func run() throws {
        let path = (layout as NSString).expandingTildeInPath
        let spec: LogitsLayout
        do {
            spec = try JSONDecoder().decode(LogitsLayout.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
        } catch let error as DecodingError {
            throw CLIFailure(.invalidInput, "\(path): not a layout file: \(Self.describe(error))")
        } catch {
            throw CLIFailure(.invalidInput, "cannot read layout file \(path): \(error.localizedDescription)")
        }
        let session = try ModelSession(path: model, threads: threads, activations: activations, kvType: kvType)
        let tokenizer = session.tokenizer
        let report: Report
        do {
            let tokens = try spec.resolve { tokenizer.encode($0) }
            let ignored = spec.ignoredThoughts(on: session.transformer.config)
            if !ignored.isEmpty {
                let names = ignored.map { "'\($0)'" }.joined(separator: ", ")
                FileHandle.standardError.write(Data("note: the model has no thought embeddings; the thought indices of \(names) are ignored\n".utf8))
            }
            let logits = try spec.evaluate(tokens, on: session.transformer)
            report = Report(model: session.url.path, tokens: tokens.map { t in
                TokenReport(index: t.index, segment: t.segment, position: t.position, id: t.id,
                            text: tokenizer.decode([t.id]),
                            top: logits.top(topK, row: t.index).map {
                                Candidate(id: $0.id, text: tokenizer.decode([$0.id]), logit: $0.logit)
                            })
            })
        } catch let error as LayoutError {
            throw CLIFailure(.invalidInput, "\(path): \(error)")
        } catch let error as ModelError {
            throw CLIFailure(.invalidInput, "\(path): \(error)")
        } catch let error as KVError {
            throw CLIFailure(.runFailure, "\(path): \(error)")
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        print(String(decoding: try encoder.encode(report), as: UTF8.self))
    }

    /// A decoding error as "at tokens[3].id: expected Int32" rather than Foundation's dump.
    static func describe(_ error: DecodingError) -> String {
        func path(_ keys: [CodingKey]) -> String {
            keys.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
                .trimmingCharacters(in: CharacterSet(charactersIn: "."))
        }
        switch error {
        case let .keyNotFound(key, context): return "missing key '\(key.stringValue)' at \(path(context.codingPath))"
        case let .typeMismatch(_, context), let .valueNotFound(_, context), let .dataCorrupted(context):
            return "\(context.debugDescription) at \(path(context.codingPath))"
        @unknown default: return "\(error)"
        }
    }

    struct Candidate: Encodable {
        let id: Int32
        let text: String
        let logit: Float
    }

    struct TokenReport: Encodable {
        let index: Int
        let segment: String
        let position: Int
        let id: Int32
        let text: String
        let top: [Candidate]
    }

    struct Report: Encodable {
        let model: String
        let tokens: [TokenReport]
    }
}
