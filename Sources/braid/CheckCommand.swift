import ArgumentParser

/// `braid check`: placeholder until its issue lands.
struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "check", abstract: "(not yet available)", shouldDisplay: false)

    func run() throws {
        throw CLIFailure(.usage, "braid check is not available in this build yet")
    }
}
