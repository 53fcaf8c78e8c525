import Foundation

/// Writes trace events to a file as JSON Lines while a run goes on.
public final class TraceWriter {
    private let handle: FileHandle
    /// The first error met while writing, if any (a run is not stopped by a failing trace).
    public private(set) var error: Error?

    /// Creates (or truncates) the file at `path`.
    public init(path: String) throws {
        guard FileManager.default.createFile(atPath: path, contents: nil) else {
            throw RunError.badInput("cannot create trace file '\(path)'")
        }
        guard let handle = FileHandle(forWritingAtPath: path) else {
            throw RunError.badInput("cannot open trace file '\(path)' for writing")
        }
        self.handle = handle
    }

    deinit { try? handle.close() }

    /// Appends one event.
    public func write(_ event: TraceEvent) {
        guard error == nil else { return }
        do {
            try handle.write(contentsOf: Data((TraceJSONL.line(event) + "\n").utf8))
        } catch {
            self.error = error
        }
    }

    /// Flushes and closes the file.
    public func close() {
        try? handle.synchronize()
        try? handle.close()
    }
}
