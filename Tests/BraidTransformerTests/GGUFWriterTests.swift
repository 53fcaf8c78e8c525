import Foundation
import Testing
@testable import BraidTransformer

/// Deterministic pseudo-random Floats (xorshift), roughly normal via the sum of uniforms.
func testValues(_ count: Int, seed: UInt64, scale: Float = 1) -> [Float] {
    var state = seed | 1
    func next() -> Float {
        state ^= state << 13; state ^= state >> 7; state ^= state << 17
        return Float(state >> 40) / Float(1 << 24)
    }
    return (0..<count).map { _ in (next() + next() + next() + next() - 2) * scale }
}

@Suite("GGUF: writer → reader round trips")
struct GGUFWriterTests {
    /// One value of every metadata type, including nested and empty arrays.
    static let everyValue: [(String, GGUFValue)] = [
        ("t.u8", .uint8(200)), ("t.i8", .int8(-100)), ("t.u16", .uint16(60000)), ("t.i16", .int16(-30000)),
        ("t.u32", .uint32(4_000_000_000)), ("t.i32", .int32(-2_000_000_000)), ("t.f32", .float32(-1.25e-3)),
        ("t.bool", .bool(true)), ("t.string", .string("héllo ✓ 東京")), ("t.empty", .string("")),
        ("t.u64", .uint64(.max)), ("t.i64", .int64(.min)), ("t.f64", .float64(.pi)),
        ("t.strings", .strings(["a", "", "Ġt"])), ("t.i32s", .int32s([1, -2, 3])),
        ("t.none", .array(GGUFArray(.float64([])))), ("t.bools", .array(GGUFArray(.bool([true, false])))),
        ("t.nested", .array(GGUFArray(.array([GGUFArray(.uint32([1, 2])), GGUFArray(.string(["x"]))])))),
        ("t.u8s", .array(GGUFArray(.uint8([0, 255])))), ("t.i64s", .array(GGUFArray(.int64([.min, -1])))),
        ("t.f64s", .array(GGUFArray(.float64([0.5, -2])))), ("t.u16s", .array(GGUFArray(.uint16([7])))),
    ]

    @Test("metadata of every value type survives, in order")
    func metadataRoundTrip() throws {
        var writer = try GGUFWriter()
        for (key, value) in Self.everyValue { writer.set(key, value) }
        let file = try GGUFFile(data: try writer.serialized())
        #expect(file.version == 3)
        #expect(file.metadata.keys == Self.everyValue.map(\.0))
        for (key, value) in Self.everyValue {
            #expect(file.metadata[key] == value, "\(key)")
        }
        #expect(file.tensors.isEmpty)
    }

