import Foundation

/// `--out results.jsonl`: every run's ``EvalRecord`` as one JSON line, appended as runs finish so an interrupted
/// evaluation keeps what it did.
public final class EvalResultsFile {
    private let handle: FileHandle?
    private let encoder: JSONEncoder
    /// The first write error, if any (writing goes on without the file after it).
    public private(set) var error: Error?

    /// Creates (or truncates) the file at `path`; with nil, appends go nowhere.
    public init(path: String?) throws(EvalError) {
        encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let path else {
            handle = nil
            return
        }
        guard FileManager.default.createFile(atPath: path, contents: nil), let handle = FileHandle(forWritingAtPath: path) else {
            throw EvalError("cannot create results file '\(path)'")
        }
        self.handle = handle
    }

    deinit { try? handle?.close() }

    /// Appends one record.
    public func append(_ record: EvalRecord) {
        guard let handle, error == nil else { return }
        do {
            try handle.write(contentsOf: try encoder.encode(record) + Data("\n".utf8))
        } catch {
            self.error = error
        }
    }

    /// Flushes and closes the file.
    public func close() {
        try? handle?.synchronize()
        try? handle?.close()
    }

    /// Reads a results file back (for scripts and tests); `file` names it in errors with the line number.
    public static func parse(_ text: String, file: String) throws(EvalError) -> [EvalRecord] {
        var records: [EvalRecord] = []
        for (n, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() where !line.isEmpty {
            do {
                records.append(try JSONDecoder().decode(EvalRecord.self, from: Data(line.utf8)))
            } catch {
                throw EvalError("\(file):\(n + 1): not an eval record")
            }
        }
        return records
    }
}
