import ArgumentParser
import BraidGraph
import Foundation

/// `braid check`: validate graph files, reporting every problem with its position.
struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Validate reasoning graphs; report every problem as file:line:column with the source line.",
        discussion: "Warnings (unused params, forks never merged, identical greedy branches) do not fail the check. "
            + "Exit code 0 when every file is valid, 1 when any is invalid, 2 for usage errors.")

    @Argument(help: "Graph files (YAML).")
    var files: [String]

    @Option(name: .customLong("set"), help: ArgumentHelp("Override a param (or an input's default): name=value. Repeatable.",
                                                         valueName: "name=value"))
    var assignments: [String] = []

    @Flag(name: .shortAndLong, help: "Print nothing for valid files.")
    var quiet = false

    func validate() throws {
        if files.isEmpty { throw ValidationError("give at least one graph file") }
    }

    func run() throws {
        let overrides: [String: String]
        do {
            overrides = try OverrideSyntax.parse(assignments)
        } catch let error as OverrideSyntax.Malformed {
            throw CLIFailure(.usage, "error: \(error)")
        }
        var invalid = 0
        for file in files {
            let result = GraphLoader.analyze(path: file, overrides: overrides)
            if !result.diagnostics.isEmpty {
                FileHandle.standardError.write(Data((GraphError(diagnostics: result.diagnostics).description + "\n").utf8))
            }
            let warnings = result.warnings.count
            let warned = warnings == 0 ? "" : ", \(warnings) warning\(warnings == 1 ? "" : "s")"
            if let graph = result.graph {
                if !quiet || warnings > 0 {
                    let count = graph.allSteps.count
                    print("\(file): ok (\(graph.name), \(count) step\(count == 1 ? "" : "s")\(warned))")
                }
            } else {
                invalid += 1
                let errors = result.diagnostics.count - warnings
                FileHandle.standardError.write(Data("\(file): \(errors) error\(errors == 1 ? "" : "s")\(warned)\n".utf8))
            }
        }
        if invalid > 0 { throw CLIFailure(.invalidInput, "") }
    }
}
