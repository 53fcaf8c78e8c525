import Testing
@testable import BraidTransformer

/// `LogitsLayout` (the `braid logits` input): positions, text expansion and refusals.
@Suite struct ModelLayoutTests {
    let encode: (String) throws -> [Int32] = { text in text.unicodeScalars.map { Int32($0.value % 61) } }

    @Test("positions continue per segment from its start unless a token sets one")
    func positions() throws {
        let layout = LogitsLayout(
            segments: [.init(name: "p"), .init(name: "a", sees: ["p"], start: 3), .init(name: "b", sees: ["p"], start: 3)],
            tokens: [.init(segment: "p", text: "xyz"), .init(segment: "a", id: 5), .init(segment: "b", id: 6),
                     .init(segment: "a", text: "qr"), .init(segment: "b", id: 7, position: 10), .init(segment: "b", id: 8)])
        let tokens = try layout.resolve(encode: encode)
        #expect(tokens.map(\.position) == [0, 1, 2, 3, 3, 4, 5, 10, 11])
        #expect(tokens.map(\.segment) == ["p", "p", "p", "a", "b", "a", "a", "b", "b"])
        #expect(tokens[3].id == 5)
    }

    @Test("a layout runs through the model: paths seeing only the prompt match a run of prompt + path alone")
    func evaluatesLikeSeparateRuns() throws {
        let t = try Transformer(source: SyntheticModel().gguf())
        let layout = LogitsLayout(
            segments: [.init(name: "p"), .init(name: "a", sees: ["p"], start: 4), .init(name: "b", sees: ["p"], start: 4)],
            tokens: [.init(segment: "p", id: 1), .init(segment: "p", id: 2), .init(segment: "p", id: 3), .init(segment: "p", id: 4),
                     .init(segment: "a", id: 9), .init(segment: "b", id: 30), .init(segment: "a", id: 10)])
        let both = try layout.evaluate(layout.resolve(encode: encode), on: t)
        let alone = LogitsLayout(segments: [.init(name: "p")],
                                 tokens: [1, 2, 3, 4, 9, 10].map { LogitsLayout.Entry(segment: "p", id: $0) })
        let single = try alone.evaluate(alone.resolve(encode: encode), on: t)
        #expect(maxDifference(both.row(4), single.row(4)) < 1e-4)
        #expect(maxDifference(both.row(6), single.row(5)) < 1e-4)
        #expect(maxDifference(both.row(5), single.row(4)) > 1e-3, "path b reads another token")
    }

    @Test("bad layouts name the problem", arguments: [
        LogitsLayout(segments: [.init(name: "p"), .init(name: "p")], tokens: []),
        LogitsLayout(segments: [.init(name: "p", sees: ["q"])], tokens: []),
        LogitsLayout(segments: [.init(name: "p", sees: ["p"])], tokens: []),
        LogitsLayout(segments: [.init(name: "p", thought: -1)], tokens: []),
        LogitsLayout(segments: [.init(name: "p")], tokens: [.init(segment: "x", id: 1)]),
        LogitsLayout(segments: [.init(name: "p")], tokens: [.init(segment: "p")]),
        LogitsLayout(segments: [.init(name: "p")], tokens: [.init(segment: "p", id: 1, text: "a")]),
        LogitsLayout(segments: [.init(name: "p")], tokens: [.init(segment: "p", id: 1, position: -2)]),
    ])
    func refusals(layout: LogitsLayout) {
        #expect(throws: LayoutError.self) { try layout.resolve(encode: encode) }
    }
}
