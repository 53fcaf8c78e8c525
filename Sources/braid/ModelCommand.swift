import ArgumentParser

/// `braid model`: placeholder until its issue lands.
struct ModelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "model", abstract: "(not yet available)", shouldDisplay: false)

    func run() throws {
        throw CLIFailure(.usage, "braid model is not available in this build yet")
    }
}
