import ArgumentParser

/// `braid run`: placeholder until its issue lands.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "run", abstract: "(not yet available)", shouldDisplay: false)

    func run() throws {
        throw CLIFailure(.usage, "braid run is not available in this build yet")
    }
}
