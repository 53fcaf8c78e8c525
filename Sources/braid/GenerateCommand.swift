import ArgumentParser

/// `braid generate`: placeholder until its issue lands.
struct GenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "generate", abstract: "(not yet available)", shouldDisplay: false)

    func run() throws {
        throw CLIFailure(.usage, "braid generate is not available in this build yet")
    }
}
