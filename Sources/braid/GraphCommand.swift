import ArgumentParser

/// `braid graph`: placeholder until its issue lands.
struct GraphCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "graph", abstract: "(not yet available)", shouldDisplay: false)

    func run() throws {
        throw CLIFailure(.usage, "braid graph is not available in this build yet")
    }
}
