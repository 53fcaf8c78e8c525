import ArgumentParser
import Foundation

/// The `braid` command: reasoning topologies as YAML, compiled to attention-mask and KV-cache plans,
/// run on a built-in transformer.
struct Braid: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "braid",
        abstract: "Compile reasoning graphs (YAML) into attention-mask/KV-cache plans and run them on a real model.",
        discussion: """
        A reasoning graph describes how a model thinks: fan out into parallel paths, spawn child \
        threads, merge paths into a summary that reads their KV cache in place, vote, stop early.

        Typical session:
          braid check Graphs/parathinker.yaml           # validate a graph
          braid plan Graphs/parathinker.yaml --set paths=4
          braid mask Graphs/parathinker.yaml --lengths prompt=12,think=6,summary=4 --format ascii
          braid run Graphs/parathinker.yaml --question "What is 7+8?"

        Exit codes: 0 success, 1 invalid input (graph, model file, layout), 2 usage error, 3 run failure.
        """,
        version: "0.1.0",
        subcommands: [
            CheckCommand.self, GraphCommand.self,
            PlanCommand.self, MaskCommand.self,
            RunCommand.self, TraceCommand.self,
            ModelCommand.self, TokenizeCommand.self, GenerateCommand.self, LogitsCommand.self,
            CountdownCommand.self, EvalCommand.self, BenchCommand.self, ConvertCommand.self,
        ]
    )
}

@main
enum BraidMain {
    static func main() {
        do {
            var command = try Braid.parseAsRoot()
            try command.run()
        } catch let failure as CLIFailure {
            if !failure.message.isEmpty {
                FileHandle.standardError.write(Data((failure.message + "\n").utf8))
            }
            exit(failure.code.rawValue)
        } catch {
            let code = Braid.exitCode(for: error)
            // ArgumentParser reports usage problems as EX_USAGE (64); Braid promises 2.
            if code == .validationFailure {
                FileHandle.standardError.write(Data((Braid.fullMessage(for: error) + "\n").utf8))
                exit(CLIFailure.Code.usage.rawValue)
            }
            Braid.exit(withError: error)
        }
    }
}
