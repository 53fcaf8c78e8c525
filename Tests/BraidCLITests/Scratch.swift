import Foundation

/// Temporary folders the tests made, removed when the test process exits, so that repeated test runs leave
/// nothing behind in the temporary directory (a test's own `defer` would miss the folders a failing
/// expectation leaves, and many tests hand a path to the CLI and read it back later).
enum Scratch {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var folders: [URL] = []

    /// Removes `folder` and what it holds when the process exits.
    static func removeAtExit(_ folder: URL) {
        lock.withLock {
            if folders.isEmpty { atexit { Scratch.removeAll() } }
            folders.append(folder)
        }
    }

    private static func removeAll() {
        let all = lock.withLock { folders }
        for folder in all { try? FileManager.default.removeItem(at: folder) }
    }
}
