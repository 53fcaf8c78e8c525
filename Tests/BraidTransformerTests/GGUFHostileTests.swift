import Foundation
import Testing
@testable import BraidTransformer

/// A GGUF image assembled field by field, so tests can put any value anywhere.
struct RawGGUF {
    var magic: [UInt8] = Array("GGUF".utf8)
    var version: UInt32 = 3
    var tensorCount: UInt64?
    var kvCount: UInt64?
    var kvs: [[UInt8]] = []
    var infos: [[UInt8]] = []
    var alignment = 32
    var data: [UInt8] = []

    /// The image: header, key/values, infos, padding, data.
    var bytes: Data {
        var out = Data(magic)
        out.appendLittleEndian(version)
        out.appendLittleEndian(tensorCount ?? UInt64(infos.count))
        out.appendLittleEndian(kvCount ?? UInt64(kvs.count))
        for kv in kvs { out.append(contentsOf: kv) }
        for info in infos { out.append(contentsOf: info) }
        out.padToMultiple(of: alignment)
        out.append(contentsOf: data)
        return out
    }

    static func string(_ s: String) -> [UInt8] { UInt64(s.utf8.count).littleEndianBytes + Array(s.utf8) }

    /// A key/value with a raw type id and payload.
    static func kv(_ key: String, type: UInt32, _ payload: [UInt8]) -> [UInt8] {
        string(key) + type.littleEndianBytes + payload
    }

    /// A tensor info with raw fields.
    static func info(_ name: String, dims: [UInt64], type: UInt32 = 0, offset: UInt64 = 0, nDims: UInt32? = nil) -> [UInt8] {
        string(name) + (nDims ?? UInt32(dims.count)).littleEndianBytes + dims.flatMap(\.littleEndianBytes)
            + type.littleEndianBytes + offset.littleEndianBytes
    }

    /// One F32 tensor of `n` floats at offset 0, with its data.
    static func oneTensor(_ n: Int = 8) -> RawGGUF {
        var raw = RawGGUF()
        raw.infos = [info("w", dims: [UInt64(n)])]
        raw.data = [UInt8](repeating: 0, count: 4 * n)
        return raw
    }
}

/// The message of the `GGUFError` that refuses `image`, or nil when it parses.
func refusal(_ image: Data) -> String? {
    do {
        _ = try GGUFFile(data: image)
        return nil
    } catch let error as GGUFError {
        return error.description
    } catch {
        return "unexpected error type: \(error)"
    }
}

/// A hostile file and a phrase its refusal must contain.
struct HostileCase: Sendable, CustomTestStringConvertible {
    let label: String
    let image: Data
    let phrase: String
    var testDescription: String { label }
}

