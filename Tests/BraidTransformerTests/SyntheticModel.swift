import Foundation
@testable import BraidTransformer

/// A tiny model with seeded random weights, and a naive forward pass written in plain loops
/// straight from the paper equations — the independent reference the fast path is checked
/// against.
struct SyntheticModel {
    let architecture: String
    let layers = 2, embedding = 32, ffn = 48, vocab = 61
    let heads: Int, kvHeads: Int, headDim: Int
    let thoughtSlots: Int
    let ropeBase: Float = 10_000
    let epsilon: Float = 1e-5
    var source = InMemoryModelSource()

    var arch: Architecture { Architecture.named(architecture) ?? .qwen2 }

    init(architecture: String = "qwen2", thoughtSlots: Int = 0, seed: UInt64 = 7, heads: Int = 4, kvHeads: Int = 2,
         headDim: Int = 8, context: Int = 512) {
        self.architecture = architecture
        self.heads = heads
        self.kvHeads = kvHeads
        self.headDim = headDim
        self.thoughtSlots = thoughtSlots
        var rng = RandomSource(seed: seed)
        func random(_ count: Int, scale: Float) -> [Float] {
            (0..<count).map { _ in Float(rng.nextUnit() * 2 - 1) * scale }
        }
        let a = Architecture.named(architecture) ?? .qwen2
        source.strings["general.architecture"] = architecture
        source.ints[a.key("block_count")] = layers
        source.ints[a.key("embedding_length")] = embedding
        source.ints[a.key("feed_forward_length")] = ffn
        source.ints[a.key("attention.head_count")] = heads
        source.ints[a.key("attention.head_count_kv")] = kvHeads
        source.ints[a.key("context_length")] = context
        if headDim * heads != embedding { source.ints[a.key("attention.key_length")] = headDim }
        source.ints[a.key("vocab_size")] = vocab
        source.floats[a.key("rope.freq_base")] = ropeBase
        source.floats[a.key("attention.layer_norm_rms_epsilon")] = epsilon
        let q = heads * headDim, kv = kvHeads * headDim
        source.tensors["token_embd.weight"] = ([embedding, vocab], random(vocab * embedding, scale: 1))
        source.tensors["output_norm.weight"] = ([embedding], random(embedding, scale: 0.2).map { 1 + $0 })
        for n in 0..<layers {
            func put(_ name: String, _ shape: [Int], scale: Float, offset: Float = 0) {
                source.tensors["blk.\(n).\(name)"] = (shape, random(shape.reduce(1, *), scale: scale).map { $0 + offset })
            }
            put("attn_norm.weight", [embedding], scale: 0.2, offset: 1)
            put("attn_q.weight", [embedding, q], scale: 0.4)
            put("attn_k.weight", [embedding, kv], scale: 0.4)
            put("attn_v.weight", [embedding, kv], scale: 0.4)
            if a.hasQKVBias {
                put("attn_q.bias", [q], scale: 0.3)
                put("attn_k.bias", [kv], scale: 0.3)
                put("attn_v.bias", [kv], scale: 0.3)
            }
            put("attn_output.weight", [q, embedding], scale: 0.3)
            put("ffn_norm.weight", [embedding], scale: 0.2, offset: 1)
            put("ffn_gate.weight", [embedding, ffn], scale: 0.3)
            put("ffn_up.weight", [embedding, ffn], scale: 0.3)
            put("ffn_down.weight", [ffn, embedding], scale: 0.3)
            if thoughtSlots > 0 { put("thought_embd", [headDim, thoughtSlots], scale: 0.8) }
        }
    }

    func tensor(_ name: String) -> [Float] { source.tensors[name]?.values ?? [] }

    /// The model written as a GGUF file (f32 tensors) by `GGUFWriter` and read back, so the
    /// tests go through the same loading path as a real model.
    func gguf() throws -> GGUFFile {
        var writer = try GGUFWriter()
        for (key, value) in source.strings { writer.set(key, .string(value)) }
        for (key, value) in source.ints { writer.set(key, .uint32(UInt32(value))) }
        for (key, value) in source.floats { writer.set(key, .float32(value)) }
        for name in source.tensors.keys.sorted() {
            guard let t = source.tensors[name] else { continue }
            try writer.addTensor(name: name, dimensions: t.shape, values: t.values)
        }
        return try GGUFFile(data: writer.serialized())
    }

