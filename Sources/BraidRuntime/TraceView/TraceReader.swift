import Foundation

/// Reads a trace file for viewing, with errors a person can act on: the file, the line number, and what is
/// wrong with that line (not JSON, no `event`, an unknown event, a missing or mistyped field).
public enum TraceReader {
    /// A trace that cannot be read.
    public struct Failure: Error, Sendable, Equatable, CustomStringConvertible {
        /// The file, as given.
        public var file: String
        /// The 1-based line number (nil when the problem is the whole file).
        public var line: Int?
        /// What is wrong.
        public var reason: String

        /// `file:line: reason`.
        public var description: String {
            line.map { "\(file):\($0): \(reason)" } ?? "\(file): \(reason)"
        }
    }

    /// Parses JSON Lines text into events; blank lines are skipped. Throws ``Failure`` at the first bad line,
    /// or when the text holds no events at all.
    public static func parse(_ text: String, file: String) throws(Failure) -> [TraceEvent] {
        let decoder = JSONDecoder()
        var events: [TraceEvent] = []
        for (n, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespacesAndNewlines)
            if trimmed.isEmpty { continue }
            let data = Data(trimmed.utf8)
            guard (try? JSONSerialization.jsonObject(with: data)) is [String: Any] else {
                throw Failure(file: file, line: n + 1, reason: "not a JSON object: \(preview(trimmed))")
            }
            do {
                events.append(try decoder.decode(TraceEvent.self, from: data))
            } catch let error as DecodingError {
                throw Failure(file: file, line: n + 1, reason: describe(error))
            } catch {
                throw Failure(file: file, line: n + 1, reason: "\(error)")
            }
        }
        if events.isEmpty { throw Failure(file: file, line: nil, reason: "no trace events (the file is empty)") }
        return events
    }

    /// Reads and parses a trace file.
    public static func read(path: String) throws(Failure) -> [TraceEvent] {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw Failure(file: path, line: nil, reason: "cannot read the file (\(error.localizedDescription))")
        }
        return try parse(text, file: path)
    }

    /// A decoding error in one sentence: which key, what was expected.
    static func describe(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context, _ key: CodingKey? = nil) -> String {
            let keys = context.codingPath.map(\.stringValue) + (key.map { [$0.stringValue] } ?? [])
            return keys.isEmpty ? "the line" : "'" + keys.joined(separator: ".") + "'"
        }
        switch error {
        case .keyNotFound(let key, let context):
            return key.stringValue == "event" && context.codingPath.isEmpty
                ? "a trace event needs an \"event\" field"
                : "missing field \(path(context, key))"
        case .typeMismatch(let type, let context):
            return "field \(path(context)) should be \(describeType(type))"
        case .valueNotFound(let type, let context):
            return "field \(path(context)) is null, expected \(describeType(type))"
        case .dataCorrupted(let context):
            return context.debugDescription.isEmpty ? "malformed event" : context.debugDescription
        @unknown default:
            return "\(error)"
        }
    }

    private static func describeType(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: return "a string"
        case is Int.Type, is Int32.Type, is UInt64.Type: return "an integer"
        case is Double.Type: return "a number"
        case is Bool.Type: return "true or false"
        default:
            let name = String(describing: type)
            return name.hasPrefix("Array") ? "a list" : name.hasPrefix("Dictionary") ? "an object" : name
        }
    }

    private static func preview(_ line: String) -> String {
        line.count > 60 ? "'\(line.prefix(60))…'" : "'\(line)'"
    }
}
