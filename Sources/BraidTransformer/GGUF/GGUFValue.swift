/// The type ids of GGUF metadata values (`gguf_type` in the spec).
public enum GGUFValueType: UInt32, Sendable, CaseIterable, CustomStringConvertible {
    /// Unsigned 8-bit integer.
    case uint8 = 0
    /// Signed 8-bit integer.
    case int8 = 1
    /// Unsigned 16-bit integer.
    case uint16 = 2
    /// Signed 16-bit integer.
    case int16 = 3
    /// Unsigned 32-bit integer.
    case uint32 = 4
    /// Signed 32-bit integer.
    case int32 = 5
    /// IEEE binary32.
    case float32 = 6
    /// One byte, 0 or 1.
    case bool = 7
    /// u64 length + UTF-8 bytes.
    case string = 8
    /// Element type, u64 count, elements.
    case array = 9
    /// Unsigned 64-bit integer.
    case uint64 = 10
    /// Signed 64-bit integer.
    case int64 = 11
    /// IEEE binary64.
    case float64 = 12

    /// Size in bytes of one value of a fixed-size type; nil for strings and arrays.
    public var fixedSize: Int? {
        switch self {
        case .uint8, .int8, .bool: return 1
        case .uint16, .int16: return 2
        case .uint32, .int32, .float32: return 4
        case .uint64, .int64, .float64: return 8
        case .string, .array: return nil
        }
    }

    /// The spec's name of the type (`u32`, `string`, …).
    public var description: String {
        switch self {
        case .uint8: return "u8"
        case .int8: return "i8"
        case .uint16: return "u16"
        case .int16: return "i16"
        case .uint32: return "u32"
        case .int32: return "i32"
        case .float32: return "f32"
        case .bool: return "bool"
        case .string: return "string"
        case .array: return "array"
        case .uint64: return "u64"
        case .int64: return "i64"
        case .float64: return "f64"
        }
    }
}

/// One GGUF metadata value.
public enum GGUFValue: Sendable, Equatable {
    /// u8
    case uint8(UInt8)
    /// i8
    case int8(Int8)
    /// u16
    case uint16(UInt16)
    /// i16
    case int16(Int16)
    /// u32
    case uint32(UInt32)
    /// i32
    case int32(Int32)
    /// f32
    case float32(Float)
    /// bool
    case bool(Bool)
    /// string
    case string(String)
    /// array of values of one type
    case array(GGUFArray)
    /// u64
    case uint64(UInt64)
    /// i64
    case int64(Int64)
    /// f64
    case float64(Double)

    /// The value's GGUF type.
    public var type: GGUFValueType {
        switch self {
        case .uint8: return .uint8
        case .int8: return .int8
        case .uint16: return .uint16
        case .int16: return .int16
        case .uint32: return .uint32
        case .int32: return .int32
        case .float32: return .float32
        case .bool: return .bool
        case .string: return .string
        case .array: return .array
        case .uint64: return .uint64
        case .int64: return .int64
        case .float64: return .float64
        }
    }

    /// The value as an `Int` when it is an integer of any width that fits; nil otherwise.
    public var intValue: Int? {
        switch self {
        case let .uint8(v): return Int(v)
        case let .int8(v): return Int(v)
        case let .uint16(v): return Int(v)
        case let .int16(v): return Int(v)
        case let .uint32(v): return Int(v)
        case let .int32(v): return Int(v)
        case let .uint64(v): return Int(exactly: v)
        case let .int64(v): return Int(v)
        default: return nil
        }
    }

    /// The value as a `Float` when it is a float (or an integer, for files that store e.g. a rope
    /// base as an integer); nil otherwise.
    public var floatValue: Float? {
        switch self {
        case let .float32(v): return v
        case let .float64(v): return Float(v)
        default: return intValue.map { Float($0) }
        }
    }

    /// The string, when the value is one.
    public var stringValue: String? {
        if case let .string(s) = self { return s }
        return nil
    }

    /// The Bool, when the value is one.
    public var boolValue: Bool? {
        if case let .bool(b) = self { return b }
        return nil
    }

    /// The array, when the value is one.
    public var arrayValue: GGUFArray? {
        if case let .array(a) = self { return a }
        return nil
    }

    /// A short human-readable rendering (arrays are summarized).
    public var summary: String {
        switch self {
        case let .string(s): return s.debugDescription
        case let .array(a): return "[\(a.elementType); \(a.count)]"
        case let .bool(b): return String(b)
        case let .float32(f): return String(f)
        case let .float64(f): return String(f)
        default: return intValue.map(String.init) ?? "?"
        }
    }
}

