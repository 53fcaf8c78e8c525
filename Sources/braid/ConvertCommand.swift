import ArgumentParser
import BraidTransformer
import Foundation

/// `braid convert`: a Hugging Face model folder → one GGUF file.
struct ConvertCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "convert",
        abstract: "Convert a Hugging Face model folder (config.json, safetensors, tokenizer) into one GGUF file.",
        discussion: """
        Writes llama.cpp's metadata keys and tensor names, the tokenizer and chat template, and ParaThinker's \
        thought embeddings as blk.N.thought_embd. Matrices whose rows are not whole blocks of --type are stored \
        as f16. Exit codes: 0 success, 1 invalid input (folder), 2 usage, 3 write failure.
        """)

    @Argument(help: "The Hugging Face model folder.")
    var folder: String

    @Option(help: "The GGUF file to write.")
    var out: String

    @Option(help: "Matrix type: f32, f16, q8_0, q4_1 or q4_k.")
    var type = "f16"

    func run() throws {
        guard let chosen = GGUFConversion.matrixTypes.first(where: { "\($0)".lowercased() == type.lowercased() }) else {
            throw CLIFailure(.usage, "error: --type must be one of f32, f16, q8_0, q4_1, q4_k; got '\(type)'")
        }
        let url = URL(fileURLWithPath: (folder as NSString).expandingTildeInPath)
        guard HFModelSource.isModelFolder(url) else { throw CLIFailure(.invalidInput, "\(url.path): not a folder") }
        let writer: GGUFWriter
        do {
            let (source, tokenizer) = try ModelFiles.open(url)
            guard let folderSource = source as? HFModelSource else { throw HFError(url.path, "not a Hugging Face folder") }
            writer = try GGUFConversion.convert(folderSource, tokenizer: tokenizer, type: chosen, name: url.lastPathComponent)
        } catch {
            throw CLIFailure(.invalidInput, "\(url.path): \(error)")
        }
        do {
            try writer.write(to: URL(fileURLWithPath: (out as NSString).expandingTildeInPath))
        } catch {
            throw CLIFailure(.runFailure, "error: cannot write \(out): \(error)")
        }
        FileHandle.standardError.write(Data("wrote \(out): \(writer.tensors.count) tensors, matrices as \(chosen)\n".utf8))
    }
}
