import BraidPlan
import BraidRuntime
import Foundation

/// What `braid run` and `braid eval` share to start a model session: `--memory-limit` parsing and loading
/// the model once (the path comes from `resolveModelPath`, as for every command that takes `--model`).
enum SessionLoading {
    /// Parses `--memory-limit` (`512MB`, `2GB`); nil when absent; a usage error when malformed.
    static func memoryLimit(_ text: String?) throws -> Int? {
        guard let text else { return nil }
        guard let bytes = ByteCount.parse(text), bytes > 0 else {
            throw CLIFailure(.usage, "error: --memory-limit expects a size such as 512MB or 2GB, got '\(text)'")
        }
        return bytes
    }

    /// Loads the model at `url` (from `resolveModelPath`) into a session; a missing or bad file is invalid input.
    static func session(at url: URL, memoryLimit: Int?, threads: Int?) throws -> BraidSession {
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw CLIFailure(.invalidInput, "error: model file \(url.path) does not exist")
        }
        do {
            return try BraidSession(model: url, kvByteLimit: memoryLimit, blasThreads: threads)
        } catch {
            throw CLIFailure(.invalidInput, "error: cannot load model \(url.path): \(error)")
        }
    }
}
