import ArgumentParser

/// `braid countdown`: placeholder until its issue lands.
struct CountdownCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "countdown", abstract: "(not yet available)", shouldDisplay: false)

    func run() throws {
        throw CLIFailure(.usage, "braid countdown is not available in this build yet")
    }
}