@Suite("GGUF: hostile and malformed files are refused with a clear message")
struct GGUFHostileTests {
    static let cases: [HostileCase] = {
        var c: [HostileCase] = []
        func add(_ label: String, _ phrase: String, _ build: (inout RawGGUF) -> Void) {
            var raw = RawGGUF.oneTensor()
            build(&raw)
            c.append(HostileCase(label: label, image: raw.bytes, phrase: phrase))
        }
        c.append(HostileCase(label: "empty image", image: Data(), phrase: "truncated: magic"))
        c.append(HostileCase(label: "truncated header", image: Data(Array("GGUF".utf8) + [3, 0]), phrase: "truncated: version"))
        c.append(HostileCase(label: "truncated counts", image: Data(Array("GGUF".utf8) + UInt32(3).littleEndianBytes + [1, 0, 0]), phrase: "tensor count"))
        add("wrong magic", "not a GGUF file: magic is 'GGML'") { $0.magic = Array("GGML".utf8) }
        add("binary magic", "magic is '\\x0\\x1") { $0.magic = [0, 1, 2, 3] }
        add("version 1", "unsupported GGUF version 1") { $0.version = 1 }
        add("future version", "unsupported GGUF version 4") { $0.version = 4 }
        add("big-endian file", "big-endian") { $0.version = UInt32(3).byteSwapped }
        add("absurd tensor count", "tensor count = 18446744073709551615") { $0.tensorCount = .max }
        add("absurd key/value count", "metadata key/value count = 1000000000") { $0.kvCount = 1_000_000_000 }
        add("kv count larger than present", "metadata key/value count = 1, more than the rest of the file can hold") { $0.kvCount = 1; $0.infos = []; $0.data = [] }
        add("absurd key length", "length of key of metadata entry 0") {
            $0.kvs = [UInt64.max.littleEndianBytes + [0, 0, 0, 0]]
        }
        add("absurd string value length", "length of value of 'k'") {
            $0.kvs = [RawGGUF.kv("k", type: 8, UInt64(1 << 40).littleEndianBytes)]
        }
        add("absurd array count", "element count of array 'tokens'") {
            $0.kvs = [RawGGUF.kv("tokens", type: 9, UInt32(8).littleEndianBytes + UInt64(1 << 50).littleEndianBytes)]
        }
        add("unknown value type", "unknown GGUF metadata value type 13 for key 'x'") {
            $0.kvs = [RawGGUF.kv("x", type: 13, [0, 0, 0, 0])]
        }
        add("unknown array element type", "unknown GGUF metadata value type 99 for key 'arr'") {
            $0.kvs = [RawGGUF.kv("arr", type: 9, UInt32(99).littleEndianBytes + UInt64(1).littleEndianBytes)]
        }
        add("arrays nested too deep", "nested at most") {
            let nest = (0..<6).flatMap { _ in UInt32(9).littleEndianBytes + UInt64(1).littleEndianBytes }
            $0.kvs = [RawGGUF.kv("deep", type: 9, nest + UInt32(0).littleEndianBytes + UInt64(0).littleEndianBytes)]
        }
        add("invalid UTF-8 key", "not valid UTF-8") { $0.kvs = [UInt64(2).littleEndianBytes + [0xff, 0xfe] + UInt32(0).littleEndianBytes + [1]] }
        add("duplicate key", "'a' appears more than once") {
            $0.kvs = [RawGGUF.kv("a", type: 0, [1]), RawGGUF.kv("a", type: 0, [2])]
        }
        add("bool that is not 0 or 1", "bool 0 or 1") { $0.kvs = [RawGGUF.kv("flag", type: 7, [2])] }
        add("bool array with a byte that is not 0 or 1", "bool 0 or 1") {
            $0.kvs = [RawGGUF.kv("flags", type: 9, UInt32(7).littleEndianBytes + UInt64(2).littleEndianBytes + [1, 9])]
        }
        add("string array whose strings run past the end", "truncated") {
            $0.kvs = [RawGGUF.kv("toks", type: 9, UInt32(8).littleEndianBytes + UInt64(2).littleEndianBytes + RawGGUF.string("a") + UInt64(1000).littleEndianBytes)]
            $0.infos = []; $0.data = []
        }
        add("alignment not a power of two", "bad general.alignment: 24") {
            $0.kvs = [RawGGUF.kv("general.alignment", type: 4, UInt32(24).littleEndianBytes)]
        }
        add("alignment of the wrong type", "bad general.alignment: it is a string") {
            $0.kvs = [RawGGUF.kv("general.alignment", type: 8, RawGGUF.string("32"))]
        }
        add("zero dimensions", "tensor 'w': has 0 dimensions") { $0.infos = [RawGGUF.info("w", dims: [], nDims: 0)] }
        add("five dimensions", "tensor 'w': has 5 dimensions") { $0.infos = [RawGGUF.info("w", dims: [1, 1, 1, 1, 1])] }
        add("absurd dimension count", "tensor 'w': has 4294967295 dimensions") { $0.infos = [RawGGUF.info("w", dims: [8], nDims: .max)] }
        add("a zero dimension", "tensor 'w': dimension 1 is 0") { $0.infos = [RawGGUF.info("w", dims: [8, 0])] }
        add("element count overflow", "tensor 'w': shape") {
            $0.infos = [RawGGUF.info("w", dims: [1 << 34, 1 << 34, 1 << 34, 1 << 34])]
        }
        add("unknown tensor type", "tensor 'w': unsupported tensor type id 99") { $0.infos = [RawGGUF.info("w", dims: [8], type: 99)] }
        add("unsupported known type", "unsupported tensor type Q2_K (id 10)") { $0.infos = [RawGGUF.info("w", dims: [256], type: 10)] }
        add("row not a whole number of blocks", "row length 48 is not a multiple of the Q8_0 block size 32") {
            $0.infos = [RawGGUF.info("w", dims: [48], type: 8)]
        }
        add("offset past the end", "tensor 'w': data offset 4096 is past the end") { $0.infos = [RawGGUF.info("w", dims: [8], offset: 4096)] }
        add("offset near UInt64.max", "past the end") { $0.infos = [RawGGUF.info("w", dims: [8], offset: .max - 3)] }
        add("misaligned offset", "tensor 'w': data offset 4 is not a multiple of the alignment 32") {
            $0.infos = [RawGGUF.info("w", dims: [8], offset: 4)]
        }
        add("data runs past the end", "tensor 'w': data (400 bytes at file offset") { $0.infos = [RawGGUF.info("w", dims: [100])] }
        add("data section missing", "data section") { $0.data = []; $0.alignment = 1 ; $0.infos[0] += [0, 0, 0] }
        add("overlapping tensors", "tensor 'b': data overlaps tensor 'a'") {
            $0.infos = [RawGGUF.info("a", dims: [16]), RawGGUF.info("b", dims: [8], offset: 32)]
            $0.data = [UInt8](repeating: 0, count: 64)
        }
        add("duplicate tensor name", "tensor 'w': appears more than once") {
            $0.infos = [RawGGUF.info("w", dims: [8]), RawGGUF.info("w", dims: [8], offset: 32)]
            $0.data = [UInt8](repeating: 0, count: 64)
        }
        add("tensor name too long", "name longer than 256 bytes") {
            $0.infos = [RawGGUF.info(String(repeating: "n", count: 300), dims: [8])]
        }
        return c
    }()

