import ArgumentParser
import BraidTransformer
import Foundation

/// `braid generate`: plain autoregressive generation on one thread, streamed as it decodes.
struct GenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Generate a continuation of a prompt with the built-in transformer, streaming text.",
        discussion: """
        Greedy by default; --temperature > 0 samples (with --top-k/--top-p/--min-p filters) from a \
        random stream fixed by --seed. Stops at the model's end-of-generation token or --max-tokens.

        Examples:
          braid generate --chat "What is 12*13?"
          braid generate --temperature 0.7 --seed 3 "The capital of France is"
          braid generate --ids "[504, 3575, 282, 4649, 314]"     # ids in, ids out (JSON)
        """
    )

    @Option(help: "A GGUF model file or Hugging Face model folder (default: the cached SmolLM2-135M-Instruct).")
    var model: String?

    @Flag(help: "Wrap PROMPT as one user message in the model's chat template.")
    var chat = false

    @Option(help: "Most tokens to generate.")
    var maxTokens = 128

    @Option(help: "Sampling temperature; 0 is greedy.")
    var temperature: Float = 0

    @Option(help: "Keep only the k most likely tokens (0: off).")
    var topK = 0

    @Option(help: "Nucleus sampling: keep the most likely tokens up to this probability mass (1: off).")
    var topP: Float = 1

    @Option(help: "Drop tokens less likely than this fraction of the most likely one (0: off).")
    var minP: Float = 0

    @Option(help: "Penalty on tokens already in the prompt or output (1: off).")
    var repetitionPenalty: Float = 1

    @Option(help: "Seed of the sampling random stream.")
    var seed: UInt64 = 0

    @Flag(help: "PROMPT is a list of token ids (JSON array or separated by spaces/commas); print ids as JSON.")
    var ids = false

    @Flag(help: "Keep generating past end-of-generation tokens.")
    var ignoreEOS = false

    @Option(help: "Threads that compute each forward step (the caller plus a pool of workers; default: one per core).")
    var threads: Int?

    @Option(help: ActivationPrecision.help)
    var activations: ActivationPrecision = .f32

    @Option(name: .customLong("kv-type"), help: KVPrecision.help)
    var kvType: KVPrecision = .f32

    @Flag(help: "Print token counts and speed to standard error at the end.")
    var stats = false

    @Argument(help: "The prompt text (or ids with --ids).")
    var prompt: String

    func validate() throws {
        if maxTokens < 0 { throw ValidationError("--max-tokens must be ≥ 0") }
        if ids && chat { throw ValidationError("--ids cannot be combined with --chat") }
        if let problem = parameters.problem() { throw ValidationError(problem) }
        if let n = threads, n < 1 { throw ValidationError("--threads must be ≥ 1") }
    }

    var parameters: SamplingParameters {
        SamplingParameters(temperature: temperature, topK: topK, topP: topP, minP: minP,
                           repetitionPenalty: repetitionPenalty)
    }

    func run() throws {
        let session = try ModelSession(path: model, threads: threads, activations: activations, kvType: kvType)
        let tokenizer = session.tokenizer
        let promptIDs: [Int32]
        if ids {
            promptIDs = try TokenizeCommand.parseIDs(prompt, vocabularySize: session.transformer.config.vocabSize)
        } else {
            var text = prompt
            if chat {
                do {
                    text = try tokenizer.applyChatTemplate(messages: [(role: "user", content: prompt)], addGenerationPrompt: true)
                } catch {
                    throw CLIFailure(.invalidInput, "braid generate --chat: \(error)")
                }
            }
            var encoded = tokenizer.encode(text)
            if tokenizer.addsBOS, let bos = tokenizer.bosID, encoded.first != bos { encoded.insert(bos, at: 0) }
            promptIDs = encoded
        }
        guard !promptIDs.isEmpty else { throw CLIFailure(.invalidInput, "the prompt is empty") }

        let t = session.transformer
        let kv = t.makeKVStore()
        let start = DispatchTime.now().uptimeNanoseconds
        var generated: [Int32] = []
        var decoder = StreamingDecoder(tokenizer: tokenizer)
        var sampler = Sampler(parameters: parameters, seed: seed)
        do {
            let segment = try kv.makeSegment()
            let view = try kv.makeView([segment])
            var batch = promptIDs.enumerated().map { QueryToken(token: $1, position: $0, segment: segment, view: view) }
            var prefillEnd: UInt64 = 0
            while generated.count < maxTokens {
                let logits = try t.forward(batch: batch, kv: kv, logitRows: .last)
                if prefillEnd == 0 { prefillEnd = DispatchTime.now().uptimeNanoseconds }
                let next = sampler.sample(logits.row(0), history: promptIDs + generated)
                if !ignoreEOS && tokenizer.isEndOfGeneration(next) { break }
                generated.append(next)
                if !ids { Self.write(decoder.feed(next)) }
                batch = [QueryToken(token: next, position: promptIDs.count + generated.count - 1, segment: segment, view: view)]
            }
            if ids {
                print("[" + generated.map(String.init).joined(separator: ", ") + "]")
            } else {
                Self.write(decoder.finish() + "\n")
            }
            if stats {
                let end = DispatchTime.now().uptimeNanoseconds
                let prefill = Double(max(1, prefillEnd - start)) / 1e9
                let decode = Double(max(1, end - prefillEnd)) / 1e9
                FileHandle.standardError.write(Data(String(
                    format: "prompt %d tokens (%.1f tok/s), generated %d tokens (%.1f tok/s), KV peak %.1f MiB\n",
                    promptIDs.count, Double(promptIDs.count) / prefill, generated.count,
                    Double(max(0, generated.count - 1)) / decode, Double(kv.peakBytes) / 1_048_576).utf8))
            }
        } catch let error as ModelError {
            throw CLIFailure(.invalidInput, "braid generate: \(error)")
        } catch let error as KVError {
            throw CLIFailure(.runFailure, "braid generate: \(error)")
        }
    }

    /// Writes streamed text immediately (stdout is block-buffered when piped).
    static func write(_ text: String) {
        guard !text.isEmpty else { return }
        FileHandle.standardOutput.write(Data(text.utf8))
    }
}

/// A model file opened once: its transformer (weights dequantized) and its tokenizer.
struct ModelSession {
    let url: URL
    let transformer: Transformer
    let tokenizer: Tokenizer

    /// Opens `path` (or the default model); unreadable or unsupported files are invalid input.
    init(path: String?, threads: Int?, activations: ActivationPrecision = .f32, kvType: KVPrecision = .f32) throws {
        url = try resolveModelPath(path)
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw CLIFailure(.invalidInput, "model file not found: \(url.path)")
        }
        do {
            let (source, tokenizer) = try ModelFiles.open(url)  // a GGUF file or a Hugging Face folder
            self.tokenizer = tokenizer
            transformer = try Transformer(source: source, threads: threads, activations: activations)
            transformer.kvPrecision = kvType
        } catch {
            throw CLIFailure(.invalidInput, "\(url.path): \(error)")
        }
    }
}
