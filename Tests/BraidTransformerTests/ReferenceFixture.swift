import Foundation
import Testing
@testable import BraidTransformer

/// `../shared/fixtures/smollm2/reference.json` (HF transformers, float32, on the dequantized
/// SmolLM2 GGUF), and the model it was computed on, loaded once for every test.
struct ReferenceFixture: Decodable {
    struct Top5: Decodable {
        let ids: [Int32]
        let logits: [Float]

        /// Expects every reference top-5 logit in `row` within `tolerance`, and our top-1 to be the
        /// reference's wherever the reference's top-1/top-2 gap exceeds `top1Gap` (always by default);
        /// returns the worst logit difference.
        func check(_ row: ArraySlice<Float>, tolerance: Float, top1Gap: Float = -.infinity, _ label: String) -> Float {
            let base = row.startIndex
            var ourTop = base
            for i in row.indices where row[i] > row[ourTop] { ourTop = i }
            let gap = logits.count > 1 ? logits[0] - logits[1] : .infinity
            if gap > top1Gap {
                #expect(Int32(ourTop - base) == ids[0], "\(label): top-1 (reference gap \(gap))")
            }
            var worst: Float = 0
            for (id, logit) in zip(ids, logits) {
                let difference = abs(row[base + Int(id)] - logit)
                worst = max(worst, difference)
                #expect(difference < tolerance, "\(label): logit of id \(id) is \(row[base + Int(id)]), reference \(logit)")
            }
            return worst
        }
    }
    struct Greedy: Decodable {
        let prompt: String
        let prompt_ids: [Int32]
        let greedy_ids: [Int32]
        let top5_per_step: [Top5]
    }
    struct MaskedLayout: Decodable {
        let tokens: [Int32]
        let positions: [Int]
        let segment: [Int]
        let top5_per_token: [Top5]
    }
    let greedy: [Greedy]
    let masked_layouts: [MaskedLayout]

    static let url = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("shared/fixtures/smollm2/reference.json")

    static func load() throws -> ReferenceFixture {
        try JSONDecoder().decode(ReferenceFixture.self, from: Data(contentsOf: url))
    }
}

/// The real default model, dequantized once per test process (loading takes a few seconds).
enum RealModel {
    struct Missing: Error, CustomStringConvertible {
        let description: String
    }

    static let weights: Result<Weights, Error> = Result {
        let url = ModelCache.defaultModel
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw Missing(description: "model file \(url.path) is missing: run scripts/fetch-model.sh (or set BRAID_MODELS)")
        }
        return try Weights(source: GGUFFile(contentsOf: url))
    }

    static func transformer() throws -> Transformer {
        Transformer(weights: try weights.get(), threads: 1)
    }
}