    @Test("refused with the expected message", arguments: cases)
    func refused(_ hostile: HostileCase) {
        let message = refusal(hostile.image)
        #expect(message != nil, "\(hostile.label) was accepted")
        #expect(message?.contains(hostile.phrase) == true, "\(hostile.label): message was \(message ?? "nil")")
    }

    @Test("every truncation of a valid file is refused, never read out of bounds")
    func everyTruncation() throws {
        var writer = try GGUFWriter()
        writer.set("general.architecture", .string("llama"))
        writer.set("tokens", .strings(["a", "bc", "déf"]))
        writer.set("scores", .float32s([1, 2]))
        try writer.addTensor(name: "a", dimensions: [32, 2], values: testValues(64, seed: 2), type: .q4_1)
        try writer.addTensor(name: "b", dimensions: [5], values: testValues(5, seed: 3))
        let image = try writer.serialized()
        #expect(refusal(image) == nil)
        let lastTensorEnd = try GGUFFile(data: image).tensors.map { $0.offset + $0.byteCount }.max() ?? 0
        for length in 0..<lastTensorEnd {
            let message = refusal(image.prefix(length))
            #expect(message != nil, "a prefix of \(length) bytes was accepted")
        }
    }

    @Test("the metadata alone (a tokenizer's read): any cut before its end is refused, any cut after it reads it whole")
    func metadataAlone() throws {
        var writer = try GGUFWriter()
        writer.set("general.architecture", .string("llama"))
        writer.set("tokens", .strings(["a", "bc", "déf"]))
        try writer.addTensor(name: "a", dimensions: [32, 2], values: testValues(64, seed: 2), type: .q4_1)
        let image = try writer.serialized()
        let whole = try GGUFFile(data: image).metadata
        var shortest: Int?
        for length in 0...image.count {
            let parsed = Data(image.prefix(length)).withUnsafeBytes { bytes in Result { try GGUFParser.parseMetadata(bytes) } }
            switch parsed {
            case .success(let metadata):
                #expect(metadata == whole, "a prefix of \(length) bytes gave other metadata")
                if shortest == nil { shortest = length }
            case .failure(let error):
                #expect(error is GGUFError, "\(error)")
                #expect(shortest == nil, "a prefix of \(length) bytes was refused, though a shorter one was read")
            }
        }
        // The tensor info and the tensor's data come after the metadata: cuts through them still give it.
        let dataBytes = try GGUFFile(data: image).tensors.map(\.byteCount).reduce(0, +)
        #expect((shortest ?? image.count) < image.count - dataBytes)
    }

