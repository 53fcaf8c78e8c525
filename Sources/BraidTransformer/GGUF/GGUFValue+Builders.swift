/// Shorthands for building metadata values (used with `GGUFWriter`).
extension GGUFValue {
    /// An array of strings.
    public static func strings(_ values: [String]) -> GGUFValue {
        .array(GGUFArray(elementType: .string, elements: values.map { .string($0) }))
    }

    /// An array of i32.
    public static func int32s(_ values: [Int32]) -> GGUFValue {
        .array(GGUFArray(elementType: .int32, elements: values.map { .int32($0) }))
    }

    /// An array of u32.
    public static func uint32s(_ values: [UInt32]) -> GGUFValue {
        .array(GGUFArray(elementType: .uint32, elements: values.map { .uint32($0) }))
    }

    /// An array of f32.
    public static func float32s(_ values: [Float]) -> GGUFValue {
        .array(GGUFArray(elementType: .float32, elements: values.map { .float32($0) }))
    }
}
