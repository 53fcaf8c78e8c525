import Testing
@testable import BraidTransformer

/// The masked forward pass on a tiny random model (written as a GGUF file and loaded back),
/// checked against a naive forward written in plain loops. Tolerance 1e-4: both are float32, they differ only in summation order.
@Suite struct SyntheticForwardTests {
    let tolerance: Float = 1e-4
    let tokens: [Int32] = [3, 17, 42, 8, 8, 59, 0, 23, 11, 36, 5, 14, 27, 50, 2, 9, 31, 44, 19, 7]

    func makeTransformer(_ model: SyntheticModel) throws -> Transformer {
        try Transformer(source: model.gguf(), threads: 1)
    }

    /// The prompt prefilled into one segment, then `steps` decode steps of `threads` (each its own segment that sees
    /// the prompt) in one batch a step; `token(thread, step)` is what a thread reads. Every row's logits, per thread.
    func decodeAfterPrompt(_ t: Transformer, prompt: [Int32], blockTokens: Int, steps: Int, threads: [Int],
                           token: (Int, Int) -> Int32) throws -> [[[Float]]] {
        let kv = t.makeKVStore(blockTokens: blockTokens)
        let p = try kv.makeSegment()
        let pv = try kv.makeView([p])
        _ = try t.forward(batch: prompt.enumerated().map { QueryToken(token: $1, position: $0, segment: p, view: pv) },
                          kv: kv, logitRows: .none)
        let segs = try threads.map { _ in try kv.makeSegment() }
        let views = try segs.map { try kv.makeView([p, $0]) }
        var out = threads.map { _ in [[Float]]() }
        for step in 0..<steps {
            let batch = threads.indices.map {
                QueryToken(token: token(threads[$0], step), position: prompt.count + step, segment: segs[$0],
                           view: views[$0])
            }
            let logits = try t.forward(batch: batch, kv: kv, logitRows: .all)
            for k in threads.indices { out[k].append(Array(logits.row(k))) }
        }
        return out
    }

    @Test("prefill of one causal segment matches the naive forward", arguments: ["qwen2", "llama"])
    func prefillMatchesReference(architecture: String) throws {
        let model = SyntheticModel(architecture: architecture)
        let t = try makeTransformer(model)
        let kv = t.makeKVStore(blockTokens: 4)
        let s = try kv.makeSegment()
        let view = try kv.makeView([s])
        let batch = tokens.enumerated().map { QueryToken(token: $1, position: $0, segment: s, view: view) }
        let logits = try t.forward(batch: batch, kv: kv, logitRows: .all)
        let reference = model.referenceLogits(tokens: tokens, positions: Array(0..<tokens.count),
                                              thought: tokens.map { _ in 0 }) { q, k in k <= q }
        for i in tokens.indices {
            #expect(maxDifference(logits.row(i), reference[i]) < tolerance, "token \(i)")
        }
    }

