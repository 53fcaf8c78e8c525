import ArgumentParser
import BraidTransformer
import Foundation

/// `braid bench transformer`: the forward pass's throughput as the transformer issue reports it.
struct BenchTransformerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "transformer",
        abstract: "Prefill and decode throughput of the forward pass (medians over repeats), peak memory.",
        discussion: """
        Each repeat: a fresh KV cache, one prefill of --prompt-tokens tokens (one forward pass), then \
        --decode-steps decode steps for 1 stream, then for each count in --streams the same number of \
        steps for that many streams sharing the prompt's KV (one forward pass per step for all of them, \
        greedy argmax on every row). A warm-up pass runs first and is not counted. Token ids are \
        arbitrary: speed does not depend on them. Progress goes to standard error, the report to \
        standard output.

          braid bench transformer
          braid bench transformer --streams 8,16 --repeats 7 --threads 2 --json
        """)

    @Option(help: "A GGUF model file or Hugging Face model folder (default: the cached SmolLM2-135M-Instruct).")
    var model: String?

    @Option(help: "Prompt length for the prefill measurement.")
    var promptTokens = 512

    @Option(help: "Stream counts for aggregate decoding, comma-separated (1 stream is always measured).")
    var streams = "8"

    @Option(help: "Decode steps per measurement.")
    var decodeSteps = 64

    @Option(help: "Repeats per figure; the median is reported with min and max.")
    var repeats = 5

    @Option(help: "Threads that compute each forward step (the caller plus a pool of workers; default: one per core).")
    var threads: Int?

    @Option(help: ActivationPrecision.help)
    var activations: ActivationPrecision = .f32

    @Option(name: .customLong("kv-type"), help: KVPrecision.help)
    var kvType: KVPrecision = .f32

    @Flag(help: "Skip the 1-stream decode (e.g. to profile one stream count alone).")
    var skipSingleStream = false

    @Flag(help: "Print the report as JSON.")
    var json = false

    @Option(help: "Also write the JSON report to this file.")
    var jsonFile: String?

    @Flag(name: .shortAndLong, help: "No progress lines on standard error.")
    var quiet = false

    func validate() throws {
        guard promptTokens > 0 else { throw ValidationError("--prompt-tokens must be positive, got \(promptTokens)") }
        guard decodeSteps > 0 else { throw ValidationError("--decode-steps must be positive, got \(decodeSteps)") }
        guard repeats > 0 else { throw ValidationError("--repeats must be positive, got \(repeats)") }
        if let threads, threads <= 0 { throw ValidationError("--threads must be positive, got \(threads)") }
    }

    func run() throws {
        let counts = try BenchLog.positiveList(streams, option: "--streams")
        let url = try resolveModelPath(model)
        let machine = BenchMachine.current(threads: threads, activations: activations, kvType: kvType)
        BenchLog.say("machine: \(machine.summary)", quiet: quiet)
        BenchLog.say("loading \(url.lastPathComponent)…", quiet: quiet)
        let (transformer, loadSeconds) = try BenchClock.time { () throws -> Transformer in
            do {
                return Transformer(weights: try Weights(source: try ModelFiles.open(url).source), threads: threads,
                                   activations: activations)
            } catch {
                throw CLIFailure(.invalidInput, "error: cannot load model \(url.path): \(error)")
            }
        }
        transformer.kvPrecision = kvType
        let config = transformer.config
        let longest = promptTokens + decodeSteps
        guard longest <= config.contextLength else {
            throw CLIFailure(.usage, "error: --prompt-tokens + --decode-steps = \(longest) exceeds the model's context of \(config.contextLength)")
        }
        let bench = ForwardBench(transformer: transformer, promptTokens: promptTokens, decodeSteps: decodeSteps)
        var report: TransformerBenchReport
        do {
            BenchLog.say("warm-up…", quiet: quiet)
            try bench.warmUp()
            var measured = ForwardBench.Measurements()
            for r in 0..<repeats {
                try bench.measure(streamCounts: skipSingleStream ? counts : [1] + counts, into: &measured)
                BenchLog.say("repeat \(r + 1)/\(repeats): " + measured.lastLine(), quiet: quiet)
            }
            report = TransformerBenchReport(
                model: url.path, machine: machine, promptTokens: promptTokens, decodeSteps: decodeSteps,
                repeats: repeats, loadSeconds: loadSeconds, parameters: transformer.weights.parameterCount,
                prefillTokensPerSecond: BenchFigure(measured.prefill),
                decode: measured.decode.keys.sorted().map { n in
                    let rates = measured.decode[n] ?? []
                    return DecodeFigure(streams: n, tokensPerSecond: BenchFigure(rates),
                                        stepMilliseconds: BenchFigure(rates.map { Double(n) * 1000 / $0 }),
                                        cpuStepMilliseconds: BenchFigure(measured.decodeCPU[n] ?? []))
                },
                kvBytesPerToken: measured.kvBytesPerToken, peakKVBytes: measured.peakKVBytes,
                peakResidentBytes: BenchMachine.peakResidentBytes(),
                fileBytes: (try? FileManager.default.attributesOfItem(atPath: url.path)[.size] as? NSNumber).map { $0.intValue })
        } catch let failure as CLIFailure {
            throw failure
        } catch {
            throw CLIFailure(.runFailure, "error: benchmark failed: \(error)")
        }
        try BenchLog.emit(report, text: report.text, json: json, file: jsonFile)
    }
}

