import BraidGraph
import BraidPlan
import BraidRuntime
import BraidTransformer
import Foundation

/// What `braid run`, `braid eval` and `braid bench graph` share to start a model session: `--memory-limit` parsing,
/// the quick bounds check before loading, and loading the model once (the path comes from `resolveModelPath`, as
/// for every command that takes `--model`).
enum SessionLoading {
    /// Parses `--memory-limit` (`512MB`, `2GB`); nil when absent; a usage error when malformed.
    static func memoryLimit(_ text: String?) throws -> Int? {
        guard let text else { return nil }
        guard let bytes = ByteCount.parse(text), bytes > 0 else {
            throw CLIFailure(.usage, "error: --memory-limit expects a size such as 512MB or 2GB, got '\(text)'")
        }
        return bytes
    }

    /// Refuses, before the weights are loaded, a graph with a fork whose branches alone can't fit the memory limit
    /// (`Preflight.quickCheck`; the model's shape comes from the file's header). Loading takes about a second, so a
    /// graph asking for 100,000 paths is refused in a fraction of that instead. Every run is checked in full
    /// (`BraidSession.check`) once the model is loaded; a missing or bad file is left for `session` to report.
    static func quickCheck(_ graphs: [Graph], model url: URL, memoryLimit: Int?, kvType: KVPrecision = .f32) throws {
        guard let file = try? GGUFFile(contentsOf: url), let config = try? ModelConfig(source: file) else { return }
        let preflight = Preflight(config: config, memoryLimit: memoryLimit, kvPrecision: kvType)
        for graph in graphs {
            do {
                try preflight.quickCheck(graph)
            } catch let error as RunError {
                throw CLIFailure(.invalidInput, "error: \(error)")
            }
        }
    }

    /// Loads the model at `url` (from `resolveModelPath`) into a session; a missing or bad file is invalid input.
    static func session(at url: URL, memoryLimit: Int?, threads: Int?,
                        activations: ActivationPrecision = .f32, kvType: KVPrecision = .f32) throws -> BraidSession {
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw CLIFailure(.invalidInput, "error: model file \(url.path) does not exist")
        }
        do {
            let session = try BraidSession(model: url, kvByteLimit: memoryLimit, threads: threads)
            session.transformer.activations = activations
            session.transformer.kvPrecision = kvType
            return session
        } catch {
            throw CLIFailure(.invalidInput, "error: cannot load model \(url.path): \(error)")
        }
    }
}
