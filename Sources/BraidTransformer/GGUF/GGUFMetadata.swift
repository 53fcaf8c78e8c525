/// The ordered key/value metadata of a GGUF file, with typed accessors.
///
/// The accessors accept any integer width for integers (files in the wild mix u32 and u64) and return
/// nil when the key is absent or has an unusable type; the `require…` forms throw a `GGUFError` that
/// names the key instead.
public struct GGUFMetadata: Sendable, Equatable {
    /// The entries in file order.
    public let entries: [GGUFKeyValue]
    private let index: [String: Int]

    /// Builds metadata from entries; throws `duplicateKey` when a key repeats.
    public init(_ entries: [GGUFKeyValue]) throws {
        var index: [String: Int] = [:]
        index.reserveCapacity(entries.count)
        for (i, entry) in entries.enumerated() {
            if index.updateValue(i, forKey: entry.key) != nil { throw GGUFError.duplicateKey(entry.key) }
        }
        self.entries = entries
        self.index = index
    }

    /// Number of entries.
    public var count: Int { entries.count }

    /// The keys in file order.
    public var keys: [String] { entries.map(\.key) }

    /// The value for `key`, if present.
    public subscript(key: String) -> GGUFValue? {
        index[key].map { entries[$0].value }
    }

    /// An integer of any width, as `Int`.
    public func int(_ key: String) -> Int? { self[key]?.intValue }

    /// A float (f32, f64, or an integer).
    public func float(_ key: String) -> Float? { self[key]?.floatValue }

    /// A string.
    public func string(_ key: String) -> String? { self[key]?.stringValue }

    /// A bool.
    public func bool(_ key: String) -> Bool? { self[key]?.boolValue }

    /// An array of strings; nil if absent or not a string array.
    public func strings(_ key: String) -> [String]? { self[key]?.arrayValue?.strings }

    /// An array of integers of any width; nil if absent, not an integer array, or a value does not fit.
    public func ints(_ key: String) -> [Int]? { self[key]?.arrayValue?.ints }

    /// An array of floats (or integers); nil if absent or not numeric.
    public func floats(_ key: String) -> [Float]? { self[key]?.arrayValue?.floats }

    /// An integer that must be present.
    public func requireInt(_ key: String) throws -> Int {
        guard let value = self[key] else { throw GGUFError.missingKey(key) }
        guard let v = value.intValue else {
            throw GGUFError.wrongValueType(key: key, expected: "integer", found: value.type.description)
        }
        return v
    }

    /// A float that must be present.
    public func requireFloat(_ key: String) throws -> Float {
        guard let value = self[key] else { throw GGUFError.missingKey(key) }
        guard let v = value.floatValue else {
            throw GGUFError.wrongValueType(key: key, expected: "number", found: value.type.description)
        }
        return v
    }

    /// A string that must be present.
    public func requireString(_ key: String) throws -> String {
        guard let value = self[key] else { throw GGUFError.missingKey(key) }
        guard let v = value.stringValue else {
            throw GGUFError.wrongValueType(key: key, expected: "string", found: value.type.description)
        }
        return v
    }
}
