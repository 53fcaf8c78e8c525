// swift-tools-version:6.1
// Braid's benchmarks, a package of their own so that `swift test` at the root never builds
// ordo-one/benchmark (about three minutes on two cores). Run from this folder:
//   swift package benchmark                       # everything
//   swift package benchmark --filter 'decode.*'   # a subset
// See Docs/performance.md for what each benchmark measures.
import PackageDescription

let package = Package(
    name: "BraidBenchmarks",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(name: "Braid", path: "../"),
        // The explicit trait list turns off the default RuntimeInterposer (not needed, not available here).
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "BraidBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "BraidTransformer", package: "Braid"),
                .product(name: "BraidRuntime", package: "Braid"),
                .product(name: "BraidGraph", package: "Braid"),
            ],
            path: "Benchmarks/BraidBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]),
    ]
)
