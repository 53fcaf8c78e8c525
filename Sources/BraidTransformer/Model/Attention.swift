import Foundation

/// Scaled dot-product attention of each query token over the keys its plan lets it see.
extension Transformer {
    /// For every token and query head: scores against the visible keys (read straight from the
    /// KV blocks, already rotated), softmax, weighted sum of values. Grouped-query attention:
    /// query head h reads KV head `h / (heads / kvHeads)`.
    func attend(layer: Int, tokenCount n: Int, kv: KVStore,
                qkvRows: UnsafeMutablePointer<Float>, into out: UnsafeMutablePointer<Float>) {
        let c = config, d = c.headDim
        let fused = c.queryDim + 2 * c.kvDim
        let group = c.heads / c.kvHeads
        let scale = 1 / Float(d).squareRoot()
        let p = scores.reserve(max(1, plan.maxVisible))
        for i in 0..<n {
            let spans = plan.spanStart[i]..<plan.spanStart[i + 1]
            for h in 0..<c.heads {
                let q = qkvRows + i * fused + h * d
                let headOffset = (h / group) * d
                var count = 0
                for s in spans {
                    let keys = kv.rows(block: plan.spanBlock[s], layer: layer, value: false) + headOffset
                    for t in 0..<Int(plan.spanCount[s]) {
                        p[count] = VectorMath.dot(q, keys + t * c.kvDim, count: d) * scale
                        count += 1
                    }
                }
                VectorMath.softmax(p, count: count)
                let o = out + i * c.queryDim + h * d
                o.initialize(repeating: 0, count: d)
                count = 0
                for s in spans {
                    let values = kv.rows(block: plan.spanBlock[s], layer: layer, value: true) + headOffset
                    for t in 0..<Int(plan.spanCount[s]) {
                        VectorMath.addScaled(values + t * c.kvDim, alpha: p[count], into: o, count: d)
                        count += 1
                    }
                }
            }
        }
    }
}