    /// Naive forward over a whole layout: token i attends to token k iff `visible(i, k)`;
    /// `thought[i]` selects T⁽ʲ⁾ for token i's own K/V. Returns logits for every token.
    func referenceLogits(tokens: [Int32], positions: [Int], thought: [Int],
                         visible: (Int, Int) -> Bool) -> [[Float]] {
        let n = tokens.count, d = headDim, e = embedding
        let emb = tensor("token_embd.weight")
        var x = tokens.map { Array(emb[(Int($0) * e)..<(Int($0) * e + e)]) }
        func norm(_ v: [Float], _ w: [Float]) -> [Float] {
            var ss: Float = 0
            for a in v { ss += a * a }
            let s = 1 / (ss / Float(v.count) + epsilon).squareRoot()
            return (0..<v.count).map { v[$0] * s * w[$0] }
        }
        func matvec(_ w: [Float], _ v: [Float], outputs: Int) -> [Float] {
            (0..<outputs).map { o in (0..<v.count).reduce(Float(0)) { $0 + w[o * v.count + $1] * v[$1] } }
        }
        func rotate(_ v: inout [Float], head: Int, position: Int) {
            for i in 0..<(d / 2) {
                let theta = Double(position) * pow(Double(ropeBase), -Double(2 * i) / Double(d))
                let (c, s) = (Float(cos(theta)), Float(sin(theta)))
                let (ia, ib) = arch.ropeStyle == .adjacent ? (2 * i, 2 * i + 1) : (i, i + d / 2)
                let a = v[head * d + ia], b = v[head * d + ib]
                v[head * d + ia] = a * c - b * s
                v[head * d + ib] = a * s + b * c
            }
        }
        for l in 0..<layers {
            func w(_ name: String) -> [Float] { tensor("blk.\(l).\(name)") }
            var qs: [[Float]] = [], ks: [[Float]] = [], vs: [[Float]] = []
            for i in 0..<n {
                let h = norm(x[i], w("attn_norm.weight"))
                var q = matvec(w("attn_q.weight"), h, outputs: heads * d)
                var k = matvec(w("attn_k.weight"), h, outputs: kvHeads * d)
                var v = matvec(w("attn_v.weight"), h, outputs: kvHeads * d)
                if arch.hasQKVBias {
                    q = zip(q, w("attn_q.bias")).map(+)
                    k = zip(k, w("attn_k.bias")).map(+)
                    v = zip(v, w("attn_v.bias")).map(+)
                }
                if thoughtSlots > 0 {
                    let t = w("thought_embd")
                    for kh in 0..<kvHeads {
                        for j in 0..<d {
                            k[kh * d + j] += t[thought[i] * d + j]
                            v[kh * d + j] += t[thought[i] * d + j]
                        }
                    }
                }
                for hh in 0..<heads { rotate(&q, head: hh, position: positions[i]) }
                for kh in 0..<kvHeads { rotate(&k, head: kh, position: positions[i]) }
                qs.append(q); ks.append(k); vs.append(v)
            }
            var next = x
            for i in 0..<n {
                var out = [Float](repeating: 0, count: heads * d)
                for hh in 0..<heads {
                    let kh = hh / (heads / kvHeads)
                    let keys = (0..<n).filter { visible(i, $0) }
                    var s = keys.map { k in
                        (0..<d).reduce(Float(0)) { $0 + qs[i][hh * d + $1] * ks[k][kh * d + $1] } / Float(d).squareRoot()
                    }
                    let m = s.max() ?? 0
                    s = s.map { exp($0 - m) }
                    let z = s.reduce(0, +)
                    for (p, k) in zip(s, keys) {
                        for j in 0..<d { out[hh * d + j] += p / z * vs[k][kh * d + j] }
                    }
                }
                let o = matvec(w("attn_output.weight"), out, outputs: e)
                next[i] = zip(x[i], o).map(+)
                let h = norm(next[i], w("ffn_norm.weight"))
                let g = matvec(w("ffn_gate.weight"), h, outputs: ffn)
                let u = matvec(w("ffn_up.weight"), h, outputs: ffn)
                let act = (0..<ffn).map { g[$0] / (1 + exp(-g[$0])) * u[$0] }
                next[i] = zip(next[i], matvec(w("ffn_down.weight"), act, outputs: e)).map(+)
            }
            x = next
        }
        return x.map { matvec(emb, norm($0, tensor("output_norm.weight")), outputs: vocab) }
    }
}

/// Largest absolute difference between two equally long float sequences.
///
/// NaN — which fails every `<` and `>` comparison — when the lengths differ, when both are empty, or
/// when any value is NaN: a short, empty or broken logits row must never pass as "close" (zip alone
/// would compare only the common prefix, and `max` skips NaN).
func maxDifference<A: Collection, B: Collection>(_ a: A, _ b: B) -> Float
where A.Element == Float, B.Element == Float {
    guard a.count == b.count, !a.isEmpty else { return .nan }
    var worst: Float = 0
    for (x, y) in zip(a, b) {
        let difference = abs(x - y)
        if difference.isNaN { return .nan }
        worst = max(worst, difference)
    }
    return worst
}
