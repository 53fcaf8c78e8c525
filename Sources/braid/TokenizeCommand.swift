import ArgumentParser
import BraidTransformer
import Foundation

/// `braid tokenize`: text to token ids (as JSON) with a model's own tokenizer, or ids back to text.
struct TokenizeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokenize",
        abstract: "Turn text into token ids (JSON) with a model's tokenizer, or ids back into text (--decode).",
        discussion: """
        Control tokens written in the text, such as <|im_start|>, become their single id (unless \
        --no-special). Without TEXT, the text is read from standard input.

        Examples:
          braid tokenize "Hello, world!"                    # [19556, 28, 905, 17]
          braid tokenize --chat "What is 12*13?"            # the ChatML prompt's ids
          braid tokenize --decode "[19556, 28, 905, 17]"    # Hello, world!
          braid tokenize --pieces "naïve"                   # each id with its token text
        """
    )

    @Option(name: .long, help: "A GGUF model file or Hugging Face model folder (default: the cached SmolLM2-135M-Instruct).")
    var model: String?

    @Flag(name: .long, help: "Decode: TEXT is a list of ids (JSON array, or separated by spaces or commas).")
    var decode = false

    @Flag(name: .long, help: "Wrap TEXT as one user message in the model's chat template, ready for a reply.")
    var chat = false

    @Flag(name: .long, help: "Encode control-token text such as <|im_end|> as ordinary characters.")
    var noSpecial = false

    @Flag(name: .long, help: "Print each token as {\"id\", \"token\", \"text\"} instead of bare ids.")
    var pieces = false

    @Argument(help: "The text to encode, or the ids to decode (default: standard input).")
    var text: String?

    func validate() throws {
        if decode && (chat || noSpecial || pieces) {
            throw ValidationError("--decode cannot be combined with --chat, --no-special or --pieces")
        }
    }

    func run() throws {
        let tokenizer = try Self.loadTokenizer(model)
        let input = try text ?? Self.readStandardInput()
        if decode {
            let ids = try Self.parseIDs(input, vocabularySize: tokenizer.vocabularySize)
            print(tokenizer.decode(ids))
            return
        }
        var source = input
        if chat {
            do {
                source = try tokenizer.applyChatTemplate(messages: [(role: "user", content: input)], addGenerationPrompt: true)
            } catch {
                throw CLIFailure(.invalidInput, "braid tokenize --chat: \(error)")
            }
        }
        let ids = tokenizer.encode(source, parseSpecial: !noSpecial)
        print(pieces ? Self.piecesJSON(ids, tokenizer) : "[" + ids.map(String.init).joined(separator: ", ") + "]")
    }

    /// The tokenizer of `path`, or of the default model; failures become exit code 1 with the file named.
    static func loadTokenizer(_ path: String?) throws -> Tokenizer {
        // A shipped model's name (`countdown-apr`) resolves as for every other command; the default model's
        // absence gets the fetch hint below instead of resolveModelPath's message.
        let url = try path.map { try resolveModelPath($0) } ?? ModelCache.defaultModel
        guard FileManager.default.fileExists(atPath: url.path) else {
            let hint = path == nil ? " (fetch it with `braid model fetch` or scripts/fetch-model.sh, or pass --model)" : ""
            throw CLIFailure(.invalidInput, "model file not found: \(url.path)\(hint)")
        }
        do {
            return try ModelFiles.tokenizer(url)
        } catch {
            throw CLIFailure(.invalidInput, "\(url.path): \(error)")
        }
    }

    /// Ids from `[1, 2, 3]`, `1 2 3` or `1,2,3`, each checked against the vocabulary.
    static func parseIDs(_ text: String, vocabularySize: Int) throws -> [Int32] {
        let separators = CharacterSet(charactersIn: "[], \t\r\n")
        let fields = text.components(separatedBy: separators).filter { !$0.isEmpty }
        return try fields.enumerated().map { index, field in
            guard let id = Int32(field), id >= 0, Int(id) < vocabularySize else {
                throw CLIFailure(.invalidInput,
                                 "id #\(index + 1) '\(field)' is not a token id of this model (0..<\(vocabularySize))")
            }
            return id
        }
    }

    /// `[{"id": 1, "token": "<|im_start|>", "text": "<|im_start|>"}, ...]`, one token per line: `token` as the
    /// model stores it (byte-level spelling, e.g. `Ġworld`), `text` decoded (U+FFFD for part of a character).
    static func piecesJSON(_ ids: [Int32], _ tokenizer: Tokenizer) -> String {
        let rows = ids.map { id -> String in
            let token = jsonString(tokenizer.tokenString(id) ?? "")
            return "  {\"id\": \(id), \"token\": \(token), \"text\": \(jsonString(tokenizer.decode([id])))}"
        }
        return rows.isEmpty ? "[]" : "[\n" + rows.joined(separator: ",\n") + "\n]"
    }

    /// `text` as a JSON string literal.
    static func jsonString(_ text: String) -> String {
        guard let data = try? JSONSerialization.data(withJSONObject: text, options: [.fragmentsAllowed]),
              let literal = String(data: data, encoding: .utf8) else { return "\"\"" }
        return literal
    }

    private static func readStandardInput() throws -> String {
        let data = FileHandle.standardInput.readDataToEndOfFile()
        guard let text = String(data: data, encoding: .utf8) else {
            throw CLIFailure(.invalidInput, "standard input is not valid UTF-8")
        }
        return text
    }
}
