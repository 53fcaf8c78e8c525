import ArgumentParser
import BraidCountdown
import Foundation

/// `braid countdown`: the Countdown task — generate problems, write solver traces, check answers.
struct CountdownCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "countdown",
        abstract: "The Countdown task (APR's benchmark): generate problems, write solver traces, check answers.",
        discussion: """
        Reach a target from 3-4 numbers with +, *, larger-minus-smaller and exact division, using every \
        number exactly once. Everything is seeded and reproducible: the same arguments give the same bytes.

          braid countdown generate --numbers 4 --count 1000 --seed 1 --out train.jsonl
          braid countdown generate --numbers 4 --count 200 --seed 1 --split heldout --out heldout.jsonl
          braid countdown solve --format apr --problems train.jsonl --seed 7 --out apr.jsonl
          braid countdown solve --format parathinker --paths 4 --problems train.jsonl --seed 7 --flat
          braid countdown check --numbers 1,4,6,8 --target 10 "(8-6)*(1+4)"
          braid countdown check --traces apr.jsonl

        Formats are described in Docs/countdown.md.
        """,
        subcommands: [Generate.self, Solve.self, Check.self]
    )
}

extension TraceFormat: ExpressibleByArgument {}
extension ProblemSplit: ExpressibleByArgument {}