    @Test("typed accessors accept any integer width and report wrong types by name")
    func accessors() throws {
        var writer = try GGUFWriter()
        for (key, value) in Self.everyValue { writer.set(key, value) }
        let m = try GGUFFile(data: try writer.serialized()).metadata
        #expect(m.int("t.u8") == 200 && m.int("t.i16") == -30000 && m.int("t.u32") == 4_000_000_000)
        #expect(m.int("t.u64") == nil)  // does not fit in Int
        #expect(m.float("t.f64") == Float(Double.pi) && m.float("t.u8") == 200)
        #expect(m.strings("t.strings") == ["a", "", "Ġt"] && m.ints("t.i32s") == [1, -2, 3])
        #expect(m.strings("t.i32s") == nil && m.bool("t.bool") == true)
        #expect(m.ints("t.u8s") == [0, 255] && m.ints("t.i64s") == [Int.min, -1] && m.floats("t.f64s") == [0.5, -2])
        #expect(m.ints("t.strings") == nil && m.floats("t.i32s") == [1, -2, 3])
        #expect(m["t.nested"]?.arrayValue?.elements == [.array(GGUFArray(.uint32([1, 2]))), .array(GGUFArray(.string(["x"])))])
        #expect(throws: GGUFError.missingKey("t.absent")) { try m.requireInt("t.absent") }
        #expect(throws: GGUFError.wrongValueType(key: "t.string", expected: "integer", found: "string")) {
            try m.requireInt("t.string")
        }
    }

    @Test("tensors of every type round-trip: bytes exact, values within the type's error", arguments: GGMLType.allCases)
    func tensorRoundTrip(type: GGMLType) throws {
        let rows = 3, rowLength = 512
        let values = testValues(rows * rowLength, seed: UInt64(type.rawValue) + 7)
        var writer = try GGUFWriter()
        writer.set("general.architecture", .string("test"))
        try writer.addTensor(name: "w", dimensions: [rowLength, rows], values: values, type: type)
        try writer.addTensor(name: "bias", dimensions: [7], values: testValues(7, seed: 1))
        let file = try GGUFFile(data: try writer.serialized())
        let info = try file.requireTensor(named: "w", dimensions: [rowLength, rows])
        #expect(info.type == type && info.rowLength == rowLength && info.rowCount == rows)
        #expect(info.offset % 32 == 0 && info.offset >= file.dataOffset)
        #expect(Array(file.bytes(of: info)) == writer.tensors[0].data)
        let decoded = try file.dequantized(info)
        let rms = (values.reduce(0) { $0 + $1 * $1 } / Float(values.count)).squareRoot()
        let errorRMS = (zip(values, decoded).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) } / Float(values.count)).squareRoot()
        // Expected relative error of round-to-nearest with the type's bits (plus scale rounding).
        let tolerance: [GGMLType: Float] = [.f32: 0, .f16: 5e-4, .bf16: 3e-3, .q8_0: 0.007, .q6_K: 0.025,
                                             .q5_0: 0.05, .q5_1: 0.05, .q5_K: 0.05,
                                             .q4_0: 0.1, .q4_1: 0.1, .q4_K: 0.1]
        #expect(errorRMS <= (tolerance[type] ?? 0) * rms, "\(type): relative RMS error \(errorRMS / rms)")
        let row2 = try file.dequantizedRow(info, row: 2)
        #expect(row2 == Array(decoded[(2 * rowLength)...]))
        #expect(try file.dequantized(try file.requireTensor(named: "bias")) == testValues(7, seed: 1))
    }

    @Test("a non-default alignment is written to general.alignment and honoured")
    func alignment() throws {
        var writer = try GGUFWriter(alignment: 256)
        try writer.addTensor(name: "a", dimensions: [3], values: [1, 2, 3])
        try writer.addTensor(name: "b", dimensions: [32], values: testValues(32, seed: 3), type: .q8_0)
        let file = try GGUFFile(data: try writer.serialized())
        #expect(file.alignment == 256 && file.metadata.int("general.alignment") == 256)
        #expect(file.tensors.allSatisfy { $0.offset % 256 == 0 })
        #expect(throws: GGUFError.badAlignment("24 is not a power of two")) { try GGUFWriter(alignment: 24) }
        #expect(GGUFError.badAlignment("24 is not a power of two").description == "bad general.alignment: 24 is not a power of two")
    }

    @Test("files written to disk open through mmap, also as version 2")
    func onDisk() throws {
        var writer = try GGUFWriter()
        writer.set("general.name", .string("disk"))
        try writer.addTensor(name: "x", dimensions: [32, 2], values: testValues(64, seed: 5), type: .q4_1)
        var image = try writer.serialized()
        image[4] = 2  // the version field: v2 and v3 share the layout
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("braid-gguf-\(UUID().uuidString).gguf")
        try image.write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        let file = try GGUFFile(contentsOf: url)
        #expect(file.version == 2 && file.metadata.string("general.name") == "disk")
        #expect(try file.dequantized(try file.requireTensor(named: "x")).count == 64)
    }

    @Test("the writer refuses inconsistent input, naming the tensor and what does not fit")
    func writerRefuses() throws {
        var writer = try GGUFWriter()
        /// What a user reads when `body` is refused (nil when it is accepted).
        func refusal(_ body: () throws -> Void) -> String? {
            do { try body(); return nil } catch { return "\(error)" }
        }
        #expect(refusal { try writer.addTensor(name: "q", dimensions: [48], values: testValues(48, seed: 1), type: .q8_0) }
                == "tensor 'q': row length 48 is not a multiple of the Q8_0 block size 32")
        #expect(refusal { try writer.addTensor(name: "s", dimensions: [4, 2], values: [1, 2, 3]) }
                == "tensor 's': 3 values given, shape [4, 2] needs 8")
        #expect(refusal { try writer.addTensor(name: "e", dimensions: [32], type: .q8_0, encoded: [1, 2]) }
                == "tensor 'e': 2 bytes given, Q8_0 shape [32] needs 34")
        #expect(refusal { try writer.addTensor(name: "z", dimensions: [4, 0], values: []) }
                == "tensor 'z': shape [4, 0] needs 1 to 4 positive dimensions")
        try writer.addTensor(name: "dup", dimensions: [1], values: [1])
        #expect(refusal { try writer.addTensor(name: "dup", dimensions: [1], values: [1]) } == "tensor 'dup': appears more than once")
        #expect(writer.tensors.map(\.name) == ["dup"], "refused tensors are not added")
    }
}
