import Foundation

extension Tokenizer {
    /// The Qwen2 / DeepSeek-R1-Distill `Split` pattern of a `tokenizer.json`.
    static let qwen2Pattern = #"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"#
    /// The Llama 3 `Split` pattern (numbers in groups of up to three digits).
    static let llama3Pattern = #"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"#

    /// The tokenizer of a Hugging Face model folder: `tokenizer.json` (or, without it, a SentencePiece
    /// `tokenizer.model`), with special tokens, `add_bos_token` and the chat template from
    /// `tokenizer_config.json` when present.
    /// - Throws: `TokenizerError.invalidFile` naming the file and the problem.
    public init(huggingFaceFolder folder: URL) throws {
        let config = try Self.readConfig(folder.appendingPathComponent("tokenizer_config.json"))
        let json = folder.appendingPathComponent("tokenizer.json")
        if let data = try? Data(contentsOf: json) {
            try self.init(huggingFaceJSON: data, config: config)
            return
        }
        let model = folder.appendingPathComponent("tokenizer.model")
        guard let data = try? Data(contentsOf: model) else {
            throw TokenizerError.invalidFile(file: folder.path, reason: "neither tokenizer.json nor tokenizer.model can be read")
        }
        try self.init(sentencePieceModel: data, chatTemplate: config.chatTemplate, addBOS: config.addBOS ?? true)
    }

    /// What `tokenizer_config.json` adds to `tokenizer.json`: special token names, `add_bos_token`, the template.
    public struct HuggingFaceTokenizerConfig: Sendable {
        /// `bos_token`, `eos_token`, `unk_token` (a string, or an object's `content`).
        public var bosToken: String?, eosToken: String?, unknownToken: String?
        /// `add_bos_token`, when stated.
        public var addBOS: Bool?
        /// `chat_template` (or the `default` entry of a list of named templates).
        public var chatTemplate: String?

        /// An empty configuration (no file).
        public init() {}
    }

