import Foundation

/// Models that ship inside the repository, loaded by name (`--model countdown-apr`): the small Countdown
/// models that `Training/train.py` makes, each at `Models/<group>/<name>.gguf` under the repository root.
public enum ShippedModels {
    /// The folder, relative to the repository root, whose subfolders hold shipped models.
    public static let folder = "Models"

    /// Whether `argument` is a model name rather than a path: no path separator and no file extension.
    public static func isName(_ argument: String) -> Bool {
        !argument.isEmpty && !argument.contains("/") && !argument.contains(".") && !argument.hasPrefix("~")
    }

    /// The file of the model called `name` under `root` (`Models/*/name.gguf`, subfolders in name order),
    /// or `nil` when none exists.
    public static func url(named name: String, root: URL) -> URL? {
        for group in groups(root: root) {
            let candidate = group.appendingPathComponent(name + ".gguf")
            if FileManager.default.fileExists(atPath: candidate.path) { return candidate }
        }
        return nil
    }

    /// The names of every shipped model under `root`, sorted (for error messages and listings).
    public static func names(root: URL) -> [String] {
        groups(root: root).flatMap { group in
            ((try? FileManager.default.contentsOfDirectory(atPath: group.path)) ?? [])
                .filter { $0.hasSuffix(".gguf") }
                .map { String($0.dropLast(".gguf".count)) }
        }.sorted()
    }

    /// The subfolders of `root/Models`, in name order.
    private static func groups(root: URL) -> [URL] {
        let base = root.appendingPathComponent(folder, isDirectory: true)
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: base.path)) ?? []
        return entries.sorted().map { base.appendingPathComponent($0, isDirectory: true) }
            .filter { url in
                var isDirectory: ObjCBool = false
                return FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) && isDirectory.boolValue
            }
    }
}
