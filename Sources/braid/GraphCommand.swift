import ArgumentParser
import BraidGraph
import Foundation

/// The options every command that reads a graph file shares: the file and `--set` overrides.
struct GraphOptions: ParsableArguments {
    @Argument(help: "The graph file (YAML).")
    var file: String

    @Option(name: .customLong("set"), help: ArgumentHelp("Override a param (or an input's default): name=value. Repeatable.",
                                                         valueName: "name=value"))
    var assignments: [String] = []

    /// The parsed `--set` assignments; a malformed one is a usage error.
    func overrides() throws -> [String: String] {
        do {
            return try OverrideSyntax.parse(assignments)
        } catch let error as OverrideSyntax.Malformed {
            throw CLIFailure(.usage, "error: \(error)")
        }
    }

    /// Loads the graph; an invalid graph ends the command with exit code 1 and every diagnostic.
    func load() throws -> Graph {
        let overrides = try overrides()
        do {
            return try GraphLoader.load(path: file, overrides: overrides)
        } catch let error as GraphError {
            throw CLIFailure(.invalidInput, error.description)
        }
    }
}

/// `braid graph`: inspect graphs.
struct GraphCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "graph",
        abstract: "Inspect reasoning graphs.",
        subcommands: [Show.self])

    /// `braid graph show`: the graph with every default resolved.
    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "show",
            abstract: "Print a graph with params, overrides, use: files and every default resolved.",
            discussion: "The output is itself a graph file: loading it again gives the same graph.")

        @OptionGroup var graph: GraphOptions

        @Flag(help: "Print JSON instead of YAML.")
        var json = false

        func run() throws {
            let loaded = try graph.load()
            var text = json ? GraphPrinter.json(loaded) : GraphPrinter.yaml(loaded)
            if !json {
                // A comment saying where the resolved graph came from; the output stays a loadable graph.
                let sets = graph.assignments.map { " --set \($0)" }.joined()
                text = "# resolved by: braid graph show \(graph.file)\(sets)\n" + text
            }
            FileHandle.standardOutput.write(Data(text.utf8))
        }
    }
}
