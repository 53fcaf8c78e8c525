import BraidGraph
import BraidPlan
import BraidRuntime
import BraidTransformer
import Foundation
import Testing

/// The bounds check every run passes before decoding (issue 9, item 2): one `Preflight`, used by `BraidSession.run`
/// and so by every command. Static violations are refused naming the segment; run-time spawn worst cases are notes.
@Suite("Preflight", .serialized)
struct PreflightTests {
    static let inputs = ["question": "What is 7+8?"]

    /// ParaThinker with the given params.
    static func parathinker(_ overrides: [String: String]) throws -> Graph {
        try Fixtures.graph("parathinker.yaml", overrides: overrides)
    }

    /// A session on the real model with its own `Transformer` over the shared weights: a transformer's scratch
    /// buffers are not shared between suites running at the same time.
    static func session(kvByteLimit: Int) throws -> BraidSession {
        let (shared, tokenizer) = try RealModel.loaded.get()
        return BraidSession(transformer: Transformer(weights: shared.weights, threads: nil), tokenizer: tokenizer,
                            kvByteLimit: kvByteLimit)
    }

    /// The plan error inside a refusal, or nil for any other outcome.
    static func refusal(_ body: () throws -> Any) -> PlanError? {
        do {
            _ = try body()
            return nil
        } catch RunError.refused(let error) {
            return error
        } catch {
            return nil
        }
    }

    @Test("a path budget past the context window is refused naming the first path")
    func contextWindow() throws {
        let check = Preflight(shape: .smolLM2, memoryLimit: nil)
        let error = Self.refusal { try check.check(try Self.parathinker(["path_tokens": "9000"]), inputs: Self.inputs, promptTokens: 40) }
        guard case .contextOverflow(let segment, let tokens, let context, _)? = error else {
            Issue.record("expected a context-window refusal, got \(String(describing: error))")
            return
        }
        #expect(segment == "think[0]")
        #expect(context == 8192)
        // The forced prefix `<think1>` (8 bytes) plus the budget.
        #expect(tokens == 9008)
    }

    @Test("a fork whose budgets alone are over the memory limit is refused naming its stage and first branch")
    func forkOverMemoryLimit() throws {
        // The 4 paths' budgets alone, 4 × 256 tokens × 46,080 bytes = 45 MB, are over 16 MB.
        let check = Preflight(shape: .smolLM2, memoryLimit: 16 << 20)
        let error = Self.refusal { try check.check(try Self.parathinker(["paths": "4"]), inputs: Self.inputs, promptTokens: 40) }
        #expect(error == .memoryOverLimit(segment: "think[0]", bytes: 4 * 256 * 46_080, limit: 16 << 20, stage: "think"))
    }

