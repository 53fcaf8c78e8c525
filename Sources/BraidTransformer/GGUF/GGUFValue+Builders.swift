/// Shorthands for building metadata values (used with `GGUFWriter`).
extension GGUFValue {
    /// An array of strings.
    public static func strings(_ values: [String]) -> GGUFValue { .array(GGUFArray(.string(values))) }

    /// An array of i32.
    public static func int32s(_ values: [Int32]) -> GGUFValue { .array(GGUFArray(.int32(values))) }

    /// An array of u32.
    public static func uint32s(_ values: [UInt32]) -> GGUFValue { .array(GGUFArray(.uint32(values))) }

    /// An array of f32.
    public static func float32s(_ values: [Float]) -> GGUFValue { .array(GGUFArray(.float32(values))) }
}
