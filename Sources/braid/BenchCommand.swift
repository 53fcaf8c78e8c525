import ArgumentParser

/// `braid bench`: performance measurements. Speed is measured here, never asserted in timed tests; a
/// figure is reported as a median with its spread, and as a ratio to a baseline measured in the same run
/// where there is one (so machine load affects both sides alike).
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure the transformer's throughput and graphs' wall time (medians, ratios to a baseline).",
        discussion: """
        Build in release mode first (debug builds are 10–100× slower on numeric code):
          swift build -c release && .build/release/braid bench transformer
          .build/release/braid bench graph Graphs/parathinker.yaml --paths 1,2,4,8,16 --compare-reprefill

        Benchmarks/run.sh runs both and writes a report; Docs/performance.md explains the method.
        """,
        subcommands: [BenchTransformerCommand.self, BenchGraphCommand.self]
    )
}
