import ArgumentParser

/// `braid bench`: placeholder until its issue lands.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "bench", abstract: "(not yet available)", shouldDisplay: false)

    func run() throws {
        throw CLIFailure(.usage, "braid bench is not available in this build yet")
    }
}