extension CountdownCommand {
    /// `braid countdown generate`.
    struct Generate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write solvable, de-duplicated problems as JSONL.",
            discussion: """
            Each line: {"id", "numbers", "target", "split", "solution"} (solution: one known answer). \
            Numbers and target are drawn uniformly and kept only if solvable and not a repeat. The split \
            of a problem is a fixed hash of its numbers (any order) and target, so held-out problems never \
            appear in train, whatever seeds and counts are used.
            """)

        @Option(help: "How many starting numbers (difficulty; APR uses 4, 3 is easier; 2-5).")
        var numbers = 4
        @Option(help: "How many problems to write.")
        var count = 100
        @Option(help: "Random seed.")
        var seed: UInt64 = 0
        @Option(help: "Which split: train or heldout.")
        var split: ProblemSplit = .train
        @Option(help: "Smallest starting number.")
        var minNumber = 1
        @Option(help: "Largest starting number.")
        var maxNumber = 99
        @Option(help: "Smallest target.")
        var minTarget = 10
        @Option(help: "Largest target.")
        var maxTarget = 100
        @Option(help: "Write to this file instead of standard output.")
        var out: String?

        func validate() throws {
            guard minNumber <= maxNumber else { throw ValidationError("--min-number must not exceed --max-number") }
            guard minTarget <= maxTarget else { throw ValidationError("--min-target must not exceed --max-target") }
        }

        func run() throws {
            let config = GeneratorConfig(count: numbers, numberRange: minNumber...maxNumber, targetRange: minTarget...maxTarget)
            let problems = try countdownStep { try ProblemGenerator(config: config).generate(count: count, seed: seed, split: split) }
            try writeOutput(try countdownStep { try JSONLines.text(problems) }, to: out)
        }
    }

    /// `braid countdown solve`.
    struct Solve: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write seeded solver traces (SoS+, APR, ParaThinker) for a problem file.",
            discussion: """
            One JSON record per problem with prompt, text (prompt included), answer, solved, attempts, beam; \
            APR records add "apr" (every parent segment and the children of each spawn), ParaThinker records \
            add "paths". With --flat, one line per training string instead ({"id","format","role","text"}; \
            every APR parent segment and child is its own string). Unset beams are drawn per problem as APR \
            does (SoS+ 1-5, APR 1-10 with child beam up to 15, ParaThinker paths 1-3). A failed search is \
            retried with new draws and a doubled beam, the last attempt unpruned, so every record states a \
            correct answer; --keep-failures records the first search as it is.
            """)

        @Option(help: "Trace format: sos, apr or parathinker.")
        var format: TraceFormat
        @Option(help: "Problem file (JSONL from 'generate'; '-' for standard input).")
        var problems: String
        @Option(help: "Random seed.")
        var seed: UInt64 = 0
        @Option(help: "ParaThinker: number of attempts P (1-8).")
        var paths = 4
        @Option(help: "Fixed beam (default: drawn per problem).")
        var beam: Int?
        @Option(help: "APR: fixed child beam (default: drawn from beam...15).")
        var childBeam: Int?
        @Option(help: "Chance an expansion dives into (SoS+, default 0.5) or spawns (APR, default 0.9) its children.")
        var promising: Double?
        @Option(help: "Most searches per problem; the last one is unpruned and always succeeds.")
        var attempts = 8
        @Flag(help: "Record the first search even if it fails.")
        var keepFailures = false
        @Flag(help: "One line per training string instead of one record per problem.")
        var flat = false
        @Flag(help: "APR: add the scheduler steps ('replay': prompts, completions, spawns, join blocks) to each record.")
        var replay = false
        @Option(help: "Write to this file instead of standard output.")
        var out: String?

        func run() throws {
            let source = problems == "-" ? "stdin" : problems
            let list = try countdownStep { try ProblemFile.parse(try readInput(problems), source: source) }
            let settings = SolverSettings(format: format, seed: seed, beam: beam, childBeam: childBeam, promising: promising,
                                          paths: paths, maxAttempts: attempts, keepFailures: keepFailures)
            let solver = try countdownStep { try TraceSolver(settings: settings) }
            var text = ""
            for problem in list {
                var record = solver.solve(problem)
                if replay, let thread = record.apr {
                    record.replay = try countdownStep { try APRReplay.steps(of: thread, rootPrompt: record.prompt) }
                }
                if flat {
                    text += try countdownStep { try JSONLines.text(TrainingString.strings(of: record)) }
                } else {
                    text += try countdownStep { try JSONLines.line(record) } + "\n"
                }
            }
            try writeOutput(text, to: out)
        }
    }

    /// `braid countdown check`.
    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check an answer (or every record of a trace file) exactly.",
            discussion: """
            Accepted answers: an operation list ("8-6=2, 1+4=5, 2*5=10", also as a Python list of strings) \
            or an expression using every number once ("(8-6)*(1+4)", optionally "= 10"). With --text the \
            answer is first found in a model output or trace: the last \\boxed{...}, else the path ending at \
            the last "Goal Reached", else the last line. Exit code 0 when correct, 1 when not.
            """)

        @Option(help: "The starting numbers, comma-separated (e.g. 1,4,6,8).")
        var numbers: String?
        @Option(help: "The target.")
        var target: Int?
        @Argument(help: "The answer to check.")
        var answer: String?
        @Option(help: "Find the answer in this file's text (a model output or trace; '-' for standard input).")
        var text: String?
        @Option(help: "Check every record of a 'solve' output file (flat files are not accepted).")
        var traces: String?

        func run() throws {
            if let traces {
                try checkTraces(traces)
                return
            }
            guard let numbers, let target else {
                throw CLIFailure(.usage, "give --numbers and --target with an answer or --text, or give --traces FILE")
            }
            let values = numbers.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
            guard !values.isEmpty, values.allSatisfy({ $0 != nil }) else {
                throw CLIFailure(.usage, "--numbers must be comma-separated integers (got '\(numbers)')")
            }
            let problem = Problem(id: "cli", numbers: values.compactMap { $0 }, target: target)
            let candidate: String
            if let text {
                guard let found = AnswerExtractor.extract(from: try readInput(text)) else {
                    throw CLIFailure(.invalidInput, "incorrect: no answer found in \(text)")
                }
                candidate = found
            } else if let answer {
                candidate = answer
            } else {
                throw CLIFailure(.usage, "give the answer as an argument or with --text FILE")
            }
            let result = SolutionChecker.check(candidate, for: problem)
            if let problem = result.problem {
                throw CLIFailure(.invalidInput, "incorrect: \(problem)")
            }
            print("correct: " + result.steps.map(\.description).joined(separator: ", "))
        }

        private func checkTraces(_ path: String) throws {
            let source = path == "-" ? "stdin" : path
            let records = try countdownStep { try JSONLines.decode(TraceRecord.self, from: try readInput(path), source: source) }
            var wrong: [String] = []
            for (line, record) in records {
                let problem = Problem(id: record.problemID, numbers: record.numbers, target: record.target)
                let verdict = CountdownTask().check(output: record.text, problem: problem)
                if !verdict.isCorrect { wrong.append("\(path):\(line): \(record.id): \(verdict.reason ?? "incorrect")") }
            }
            print("\(records.count - wrong.count)/\(records.count) traces state a correct answer")
            if !wrong.isEmpty {
                throw CLIFailure(.invalidInput, wrong.prefix(20).joined(separator: "\n"))
            }
        }
    }
}

/// Runs a Countdown library call, turning its errors into exit code 1 with their message.
private func countdownStep<T>(_ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let error as CountdownError {
        throw CLIFailure(.invalidInput, "\(error)")
    }
}

/// The contents of `path`, or standard input for `-`.
private func readInput(_ path: String) throws -> String {
    if path == "-" {
        return String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)
    }
    guard let data = FileManager.default.contents(atPath: path) else {
        throw CLIFailure(.invalidInput, "cannot read \(path)")
    }
    return String(decoding: data, as: UTF8.self)
}

/// Writes `text` to `path`, or to standard output when `path` is nil.
private func writeOutput(_ text: String, to path: String?) throws {
    guard let path else {
        FileHandle.standardOutput.write(Data(text.utf8))
        return
    }
    do {
        try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
    } catch {
        throw CLIFailure(.runFailure, "cannot write \(path): \(error.localizedDescription)")
    }
}
