import Foundation
import Testing
@testable import BraidTransformer

/// SmolLM2 in the opt-in 8-bit activation mode (`--activations q8`) against the HF reference
/// (`ApproximateReference`, tolerance 1.0). Measured: worst 0.67 teacher-forced on the greedy prompts and
/// 0.61 on the masked layout (f32: 7.8e-5); the figures are in Docs/performance.md.
@Suite("Reference: SmolLM2 in q8 activation mode", .serialized)
struct Q8ReferenceTests {
    let reference = ApproximateReference(label: "q8", tolerance: 1.0) {
        let t = try RealModel.transformer()
        t.activations = .q8
        return t
    }

    @Test("teacher-forced on the reference's greedy tokens, every step's top-5 logits are within the tolerance")
    func teacherForced() throws { try reference.teacherForced() }

    @Test("the ParaThinker-style masked layout (one batch per segment, all through the kernels) is within the tolerance")
    func maskedLayout() throws { try reference.maskedLayout() }

    @Test("free-running greedy continuations: where each first leaves the reference (a measurement; reported)")
    func greedyDivergence() throws { try reference.greedyDivergence() }
}
