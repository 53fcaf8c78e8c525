import ArgumentParser
import BraidRuntime
import Foundation

/// `braid trace`: work with run traces (`braid run --trace FILE`).
struct TraceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trace",
        abstract: "Work with run traces (JSON Lines written by `braid run --trace`).",
        subcommands: [TraceViewCommand.self],
        defaultSubcommand: TraceViewCommand.self)
}

/// `braid trace view`: draw a trace as a self-contained HTML timeline.
struct TraceViewCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "view",
        abstract: "Draw a trace as a self-contained HTML timeline (threads as lanes, arrows, KV curve).",
        discussion: """
        The page has no external assets: open it in any browser. Threads are lanes over scheduler \
        steps (a bar per segment, colored by kind); forks, spawns, merges, joins and votes are arrows \
        between lanes; under the lanes, KV in use, tokens per step and forward time per step. Hover \
        to see a lane's token text at a step.

        Examples:
          braid run Graphs/parathinker.yaml --set paths=8 --trace run.jsonl
          braid trace view run.jsonl --out run.html

        Exit codes: 0 success, 1 the trace cannot be read (the message names the line), 2 usage, \
        3 the page cannot be written.
        """)

    @Argument(help: "The trace file (JSON Lines).")
    var trace: String

    @Option(name: .shortAndLong, help: "Where to write the HTML page (default: the trace's name with .html).")
    var out: String?

    func run() throws {
        let events: [TraceEvent]
        do {
            events = try TraceReader.read(path: trace)
        } catch {
            throw CLIFailure(.invalidInput, "error: \(error)")
        }
        let destination = out ?? (trace.hasSuffix(".jsonl") ? String(trace.dropLast(6)) : trace) + ".html"
        let page = TraceHTML.render(events: events, title: URL(fileURLWithPath: trace).lastPathComponent)
        do {
            try page.write(toFile: destination, atomically: true, encoding: .utf8)
        } catch {
            throw CLIFailure(.runFailure, "error: cannot write \(destination): \(error.localizedDescription)")
        }
        let timeline = TraceTimeline(events: events)
        print("wrote \(destination): \(timeline.lanes.count) threads, \(timeline.steps.count) steps, \(timeline.arrows.count) arrows")
    }
}
