/// An error that ends a `braid` command with a message and a documented exit code.
struct CLIFailure: Error {
    /// Exit codes every subcommand shares.
    enum Code: Int32 {
        /// The input is invalid: a graph, a model file, a layout, a problem file.
        case invalidInput = 1
        /// The command line is wrong.
        case usage = 2
        /// The input was fine but running it failed (out of memory budget, model error, I/O).
        case runFailure = 3
    }

    let code: Code
    let message: String

    init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }
}
