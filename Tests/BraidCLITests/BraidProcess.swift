import Foundation
import Testing

/// Runs the `braid` binary that SwiftPM built next to the test bundle, as a user would.
struct BraidProcess {
    /// What one invocation left behind.
    struct Outcome {
        let status: Int32
        let output: String
        let error: String
    }

    /// The repository root, found from this file's path.
    static let repository = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Runs `braid ARGUMENTS` in the repository root and waits for it.
    static func run(_ arguments: [String]) throws -> Outcome {
        let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
            .appendingPathComponent("braid")
        guard FileManager.default.isExecutableFile(atPath: binary.path) else {
            throw Missing(what: "braid binary at \(binary.path); build the package first")
        }
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        process.currentDirectoryURL = repository
        let output = Pipe(), error = Pipe()
        process.standardOutput = output
        process.standardError = error
        process.standardInput = FileHandle.nullDevice
        try process.run()
        // Read both pipes concurrently so a chatty stderr cannot block the child.
        nonisolated(unsafe) var errorData = Data()
        let reader = Thread { errorData = error.fileHandleForReading.readDataToEndOfFile() }
        reader.start()
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        while !reader.isFinished { usleep(1_000) }
        return Outcome(status: process.terminationStatus,
                       output: String(decoding: outputData, as: UTF8.self),
                       error: String(decoding: errorData, as: UTF8.self))
    }

    /// A fresh, empty temporary folder's path; it is removed when the test process exits.
    static func temporaryFolder() throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("braid-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        Scratch.removeAtExit(folder)
        return folder.path
    }

    /// Writes `text` to a fresh temporary file and returns its path; its folder is removed when the test
    /// process exits.
    static func temporaryFile(_ text: String, name: String = "graph.yaml") throws -> String {
        let file = URL(fileURLWithPath: try temporaryFolder()).appendingPathComponent(name)
        try Data(text.utf8).write(to: file)
        return file.path
    }

    /// A file or binary the test needs is absent.
    struct Missing: Error, CustomStringConvertible {
        let what: String
        var description: String { "missing: \(what)" }
    }
}