/// The forward-pass measurements, separate from the command so the loop reads plainly.
struct ForwardBench {
    let transformer: Transformer
    let promptTokens: Int
    let decodeSteps: Int

    /// Raw per-repeat numbers.
    struct Measurements {
        var prefill: [Double] = []
        /// Aggregate tokens/s per stream count.
        var decode: [Int: [Double]] = [:]
        /// Process CPU milliseconds per decode step, per stream count.
        var decodeCPU: [Int: [Double]] = [:]
        var kvBytesPerToken = 0
        var peakKVBytes = 0

        /// The latest repeat as one progress line.
        func lastLine() -> String {
            var parts = [String(format: "prefill %.1f tok/s", prefill.last ?? 0)]
            for n in decode.keys.sorted() {
                parts.append(String(format: "decode×%d %.1f tok/s", n, decode[n]?.last ?? 0))
            }
            return parts.joined(separator: ", ")
        }
    }

    /// Token ids spread over the vocabulary (speed does not depend on which ids are fed).
    private func token(_ i: Int) -> Int32 {
        Int32((i &* 7919 &+ 13) % transformer.config.vocabSize)
    }

    /// A short prefill and a few decode steps, so first-touch page faults and OpenBLAS's thread start-up
    /// are not counted in the first repeat.
    func warmUp() throws {
        let kv = transformer.makeKVStore()
        let prompt = try prefill(kv: kv, length: min(promptTokens, 64))
        _ = try decode(kv: kv, prompt: prompt.segment, promptLength: min(promptTokens, 64), streams: 2, steps: 4)
    }

    /// One repeat: prefill, then decode with each count in `streamCounts` (duplicates measured once).
    func measure(streamCounts: [Int], into m: inout Measurements) throws {
        let kv = transformer.makeKVStore()
        let prompt = try prefill(kv: kv, length: promptTokens)
        m.prefill.append(Double(promptTokens) / prompt.seconds)
        var seen: Set<Int> = []
        for n in streamCounts where seen.insert(n).inserted {
            let cpuStart = BenchClock.processCPU()
            let seconds = try decode(kv: kv, prompt: prompt.segment, promptLength: promptTokens, streams: n, steps: decodeSteps)
            m.decode[n, default: []].append(Double(n * decodeSteps) / seconds)
            m.decodeCPU[n, default: []].append((BenchClock.processCPU() - cpuStart) * 1000 / Double(decodeSteps))
        }
        m.kvBytesPerToken = kv.bytesPerToken
        m.peakKVBytes = max(m.peakKVBytes, kv.peakBytes)
    }

    /// Prefills `length` tokens into a new segment in one forward pass (logits for the last row only,
    /// as a generation would need); returns the segment and the seconds taken.
    private func prefill(kv: KVStore, length: Int) throws -> (segment: SegmentID, seconds: Double) {
        let segment = try kv.makeSegment()
        let view = try kv.makeView([segment])
        let batch = (0..<length).map { QueryToken(token: token($0), position: $0, segment: segment, view: view) }
        let (_, seconds) = try BenchClock.time { try transformer.forward(batch: batch, kv: kv, logitRows: .last) }
        try kv.releaseView(view)
        return (segment, seconds)
    }

