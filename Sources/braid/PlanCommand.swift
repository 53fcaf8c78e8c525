import ArgumentParser

/// `braid plan`: placeholder until its issue lands.
struct PlanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "plan", abstract: "(not yet available)", shouldDisplay: false)

    func run() throws {
        throw CLIFailure(.usage, "braid plan is not available in this build yet")
    }
}
