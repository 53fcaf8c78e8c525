import Foundation

/// The versioned JSON form of a plan (Docs/plan.md): `{"version": 3, "plan": {…}, "bounds": {…}?}`.
public enum PlanJSON {
    /// The top-level JSON object.
    public struct Document: Codable, Equatable, Sendable {
        /// The format version (`Plan.formatVersion`).
        public var version: Int
        /// The plan.
        public var plan: Plan
        /// Its bounds for a model, when computed.
        public var bounds: Bounds?

        /// Creates a document.
        public init(plan: Plan, bounds: Bounds?) {
            self.version = Plan.formatVersion
            self.plan = plan
            self.bounds = bounds
        }
    }

    /// Encodes a plan (and optional bounds) as pretty-printed JSON with sorted keys.
    public static func encode(_ plan: Plan, bounds: Bounds? = nil) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let data = try encoder.encode(Document(plan: plan, bounds: bounds))
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    /// Decodes a document, refusing versions newer than this library understands.
    public static func decode(_ text: String) throws -> Document {
        let document = try JSONDecoder().decode(Document.self, from: Data(text.utf8))
        guard document.version <= Plan.formatVersion else {
            throw PlanError.invalidGraph(step: "version",
                                         reason: "plan JSON version \(document.version) is newer than this build reads (\(Plan.formatVersion))")
        }
        return document
    }
}