    /// Reads `tokenizer_config.json`; a missing file is an empty configuration, an unreadable one an error.
    static func readConfig(_ url: URL) throws -> HuggingFaceTokenizerConfig {
        var config = HuggingFaceTokenizerConfig()
        guard FileManager.default.fileExists(atPath: url.path) else { return config }
        guard let data = try? Data(contentsOf: url),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw TokenizerError.invalidFile(file: url.lastPathComponent, reason: "not a JSON object")
        }
        func name(_ key: String) -> String? {
            (object[key] as? String) ?? ((object[key] as? [String: Any])?["content"] as? String)
        }
        config.bosToken = name("bos_token")
        config.eosToken = name("eos_token")
        config.unknownToken = name("unk_token")
        config.addBOS = object["add_bos_token"] as? Bool
        if let template = object["chat_template"] as? String {
            config.chatTemplate = template
        } else if let list = object["chat_template"] as? [[String: Any]] {
            config.chatTemplate = (list.first { $0["name"] as? String == "default" } ?? list.first)?["template"] as? String
        }
        return config
    }

    /// A Hugging Face `tokenizer.json` (BPE models: byte-level, or SentencePiece-style with `▁` and byte
    /// fallback), with the values of `tokenizer_config.json`.
    /// - Throws: `TokenizerError.invalidFile(file: "tokenizer.json", ...)` for a model type other than BPE, a
    ///   pre-tokenizer or normalizer Braid does not implement, or an inconsistent vocabulary.
    public init(huggingFaceJSON data: Data, config: HuggingFaceTokenizerConfig = .init()) throws {
        func fail(_ reason: String) -> TokenizerError { .invalidFile(file: "tokenizer.json", reason: reason) }
        guard let root = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw fail("not a JSON object")
        }
        guard let model = root["model"] as? [String: Any] else { throw fail("no 'model' object") }
        let type = model["type"] as? String ?? "(none)"
        guard type == "BPE" else { throw fail("model type '\(type)' is not supported (Braid implements BPE)") }
        guard let vocab = model["vocab"] as? [String: Int] else { throw fail("model.vocab is not a map of token to id") }
        let added = root["added_tokens"] as? [[String: Any]] ?? []

        // Tokens by id: the vocabulary, then added tokens (which may reuse or extend its ids).
        let maxID = max(vocab.values.max() ?? -1, added.compactMap { $0["id"] as? Int }.max() ?? -1)
        guard maxID >= 0 else { throw TokenizerError.emptyVocabulary }
        guard maxID < 2 * (vocab.count + added.count) + 1024 else {
            throw fail("token id \(maxID) is far beyond the \(vocab.count + added.count) tokens listed")
        }
        var tokens = [String](repeating: "", count: maxID + 1)
        var types = [TokenType](repeating: .unused, count: maxID + 1)
        for (text, id) in vocab {
            guard id >= 0 else { throw fail("model.vocab gives '\(text)' the negative id \(id)") }
            tokens[id] = text
            types[id] = .normal
        }
        for entry in added {
            guard let id = entry["id"] as? Int, id >= 0, let content = entry["content"] as? String else {
                throw fail("an added_tokens entry lacks an id or content")
            }
            tokens[id] = content
            types[id] = (entry["special"] as? Bool ?? false) ? .control : .userDefined
        }
        func id(_ name: String?) -> Int? {
            guard let name else { return nil }
            return vocab[name] ?? added.first { $0["content"] as? String == name }?["id"] as? Int
        }

        // BOS: tokenizer_config.json, else the special token the post-processor puts first.
        var bosName = config.bosToken, addBOS = config.addBOS
        if let post = root["post_processor"] as? [String: Any], post["type"] as? String == "TemplateProcessing",
           let first = (post["single"] as? [[String: Any]])?.first,
           let special = (first["SpecialToken"] as? [String: Any])?["id"] as? String {
            bosName = bosName ?? special
            addBOS = addBOS ?? true
        }
        let unknownName = config.unknownToken ?? model["unk_token"] as? String
        let ids = SpecialIDs(bos: id(bosName), eos: id(config.eosToken), unknown: id(unknownName))

        let merges = try Self.mergePairs(model["merges"], fail: fail)
        let preTokenizer = root["pre_tokenizer"] as? [String: Any]
        let normalizer = root["normalizer"] as? [String: Any]
        do {
            if let spm = try Self.sentencePieceOptions(model: model, preTokenizer: preTokenizer, normalizer: normalizer, fail: fail) {
                try self.init(sentencePieceTokens: tokens, types: types, scores: nil, merges: merges,
                              spacePrefix: spm.prefix, metaspace: spm.metaspace,
                              byteFallback: model["byte_fallback"] as? Bool ?? false,
                              fuseUnknown: model["fuse_unk"] as? Bool ?? false, ids: ids,
                              addBOS: addBOS ?? false, chatTemplate: config.chatTemplate)
            } else {
                let kind = try Self.byteLevelPreTokenizer(preTokenizer, fail: fail)
                let normalization: TextNormalization
                switch normalizer?["type"] as? String {
                case nil: normalization = .none
                case "NFC": normalization = .nfc
                case let other?: throw fail("normalizer '\(other)' is not supported with byte-level BPE (Braid applies NFC or none)")
                }
                try self.init(tokens: tokens, tokenTypes: types.map(\.rawValue), merges: merges.map { .pair($0.left, $0.right) },
                              preTokenizer: kind, normalization: normalization,
                              ignoreMerges: model["ignore_merges"] as? Bool ?? false, ids: ids,
                              addBOS: addBOS ?? false, chatTemplate: config.chatTemplate)
            }
        } catch let error as TokenizerError {
            if case .invalidFile = error { throw error }
            throw fail(error.description)
        }
    }

    /// `model.merges` as pairs: `[["a", "b"], ...]`, or the legacy `["a b", ...]`.
    private static func mergePairs(_ value: Any?, fail: (String) -> TokenizerError) throws -> [(left: String, right: String)] {
        guard let list = value as? [Any] else { throw fail("model.merges is missing or not a list") }
        return try list.enumerated().map { index, item in
            if let pair = item as? [String], pair.count == 2 { return (pair[0], pair[1]) }
            if let text = item as? String, let space = text.dropFirst().firstIndex(of: " ") {
                return (String(text[..<space]), String(text[text.index(after: space)...]))
            }
            throw fail("model.merges[\(index)] is neither a pair nor \"left right\"")
        }
    }

    /// Which pattern a byte-level `pre_tokenizer` applies, or an error naming what Braid does not implement.
    private static func byteLevelPreTokenizer(_ pre: [String: Any]?, fail: (String) -> TokenizerError) throws -> PreTokenizerKind {
        func steps(_ node: [String: Any]?) -> [[String: Any]] {
            guard let node else { return [] }
            if node["type"] as? String == "Sequence" { return (node["pretokenizers"] as? [[String: Any]]) ?? [] }
            return [node]
        }
        let list = steps(pre)
        func isByteLevel(_ step: [String: Any], regex: Bool) -> Bool {
            step["type"] as? String == "ByteLevel" && (step["add_prefix_space"] as? Bool ?? false) == false
                && (step["use_regex"] as? Bool ?? true) == regex
        }
        if list.count == 1, isByteLevel(list[0], regex: true) { return .gpt2 }
        if list.count == 2, list[0]["type"] as? String == "Digits", list[0]["individual_digits"] as? Bool == true,
           isByteLevel(list[1], regex: true) { return .smollm }
        if list.count == 2, list[0]["type"] as? String == "Split", isByteLevel(list[1], regex: false),
           (list[0]["behavior"] as? String) == "Isolated", (list[0]["invert"] as? Bool ?? false) == false,
           let pattern = (list[0]["pattern"] as? [String: Any])?["Regex"] as? String {
            if pattern == qwen2Pattern { return .qwen2 }
            if pattern == llama3Pattern { return .llamaBPE }
            throw fail("pre_tokenizer Split regex \(pattern) is not one Braid implements (Qwen2, Llama 3)")
        }
        let described = list.map { ($0["type"] as? String) ?? "?" }.joined(separator: ", ")
        throw fail("pre_tokenizer [\(described)] is not supported (byte-level BPE: GPT-2, SmolLM, Qwen2, Llama 3 forms)")
    }

    /// The SentencePiece options of a `tokenizer.json`, or `nil` for a byte-level one. SentencePiece-style
    /// means a `Metaspace` pre-tokenizer, or the legacy normalizer `Sequence[Prepend("▁"), Replace(" ", "▁")]`.
    private static func sentencePieceOptions(model: [String: Any], preTokenizer: [String: Any]?,
                                             normalizer: [String: Any]?, fail: (String) -> TokenizerError)
        throws -> (prefix: SpacePrefix, metaspace: Bool)? {
        if let pre = preTokenizer, pre["type"] as? String == "Metaspace" {
            guard (pre["replacement"] as? String ?? "▁") == "▁" else { throw fail("Metaspace replacement is not '▁'") }
            guard (pre["split"] as? Bool ?? false) == false else { throw fail("Metaspace with split: true is not supported") }
            guard normalizer == nil else { throw fail("a normalizer together with Metaspace is not supported") }
            switch pre["prepend_scheme"] as? String ?? ((pre["add_prefix_space"] as? Bool ?? true) ? "always" : "never") {
            case "always": return (.always, true)
            case "first": return (.first, true)
            case "never": return (.never, true)
            case let other: throw fail("Metaspace prepend_scheme '\(other)' is unknown")
            }
        }
        guard let normalizer, normalizer["type"] as? String == "Sequence",
              let parts = normalizer["normalizers"] as? [[String: Any]] else {
            if model["byte_fallback"] as? Bool == true, preTokenizer == nil {
                throw fail("byte_fallback BPE without a Metaspace pre-tokenizer or ▁ normalizer is not supported")
            }
            return nil
        }
        let kinds = parts.map { $0["type"] as? String ?? "" }
        let replacesSpace = parts.contains { $0["type"] as? String == "Replace" && $0["content"] as? String == "▁"
            && ($0["pattern"] as? [String: Any])?["String"] as? String == " " }
        guard replacesSpace, preTokenizer == nil else {
            throw fail("normalizer Sequence [\(kinds.joined(separator: ", "))] is not supported")
        }
        let prepends = parts.contains { $0["type"] as? String == "Prepend" && $0["prepend"] as? String == "▁" }
        return (prepends ? .always : .never, false)
    }
}