    /// `steps` decode steps for `streams` streams that each see the prompt and their own segment; one
    /// forward pass per step, argmax of every row fed back. Returns the seconds of the loop; frees the
    /// streams' KV afterwards.
    private func decode(kv: KVStore, prompt: SegmentID, promptLength: Int, streams: Int, steps: Int) throws -> Double {
        let segments = try (0..<streams).map { _ in try kv.makeSegment() }
        let views = try segments.map { try kv.makeView([prompt, $0]) }
        var next = (0..<streams).map { token(promptLength + 31 * $0) }
        let start = BenchClock.now()
        for step in 0..<steps {
            let batch = (0..<streams).map {
                QueryToken(token: next[$0], position: promptLength + step, segment: segments[$0], view: views[$0])
            }
            let logits = try transformer.forward(batch: batch, kv: kv, logitRows: .all)
            next = (0..<streams).map { logits.argmax(row: $0) }
        }
        let seconds = BenchClock.now() - start
        for view in views { try kv.releaseView(view) }
        for segment in segments { try kv.release(segment) }
        return seconds
    }
}

/// Aggregate decoding for one stream count.
struct DecodeFigure: Codable {
    /// Threads decoding together (one token each per step).
    var streams: Int
    /// Generated tokens per second over all streams.
    var tokensPerSecond: BenchFigure
    /// Milliseconds per decode step (one forward pass for all streams).
    var stepMilliseconds: BenchFigure
    /// Process CPU milliseconds per decode step (all compute threads, spinning included).
    var cpuStepMilliseconds: BenchFigure
}

/// What `braid bench transformer` reports.
struct TransformerBenchReport: Codable {
    var model: String
    var machine: BenchMachine
    var promptTokens: Int
    var decodeSteps: Int
    var repeats: Int
    /// Seconds to read and dequantize the model.
    var loadSeconds: Double
    var parameters: Int
    /// Prompt tokens per second of one prefill pass.
    var prefillTokensPerSecond: BenchFigure
    /// One entry per stream count, 1 first.
    var decode: [DecodeFigure]
    /// KV bytes per token (all layers, K and V).
    var kvBytesPerToken: Int
    /// The most KV bytes in use in one repeat (prompt plus every stream).
    var peakKVBytes: Int
    /// Peak resident memory of the process (`VmHWM`).
    var peakResidentBytes: Int?
    /// Size of the model file.
    var fileBytes: Int?

    /// A plain-text table: median (min–max) per figure.
    var text: String {
        func mib(_ bytes: Int) -> String { String(format: "%.1f MiB", Double(bytes) / 1_048_576) }
        var lines = [
            "model: \(model) (\(parameters) parameters, loaded in \(String(format: "%.2f", loadSeconds)) s)",
            "machine: \(machine.summary)",
            "\(repeats) repeats; medians with (min–max)",
            "",
            "prefill \(promptTokens) tokens: \(prefillTokensPerSecond.text()) tok/s",
        ]
        for d in decode {
            let what = d.streams == 1 ? "decode, 1 stream" : "decode, \(d.streams) streams sharing the prompt (aggregate)"
            lines.append("\(what): \(d.tokensPerSecond.text()) tok/s, step \(d.stepMilliseconds.text(2)) ms"
                + " (CPU \(d.cpuStepMilliseconds.text(2)) ms)")
        }
        lines.append("")
        lines.append("KV: \(kvBytesPerToken) bytes/token, peak \(mib(peakKVBytes)) in a repeat")
        var memory = "peak RSS (VmHWM): " + (peakResidentBytes.map(mib) ?? "unknown")
        if let peak = peakResidentBytes, let file = fileBytes {
            memory += String(format: "; file %@; RSS / (file + peak KV) = %.2f", mib(file),
                             Double(peak) / Double(file + peakKVBytes))
        }
        lines.append(memory)
        return lines.joined(separator: "\n")
    }
}