    @Test("peak KV over the memory limit is refused naming the stage and its largest segment")
    func peakOverMemoryLimit() throws {
        // The paths' budgets alone (45 MB) fit 56 MB; at the summary, 4 paths of `<think1>` + 256 tokens and the
        // summary (its 95-byte forced prefix + 128) are held: 1,279 tokens × 46,080 bytes ≈ 56.2 MB even before the
        // prompt is counted, which is what the message says (the check without the prompt runs first, so that every
        // entry point, whether or not it checked before loading the model, gives the same message).
        let check = Preflight(shape: .smolLM2, memoryLimit: 56 << 20)
        let error = Self.refusal { try check.check(try Self.parathinker(["paths": "4"]), inputs: Self.inputs, promptTokens: 40) }
        #expect(error == .memoryOverLimit(segment: "summary", bytes: 1_279 * 46_080, limit: 56 << 20, stage: "summary"))
        #expect(Self.refusal { try check.quickCheck(try Self.parathinker(["paths": "4"])) } == error)
        // With the prompt counted, 40 more tokens are over a limit the paths and summary alone fit.
        let tighter = Preflight(shape: .smolLM2, memoryLimit: 1_300 * 46_080)
        #expect(Self.refusal { try tighter.quickCheck(try Self.parathinker(["paths": "4"])) } == nil)
        #expect(Self.refusal { try tighter.check(try Self.parathinker(["paths": "4"]), inputs: Self.inputs, promptTokens: 40) }
            == .memoryOverLimit(segment: "summary", bytes: 1_319 * 46_080, limit: 1_300 * 46_080, stage: "summary"))
    }

    @Test("a session with an f16 KV cache counts two bytes an element, so a limit f32 KV is over can fit")
    func halfPrecisionKVCountsHalfTheBytes() throws {
        let session = try Self.session(kvByteLimit: 40 << 20)
        #expect(session.preflight.shape.kvBytesPerToken == 46_080)
        // 4 paths' worst case is 1,279 + prompt tokens: about 58 MB in f32, about 29 MB in f16.
        #expect(Self.refusal { try session.preflight.quickCheck(try Self.parathinker(["paths": "4"])) } != nil)
        session.transformer.kvPrecision = .f16
        #expect(session.preflight.shape.kvBytesPerToken == 23_040)
        #expect(Self.refusal { try session.preflight.quickCheck(try Self.parathinker(["paths": "4"])) } == nil)
        #expect(session.transformer.makeKVStore().bytesPerToken == 23_040, "the store and the check agree")
    }

    @Test("a plan that fits passes with its bounds and no notes")
    func fits() throws {
        let check = Preflight(shape: .smolLM2, memoryLimit: 1 << 30)
        let report = try check.check(try Self.parathinker(["paths": "2"]), inputs: Self.inputs, promptTokens: 40)
        let bounds = try #require(report.bounds)
        #expect(bounds.peakLiveTokens == 40 + 2 * (8 + 256) + bounds.segments.last.map(\.maxTokens)!)
        #expect(report.notes.isEmpty)
    }

    @Test("a hundred thousand paths are refused before they are compiled: their budgets alone need 1.1 TB of KV")
    func hundredThousandPaths() throws {
        let check = Preflight(shape: .smolLM2, memoryLimit: 64 << 30)
        let error = Self.refusal { try check.quickCheck(try Self.parathinker(["paths": "100000"])) }
        #expect(error == .memoryOverLimit(segment: "think[0]", bytes: 100_000 * 256 * 46_080, limit: 64 << 30, stage: "think"))
    }

    @Test("ten thousand one-token paths fit the memory but not the summary's view, with or without the prompt")
    func tenThousandShortPaths() throws {
        let check = Preflight(shape: .smolLM2, memoryLimit: 64 << 30)
        let graph = try Self.parathinker(["paths": "10000", "path_tokens": "1"])
        let quick = Self.refusal { try check.quickCheck(graph) }
        let full = Self.refusal { try check.check(graph, inputs: Self.inputs, promptTokens: 40) }
        // The check before the prompt is known refuses first, so every entry point gives the same message.
        #expect(full == quick)
        guard case .contextOverflow(let segment, _, _, let reason)? = full else {
            Issue.record("expected a context-window refusal, got \(String(describing: full))")
            return
        }
        #expect(segment == "summary")
        #expect(reason.contains("view"))
    }

    @Test("a spawn whose worst case can't fit is a note, not a refusal")
    func spawnWorstCaseIsANote() throws {
        // APR's parent continues after up to 16 rounds of joined results from 10 children of 4,096 tokens: past
        // 8,192 tokens of context, but only if every round spawns every child at full budget, which the runtime
        // guards as it goes.
        let graph = try Fixtures.graph("apr.yaml")
        let report = try Preflight(shape: .smolLM2, memoryLimit: nil).check(graph, inputs: [:], promptTokens: 40)
        #expect(report.notes.contains { $0.contains("worst case") }, "notes: \(report.notes)")
    }

    @Test("BraidSession.run refuses before decoding: no trace event, the same error as the check")
    func sessionRefusesBeforeDecoding() throws {
        let session = try Self.session(kvByteLimit: 16 << 20)
        var events = 0
        let graph = try Self.parathinker(["paths": "4"])
        let options = RunOptions(inputs: Self.inputs)
        let error = Self.refusal { try session.run(graph: graph, options: options) { _ in events += 1 } }
        #expect(events == 0)
        #expect(error == .memoryOverLimit(segment: "think[0]", bytes: 4 * 256 * 46_080, limit: 16 << 20, stage: "think"))
        // The same refusal as checking alone; the message says it was refused before running and names the segment.
        #expect(Self.refusal { try session.check(graph: graph, inputs: Self.inputs) } == error)
        #expect(RunError.refused(try #require(error)).description
            .hasPrefix("refused before running: stage 'think' needs 45 MB of KV cache while writing segment 'think[0]'"))
        #expect(RunError.refused(try #require(error)).isInputError)
    }

    @Test("BraidSession.run still runs a plan that fits")
    func sessionRunsWhatFits() throws {
        let session = try Self.session(kvByteLimit: 64 << 20)
        let graph = try Self.parathinker(["paths": "2", "path_tokens": "4", "summary_tokens": "4", "temperature": "0"])
        let result = try session.run(graph: graph, options: RunOptions(inputs: Self.inputs))
        #expect(result.threads.filter { $0.name.hasPrefix("think") }.count == 2)
    }
}
