// swift-tools-version:6.0
// Braid: reasoning topologies as YAML, compiled to attention-mask and KV-cache plans,
// executed on a built-in transformer runtime.
import PackageDescription

let package = Package(
    name: "Braid",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "braid", targets: ["braid"]),
        .library(name: "BraidRandom", targets: ["BraidRandom"]),
        .library(name: "BraidRules", targets: ["BraidRules"]),
        .library(name: "BraidGraph", targets: ["BraidGraph"]),
        .library(name: "BraidPlan", targets: ["BraidPlan"]),
        .library(name: "BraidTransformer", targets: ["BraidTransformer"]),
        .library(name: "BraidRuntime", targets: ["BraidRuntime"]),
        .library(name: "BraidCountdown", targets: ["BraidCountdown"]),
        .library(name: "BraidEval", targets: ["BraidEval"]),
        .library(name: "BraidServing", targets: ["BraidServing"]),
        .library(name: "BraidServingRuntime", targets: ["BraidServingRuntime"]),
        .library(name: "BraidServingSession", targets: ["BraidServingSession"]),
    ],
    dependencies: [
        .package(url: "https://github.com/jpsim/Yams", exact: "6.2.2"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
    ],
    targets: [
        // OpenBLAS from Debian's libopenblas-dev (pkg-config module "openblas").
        .systemLibrary(name: "COpenBLAS", path: "Sources/COpenBLAS",
                       pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),

        // The one seeded generator (SplitMix64) and stable string hash (FNV-1a), for product and tests.
        .target(name: "BraidRandom"),
        // The vocabulary graph and plan share, with the one definition of each rule over it: templates and their
        // syntax, patterns and extraction, finish policies, votes, merge modes, chat roles.
        .target(name: "BraidRules"),
        // YAML -> typed graph, validation, diagnostics.
        .target(name: "BraidGraph", dependencies: ["BraidRules", .product(name: "Yams", package: "Yams")]),
        // Graph -> plan (segments, views, positions, KV lifetimes, bounds) and its renderings.
        .target(name: "BraidPlan", dependencies: ["BraidRules", "BraidGraph"]),
        // Kernels over quantized weight rows (one C source, instruction set chosen at run time)
        // and the worker pool of the forward pass.
        .target(name: "CBraidKernels", linkerSettings: [.linkedLibrary("pthread", .when(platforms: [.linux]))]),
        // GGUF, tokenizer, masked forward pass (quantized kernels + OpenBLAS), paged KV, sampling.
        .target(name: "BraidTransformer", dependencies: ["COpenBLAS", "CBraidKernels", "BraidRandom"]),
        // Executes a plan on a model.
        .target(name: "BraidRuntime", dependencies: ["BraidRules", "BraidPlan", "BraidTransformer", "BraidRandom"]),
        // The Countdown task: generator, checker, solver traces.
        .target(name: "BraidCountdown", dependencies: ["BraidRandom"]),
        // The eval harness: runs a graph over a task's problems, checks answers, aggregates, tables and plots.
        .target(name: "BraidEval", dependencies: ["BraidRuntime", "BraidGraph", "BraidCountdown"]),

        // A client of OpenAI-style /v1/completions servers (vLLM, SGLang, llama-server): requests, SSE streams,
        // cancellation, retries, errors. Kept apart so the runtime and transformer never link an HTTP stack.
        .target(name: "BraidServing", dependencies: [
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
        ]),

        // Executes a plan against an OpenAI-style /v1/completions server (the second executor of a plan):
        // one streamed request per decoded segment, forks as concurrent requests, spawn/join as APR's client.
        .target(name: "BraidServingRuntime", dependencies: ["BraidRules", "BraidPlan", "BraidServing", "BraidRandom"]),
        // `BraidSession.run(graph:on:)`: the library entry to a served run (the session's tokenizer renders prompts).
        // Kept apart so that BraidRuntime never links an HTTP stack.
        .target(name: "BraidServingSession", dependencies: ["BraidGraph", "BraidPlan", "BraidRuntime", "BraidTransformer",
                                                            "BraidServing", "BraidServingRuntime"]),

        .executableTarget(name: "braid", dependencies: [
            "BraidGraph", "BraidPlan", "BraidTransformer", "BraidRuntime", "BraidCountdown", "BraidEval",
            "BraidServing", "BraidServingRuntime", "BraidServingSession",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        // The Swift API example of Docs/runtime.md (kept compiling; run with `swift run braid-example`).
        .executableTarget(name: "braid-example", dependencies: ["BraidRuntime", "BraidTransformer"], path: "Examples"),

        .testTarget(name: "BraidGraphTests", dependencies: ["BraidGraph", "BraidRandom"]),
        .testTarget(name: "BraidPlanTests", dependencies: ["BraidPlan", "BraidGraph", "BraidRandom"]),
        .testTarget(name: "BraidTransformerTests", dependencies: ["BraidTransformer", "BraidRandom"]),
        // Test support shared by the runtime and eval tests: the scripted model.
        .target(name: "BraidTestSupport", dependencies: ["BraidRuntime", "BraidTransformer", "BraidRandom"], path: "Tests/BraidTestSupport"),
        .testTarget(name: "BraidRuntimeTests", dependencies: ["BraidRuntime", "BraidPlan", "BraidGraph", "BraidTransformer", "BraidCountdown", "BraidRandom", "BraidTestSupport"]),
        .testTarget(name: "BraidCountdownTests", dependencies: ["BraidCountdown", "BraidRandom"]),
        .testTarget(name: "BraidEvalTests", dependencies: ["BraidEval", "BraidRuntime", "BraidGraph", "BraidCountdown", "BraidTransformer", "BraidTestSupport"],
                    exclude: ["Fixtures"]),
        // A fault-injecting HTTP server on loopback for the serving-client tests, and the fixture they share.
        .target(name: "BraidServingTestSupport", dependencies: [
            "BraidServing",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
        ], path: "Tests/BraidServingTestSupport"),
        .testTarget(name: "BraidServingTests", dependencies: ["BraidServing", "BraidServingTestSupport", "BraidServingRuntime",
                                                         "BraidServingSession", "BraidPlan", "BraidGraph", "BraidRuntime",
                                                         "BraidTransformer"]),
        // End-to-end: runs the built `braid` binary (SwiftPM builds it with the tests).
        .testTarget(name: "BraidCLITests", dependencies: ["braid", "BraidServingTestSupport"]),
    ]
)
