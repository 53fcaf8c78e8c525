import ArgumentParser
import BraidTransformer

/// `--activations f32|q8`, one meaning in every command that runs the model (run, generate, logits, eval,
/// bench transformer, bench graph): how activations enter the matrix products of decoding.
extension ActivationPrecision: ExpressibleByArgument {
    /// The help text every command shows for `--activations`.
    static let help = ArgumentHelp(
        "Activations of decoding's matrix products: f32 (exact, the default) or q8 (opt-in: rounded to 8 bits "
            + "per 32-element block for Q4_1/Q8_0 weights, as llama.cpp does; faster for many streams, logits "
            + "differ from the reference, see Docs/performance.md).",
        valueName: "f32|q8")
}

/// `--kv-type f32|f16`, one meaning in every command that runs the model (run, generate, logits, eval,
/// bench transformer, bench graph): how the KV cache stores keys and values.
extension KVPrecision: ExpressibleByArgument {
    /// The help text every command shows for `--kv-type`.
    static let help = ArgumentHelp(
        "KV cache element type: f32 (exact, the default) or f16 (opt-in: half the KV memory and the bytes attention "
            + "reads; keys and values rounded to binary16, logits move by about 1e-2, see Docs/performance.md).",
        valueName: "f32|f16")
}
