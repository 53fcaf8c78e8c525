import ArgumentParser

/// `braid mask`: placeholder until its issue lands.
struct MaskCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "mask", abstract: "(not yet available)", shouldDisplay: false)

    func run() throws {
        throw CLIFailure(.usage, "braid mask is not available in this build yet")
    }
}