    @Test("random corruption is refused or parsed, never a crash")
    func randomCorruption() throws {
        var writer = try GGUFWriter()
        writer.set("k", .strings(["x", "y"]))
        writer.set("n", .uint32(7))
        try writer.addTensor(name: "t", dimensions: [32], values: testValues(32, seed: 9), type: .q8_0)
        let image = try writer.serialized()
        var state: UInt64 = 0x9e3779b97f4a7c15
        var refused = 0
        for _ in 0..<2000 {
            var corrupt = image
            for _ in 0..<3 {
                state = state &* 6364136223846793005 &+ 1442695040888963407
                let position = Int(state >> 33) % corrupt.count
                corrupt[position] = UInt8(truncatingIfNeeded: state >> 17)
            }
            if let message = refusal(corrupt) {
                refused += 1
                #expect(!message.hasPrefix("unexpected"), "\(message)")
            } else if let file = try? GGUFFile(data: corrupt) {
                // Whatever parsed must still decode within bounds.
                for t in file.tensors { _ = try file.dequantized(t) }
            }
        }
        #expect(refused > 0)
    }

    @Test("a model asking for a missing tensor or another shape gets a message naming it")
    func missingAndMismatched() throws {
        let file = try GGUFFile(data: RawGGUF.oneTensor().bytes)
        #expect(throws: GGUFError.missingTensor("output.weight")) { try file.requireTensor(named: "output.weight") }
        let missing = #expect(throws: GGUFError.self) { try file.requireTensor(named: "output.weight") }
        #expect(missing?.description == "tensor 'output.weight' is missing from the GGUF file")
        let mismatch = #expect(throws: GGUFError.self) { try file.requireTensor(named: "w", dimensions: [4, 2]) }
        #expect(mismatch?.description == "tensor 'w' has shape [8], expected [4, 2]")
    }

    @Test("files that cannot be opened are named in the message")
    func unreadable() throws {
        let missing = #expect(throws: GGUFError.self) { try GGUFFile(contentsOf: URL(fileURLWithPath: "/nonexistent/model.gguf")) }
        #expect(missing?.description.contains("/nonexistent/model.gguf") == true)
        let directory = #expect(throws: GGUFError.self) { try GGUFFile(contentsOf: FileManager.default.temporaryDirectory) }
        #expect(directory?.description.contains("not a regular file") == true)
        let empty = FileManager.default.temporaryDirectory.appendingPathComponent("braid-empty-\(UUID().uuidString).gguf")
        try Data().write(to: empty)
        defer { try? FileManager.default.removeItem(at: empty) }
        let emptyError = #expect(throws: GGUFError.self) { try GGUFFile(contentsOf: empty) }
        #expect(emptyError?.description.contains("the file is empty") == true)
    }

    @Test("infos from another file are refused")
    func foreignInfo() throws {
        let a = try GGUFFile(data: RawGGUF.oneTensor(8).bytes)
        let b = try GGUFFile(data: RawGGUF.oneTensor(16).bytes)
        let foreign = try #require(b.tensor(named: "w"))
        #expect(throws: GGUFError.self) { try a.dequantized(foreign) }
    }
}
