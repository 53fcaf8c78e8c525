import ArgumentParser

/// `braid logits`: placeholder until its issue lands.
struct LogitsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "logits", abstract: "(not yet available)", shouldDisplay: false)

    func run() throws {
        throw CLIFailure(.usage, "braid logits is not available in this build yet")
    }
}
