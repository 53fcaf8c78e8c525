import Foundation

/// Opens a model given as a path: a GGUF file, or a Hugging Face model folder (`config.json`, safetensors,
/// `tokenizer.json` or `tokenizer.model`). Every command that takes `--model` goes through here.
public enum ModelFiles {
    /// The weights and the tokenizer at `url`.
    /// - Throws: `GGUFError`, `HFError`, `TokenizerError` or `ModelError`, each naming the file and the problem.
    public static func open(_ url: URL) throws -> (source: ModelSource, tokenizer: Tokenizer) {
        if HFModelSource.isModelFolder(url) {
            let source = try HFModelSource(folder: url)
            return (source, try Tokenizer(huggingFaceFolder: url))
        }
        let file = try GGUFFile(contentsOf: url)
        return (file, try Tokenizer(gguf: file))
    }

    /// The tokenizer alone: a GGUF file's metadata (its tensors are never read, `GGUFFile.metadata(contentsOf:)`),
    /// or a folder's tokenizer files (its safetensors are never opened).
    public static func tokenizer(_ url: URL) throws -> Tokenizer {
        if HFModelSource.isModelFolder(url) { return try Tokenizer(huggingFaceFolder: url) }
        return try Tokenizer(metadata: GGUFFile.metadata(contentsOf: url))
    }
}