/// A GGUF array: every element has the same type (arrays of arrays are allowed by the spec).
///
/// Elements are stored in typed arrays, so a large array costs what its elements cost (a u8 array
/// of a million entries is a megabyte), never a `GGUFValue` per element.
public struct GGUFArray: Sendable, Equatable {
    /// The elements, by type.
    public enum Storage: Sendable, Equatable {
        /// u8 elements.
        case uint8([UInt8])
        /// i8 elements.
        case int8([Int8])
        /// u16 elements.
        case uint16([UInt16])
        /// i16 elements.
        case int16([Int16])
        /// u32 elements.
        case uint32([UInt32])
        /// i32 elements.
        case int32([Int32])
        /// f32 elements.
        case float32([Float])
        /// bool elements.
        case bool([Bool])
        /// string elements.
        case string([String])
        /// array elements (each with its own element type).
        case array([GGUFArray])
        /// u64 elements.
        case uint64([UInt64])
        /// i64 elements.
        case int64([Int64])
        /// f64 elements.
        case float64([Double])
    }

    /// The elements.
    public let storage: Storage

    /// Wraps typed elements.
    public init(_ storage: Storage) {
        self.storage = storage
    }

    /// The declared element type.
    public var elementType: GGUFValueType {
        switch storage {
        case .uint8: return .uint8
        case .int8: return .int8
        case .uint16: return .uint16
        case .int16: return .int16
        case .uint32: return .uint32
        case .int32: return .int32
        case .float32: return .float32
        case .bool: return .bool
        case .string: return .string
        case .array: return .array
        case .uint64: return .uint64
        case .int64: return .int64
        case .float64: return .float64
        }
    }

    /// Number of elements.
    public var count: Int {
        switch storage {
        case let .uint8(a): return a.count
        case let .int8(a): return a.count
        case let .uint16(a): return a.count
        case let .int16(a): return a.count
        case let .uint32(a): return a.count
        case let .int32(a): return a.count
        case let .float32(a): return a.count
        case let .bool(a): return a.count
        case let .string(a): return a.count
        case let .array(a): return a.count
        case let .uint64(a): return a.count
        case let .int64(a): return a.count
        case let .float64(a): return a.count
        }
    }

    /// The elements as strings; nil unless this is a string array.
    public var strings: [String]? {
        if case let .string(a) = storage { return a }
        return nil
    }

    /// The elements as `Int`; nil unless this is an integer array whose values all fit.
    public var ints: [Int]? {
        switch storage {
        case let .uint8(a): return a.map { Int($0) }
        case let .int8(a): return a.map { Int($0) }
        case let .uint16(a): return a.map { Int($0) }
        case let .int16(a): return a.map { Int($0) }
        case let .uint32(a): return a.map { Int($0) }
        case let .int32(a): return a.map { Int($0) }
        case let .int64(a): return a.map { Int($0) }
        case let .uint64(a):
            guard a.allSatisfy({ $0 <= UInt64(Int.max) }) else { return nil }
            return a.map { Int($0) }
        default: return nil
        }
    }

    /// The elements as `Float`; nil unless this is a float or integer array.
    public var floats: [Float]? {
        switch storage {
        case let .float32(a): return a
        case let .float64(a): return a.map { Float($0) }
        default: return ints?.map { Float($0) }
        }
    }

    /// The elements as values (allocates one `GGUFValue` per element: for inspection, not bulk use).
    public var elements: [GGUFValue] {
        switch storage {
        case let .uint8(a): return a.map { .uint8($0) }
        case let .int8(a): return a.map { .int8($0) }
        case let .uint16(a): return a.map { .uint16($0) }
        case let .int16(a): return a.map { .int16($0) }
        case let .uint32(a): return a.map { .uint32($0) }
        case let .int32(a): return a.map { .int32($0) }
        case let .float32(a): return a.map { .float32($0) }
        case let .bool(a): return a.map { .bool($0) }
        case let .string(a): return a.map { .string($0) }
        case let .array(a): return a.map { .array($0) }
        case let .uint64(a): return a.map { .uint64($0) }
        case let .int64(a): return a.map { .int64($0) }
        case let .float64(a): return a.map { .float64($0) }
        }
    }
}

/// One metadata entry, in file order.
public struct GGUFKeyValue: Sendable, Equatable {
    /// The key (`general.architecture`, …).
    public let key: String
    /// Its value.
    public let value: GGUFValue
}
