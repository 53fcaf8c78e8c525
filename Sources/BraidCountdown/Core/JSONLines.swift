import Foundation

/// JSON Lines reading and writing with stable output (sorted keys, unescaped slashes), so that the
/// same records always produce the same bytes.
public enum JSONLines {
    /// One record as a single JSON line (no trailing newline).
    public static func line<T: Encodable>(_ value: T) throws(CountdownError) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        do {
            return String(decoding: try encoder.encode(value), as: UTF8.self)
        } catch {
            throw .invalidConfig("cannot encode \(T.self) as JSON: \(error)")
        }
    }

    /// Records as JSONL text, one per line, newline-terminated.
    public static func text<T: Encodable>(_ values: [T]) throws(CountdownError) -> String {
        var out = ""
        for value in values { out += try line(value) + "\n" }
        return out
    }

    /// Decodes every non-blank line of `text`; errors name `source` and the 1-based line.
    public static func decode<T: Decodable>(_ type: T.Type, from text: String, source: String) throws(CountdownError) -> [(line: Int, value: T)] {
        let decoder = JSONDecoder()
        var values: [(Int, T)] = []
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingWhitespace
            if line.isEmpty { continue }
            do {
                values.append((index + 1, try decoder.decode(T.self, from: Data(line.utf8))))
            } catch let DecodingError.keyNotFound(key, _) {
                throw .badInput(source: source, line: index + 1, message: "missing field '\(key.stringValue)'")
            } catch let DecodingError.typeMismatch(_, context) {
                throw .badInput(source: source, line: index + 1,
                                message: "wrong type at '\(context.codingPath.map(\.stringValue).joined(separator: "."))'")
            } catch {
                throw .badInput(source: source, line: index + 1, message: "not a JSON object of the expected shape")
            }
        }
        return values
    }
}

/// Reading problem files: one JSON object per line with `numbers` (2 to 5, each 0...1,000,000) and
/// `target`; `id`, `split` and `solution` are optional (a missing id becomes `{source}:{line}`).
/// Five numbers is the limit because an unpruned search over six would write gigabytes of trace.
public enum ProblemFile {
    private struct Line: Decodable {
        var id: String?
        var numbers: [Int]
        var target: Int
        var split: ProblemSplit?
        var solution: String?
    }

    /// The problems in `text`; `source` names the file in errors.
    public static func parse(_ text: String, source: String) throws(CountdownError) -> [Problem] {
        var problems: [Problem] = []
        for (line, entry) in try JSONLines.decode(Line.self, from: text, source: source) {
            guard (2...5).contains(entry.numbers.count) else {
                throw .badInput(source: source, line: line, message: "'numbers' must hold 2 to 5 numbers (got \(entry.numbers.count))")
            }
            guard entry.numbers.allSatisfy({ (0...1_000_000).contains($0) }), (0...1_000_000).contains(entry.target) else {
                throw .badInput(source: source, line: line, message: "numbers and target must be between 0 and 1000000")
            }
            problems.append(Problem(id: entry.id ?? "\(source):\(line)", numbers: entry.numbers, target: entry.target,
                                    split: entry.split ?? .train, solution: entry.solution))
        }
        return problems
    }
}
