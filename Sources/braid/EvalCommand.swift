import ArgumentParser

/// `braid eval`: placeholder until its issue lands.
struct EvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "eval", abstract: "(not yet available)", shouldDisplay: false)

    func run() throws {
        throw CLIFailure(.usage, "braid eval is not available in this build yet")
    }
}
