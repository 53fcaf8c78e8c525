import ArgumentParser

/// `braid tokenize`: placeholder until its issue lands.
struct TokenizeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "tokenize", abstract: "(not yet available)", shouldDisplay: false)

    func run() throws {
        throw CLIFailure(.usage, "braid tokenize is not available in this build yet")
    }
}
