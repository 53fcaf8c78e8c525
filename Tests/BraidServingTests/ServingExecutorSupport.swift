import BraidGraph
import BraidPlan
import BraidServingTestSupport
import Foundation

/// Scripted completions for the executor tests: OpenAI-style stream chunks and plans compiled from graph text.
enum Scripted {
    /// A streamed completion: one chunk per piece of text, then a last chunk with `finish_reason` and the server's
    /// counts (`cached` prompt tokens from its prefix cache).
    static func stream(_ pieces: [String], finish: String = "stop", promptTokens: Int = 10, cached: Int = 0,
                       interval: Double = 0.01) -> StubReply {
        var events = pieces.map { chunk($0) }
        events.append(chunk("", finish: finish))
        events.append(#"{"choices":[],"usage":{"prompt_tokens":\#(promptTokens),"completion_tokens":\#(pieces.count),"prompt_tokens_details":{"cached_tokens":\#(cached)}}}"#)
        return .stream(events: events, done: true, interval: interval)
    }

    /// A stream that sends the same piece of text until the client goes away.
    static func endless(_ piece: String, interval: Double = 0.02) -> StubReply {
        .endless(event: chunk(piece), interval: interval)
    }

    /// One chunk's JSON.
    static func chunk(_ text: String, finish: String? = nil) -> String {
        let encoded = String(decoding: (try? JSONEncoder().encode(text)) ?? Data("\"\"".utf8), as: UTF8.self)
        let reason = finish.map { "\"\($0)\"" } ?? "null"
        return #"{"choices":[{"index":0,"text":\#(encoded),"finish_reason":\#(reason)}]}"#
    }

    /// The plan of a graph written as YAML.
    static func plan(_ yaml: String, overrides: [String: String] = [:]) throws -> Plan {
        try GraphCompiler.compile(try GraphLoader.load(text: yaml, overrides: overrides))
    }

    /// The plan of a library graph (`Graphs/NAME.yaml`).
    static func libraryPlan(_ name: String, overrides: [String: String] = [:]) throws -> Plan {
        try GraphCompiler.compile(try GraphLoader.load(path: libraryGraph(name), overrides: overrides))
    }

    /// The path of `Graphs/NAME.yaml` in this checkout.
    static func libraryGraph(_ name: String) -> String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Graphs/\(name).yaml").path
    }
}