    @Test("incremental decoding with the KV cache equals a full recompute")
    func incrementalEqualsRecompute() throws {
        let model = SyntheticModel()
        let t = try makeTransformer(model)
        let full = try {
            let kv = t.makeKVStore(blockTokens: 4)
            let s = try kv.makeSegment()
            let view = try kv.makeView([s])
            let batch = tokens.enumerated().map { QueryToken(token: $1, position: $0, segment: s, view: view) }
            return try t.forward(batch: batch, kv: kv, logitRows: .all)
        }()
        let kv = t.makeKVStore(blockTokens: 4)
        let s = try kv.makeSegment()
        let view = try kv.makeView([s])
        // A 7-token prefill, then one token at a time.
        let prefill = try t.forward(batch: (0..<7).map { QueryToken(token: tokens[$0], position: $0, segment: s, view: view) },
                                    kv: kv, logitRows: .all)
        for i in 0..<7 { #expect(maxDifference(prefill.row(i), full.row(i)) < tolerance) }
        for i in 7..<tokens.count {
            let step = try t.forward(batch: [QueryToken(token: tokens[i], position: i, segment: s, view: view)], kv: kv)
            #expect(maxDifference(step.row(0), full.row(i)) < tolerance, "step \(i)")
        }
        #expect(try kv.length(of: s) == tokens.count)
    }

    @Test("a batch of threads gives each thread the logits it gets alone")
    func batchEqualsAlone() throws {
        let model = SyntheticModel()
        let t = try makeTransformer(model)
        let prompt = Array(tokens.prefix(9))
        let continuations: [[Int32]] = [[4, 5, 6, 7, 8], [40, 41, 42, 43, 44], [1, 60, 2, 59, 3]]
        func run(_ threads: [Int]) throws -> [[[Float]]] {
            try decodeAfterPrompt(t, prompt: prompt, blockTokens: 4, steps: 5, threads: threads) { continuations[$0][$1] }
        }
        let together = try run([0, 1, 2])
        for thread in 0..<3 {
            let alone = try run([thread])[0]
            for step in 0..<5 {
                #expect(maxDifference(together[thread][step], alone[step]) < tolerance, "thread \(thread) step \(step)")
            }
        }
    }

    @Test("twelve threads decoded together on two threads get the logits each gets alone, with 66 query heads on one KV head")
    func wideGroupBatchEqualsAlone() throws {
        // Twelve rows take the per-row steps on both threads (RowWork), and every reader of the shared prompt block meets
        // it in one gathering: 12 × 66 query vectors, more than a gathering's default 64, so it is flushed mid-block; and
        // one token's 66 heads alone exceed that default, which the gathering must make room for.
        let model = SyntheticModel(heads: 66, kvHeads: 1, headDim: 8)
        let t = try Transformer(source: model.gguf(), threads: 2)
        let prompt = Array(tokens.prefix(9))
        func run(_ threads: [Int]) throws -> [[[Float]]] {
            try decodeAfterPrompt(t, prompt: prompt, blockTokens: 16, steps: 3, threads: threads) { thread, step in
                Int32((thread * 7 + step * 3) % model.vocab)
            }
        }
        let together = try run(Array(0..<12))
        for thread in [0, 5, 11] {
            let alone = try run([thread])[0]
            for step in 0..<3 {
                #expect(maxDifference(together[thread][step], alone[step]) < tolerance, "thread \(thread) step \(step)")
            }
        }
    }

    @Test("one token over many keys gives the same bits when its attention is split over threads by keys and columns",
          arguments: [1, 4])
    func keySplitAttentionIsExact(kvHeads: Int) throws {
        // One KV head on two threads cannot be shared out by head: the token's blocks are split for the scores
        // and its 64 columns per head for the values (attendSplitByKeys), unless attention runs on one thread.
        // Four KV heads divide among two threads and keep one item per head: the same bits either way too.
        let model = SyntheticModel(kvHeads: kvHeads, headDim: 64, context: 1024)
        let t = try Transformer(source: model.gguf(), threads: 2)
        let prompt = (0..<600).map { tokens[$0 % tokens.count] }
        func decode(attentionThreads: Int, kvType: KVPrecision) throws -> [Float] {
            t.attentionThreads = attentionThreads
            t.kvPrecision = kvType
            let kv = t.makeKVStore(blockTokens: 16)
            let s = try kv.makeSegment()
            let view = try kv.makeView([s])
            _ = try t.forward(batch: prompt.enumerated().map { QueryToken(token: $1, position: $0, segment: s, view: view) },
                              kv: kv, logitRows: .none)
            let step = try t.forward(batch: [QueryToken(token: 5, position: prompt.count, segment: s, view: view)], kv: kv)
            return Array(step.row(0))
        }
        for kvType in [KVPrecision.f32, .f16] {
            let split = try decode(attentionThreads: 2, kvType: kvType)
            let serial = try decode(attentionThreads: 1, kvType: kvType)
            #expect(split.map(\.bitPattern) == serial.map(\.bitPattern), "\(kvType)")
            #expect(split.contains { $0 != 0 })
        }
    }

    @Test("a segment at positions p..p+n gives the same logits wherever its blocks live")
    func placementIndependent() throws {
        let model = SyntheticModel()
        let t = try makeTransformer(model)
        let body = Array(tokens.prefix(11))
        let start = 37
        func run(blockTokens: Int, padding: Int) throws -> Logits {
            let kv = t.makeKVStore(blockTokens: blockTokens)
            // Occupy (and partly free) blocks first so the segment lands elsewhere in memory.
            let filler = try kv.makeSegment()
            let fv = try kv.makeView([filler])
            if padding > 0 {
                _ = try t.forward(batch: (0..<padding).map { QueryToken(token: 1, position: $0, segment: filler, view: fv) },
                                  kv: kv, logitRows: .none)
            }
            let s = try kv.makeSegment()
            let view = try kv.makeView([s])
            try kv.releaseView(fv)
            try kv.release(filler)
            return try t.forward(batch: body.enumerated().map { QueryToken(token: $1, position: start + $0, segment: s, view: view) },
                                 kv: kv, logitRows: .all)
        }
        let a = try run(blockTokens: 4, padding: 0)
        for (blocks, padding) in [(4, 13), (3, 5), (16, 40), (1, 2)] {
            let b = try run(blockTokens: blocks, padding: padding)
            #expect(maxDifference(a.values, b.values) < tolerance, "blockTokens \(blocks), padding \(padding)")
        }
        let reference = model.referenceLogits(tokens: body, positions: body.indices.map { start + $0 },
                                              thought: body.map { _ in 0 }) { q, k in k <= q }
        for i in body.indices { #expect(maxDifference(a.row(i), reference[i]) < tolerance) }
    }

    @Test("thought embeddings act as k̃ = R(k + T), ṽ = v + T of the writing segment's index")
    func thoughtEmbeddings() throws {
        let model = SyntheticModel(thoughtSlots: 3)
        let t = try makeTransformer(model)
        let kv = t.makeKVStore(blockTokens: 4)
        // ParaThinker layout: prompt (thought 0), two paths at the same positions (1, 2),
        // a summary (thought 0) after the longest path that sees everything.
        let prompt = Array(tokens.prefix(6)), paths = [Array(tokens[6..<10]), Array(tokens[10..<13])]
        let summary = Array(tokens[13..<16])
        let p = try kv.makeSegment(thought: 0)
        let a = try kv.makeSegment(thought: 1), b = try kv.makeSegment(thought: 2)
        let s = try kv.makeSegment(thought: 0)
        let pv = try kv.makeView([p]), av = try kv.makeView([p, a]), bv = try kv.makeView([p, b])
        let sv = try kv.makeView([p, a, b, s])
        var batch: [QueryToken] = prompt.enumerated().map { QueryToken(token: $1, position: $0, segment: p, view: pv) }
        batch += paths[0].enumerated().map { QueryToken(token: $1, position: 6 + $0, segment: a, view: av) }
        batch += paths[1].enumerated().map { QueryToken(token: $1, position: 6 + $0, segment: b, view: bv) }
        batch += summary.enumerated().map { QueryToken(token: $1, position: 10 + $0, segment: s, view: sv) }
        let logits = try t.forward(batch: batch, kv: kv, logitRows: .all)

        let owner = [0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 3, 3, 3]  // 0 prompt, 1/2 paths, 3 summary
        let thought = owner.map { $0 == 3 ? 0 : $0 }
        let visible: (Int, Int) -> Bool = { q, k in
            k <= q && (owner[k] == 0 || owner[q] == 3 || owner[q] == owner[k])
        }
        let reference = model.referenceLogits(tokens: batch.map(\.token), positions: batch.map(\.position),
                                              thought: thought, visible: visible)
        for i in batch.indices { #expect(maxDifference(logits.row(i), reference[i]) < tolerance, "token \(i)") }
        // The embeddings matter: the same layout with every index 0 gives other logits.
        let zero = model.referenceLogits(tokens: batch.map(\.token), positions: batch.map(\.position),
                                         thought: owner.map { _ in 0 }, visible: visible)
        #expect(maxDifference(zero[8], reference[8]) > 1e-2)
    }

    @Test("invalid batches are refused before anything is written")
    func invalidBatches() throws {
        let model = SyntheticModel()
        let t = try makeTransformer(model)
        let kv = t.makeKVStore()
        let s = try kv.makeSegment(), other = try kv.makeSegment()
        let view = try kv.makeView([s])
        #expect(throws: ModelError.self) {
            try t.forward(batch: [QueryToken(token: 999, position: 0, segment: s, view: view)], kv: kv)
        }
        #expect(throws: ModelError.self) {
            try t.forward(batch: [QueryToken(token: 1, position: -1, segment: s, view: view)], kv: kv)
        }
        #expect(throws: ModelError.self) {
            try t.forward(batch: [QueryToken(token: 1, position: 0, segment: other, view: view)], kv: kv)
        }
        #expect(throws: KVError.self) {
            try t.forward(batch: [QueryToken(token: 1, position: 0, segment: s, view: ViewID(raw: 99))], kv: kv)
        }
        #expect(throws: ModelError.self) {
            try t.forward(batch: [QueryToken(token: 1, position: 0, segment: s, view: view)], kv: kv, logitRows: .rows([3]))
        }
        #expect(try kv.length(of: s) == 0)
        #expect(kv.blocksInUse == 0)
    }
}
