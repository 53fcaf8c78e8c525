import ArgumentParser

/// `braid trace`: placeholder until its issue lands.
struct TraceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "trace", abstract: "(not yet available)", shouldDisplay: false)

    func run() throws {
        throw CLIFailure(.usage, "braid trace is not available in this build yet")
    }
}
