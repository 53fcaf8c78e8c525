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

    /// A chain of `count` segments, each seeing the one before it (acyclic), with one token in the last.
    static func chain(_ count: Int) -> LogitsLayout {
        LogitsLayout(segments: (0..<count).map { LogitsLayout.Segment(name: "s\($0)", sees: $0 == 0 ? nil : ["s\($0 - 1)"]) },
                     tokens: [.init(segment: "s\(count - 1)", id: 1)])
    }

    @Test("bad layouts are refused with a message naming the entry at fault", arguments: [
        (LogitsLayout(segments: [.init(name: "p"), .init(name: "p")], tokens: []), "segments[1]: name 'p' is empty or used twice"),
        (LogitsLayout(segments: [.init(name: "p", sees: ["q"])], tokens: []), "segment 'p' sees unknown segment 'q'"),
        (LogitsLayout(segments: [.init(name: "p", sees: ["p"])], tokens: []), "segment 'p' lists itself in 'sees' (it always sees itself)"),
        (LogitsLayout(segments: [.init(name: "p", thought: -1)], tokens: []), "segment 'p': thought -1 is negative"),
        (LogitsLayout(segments: [.init(name: "p")], tokens: [.init(segment: "x", id: 1)]), "tokens[0]: unknown segment 'x'"),
        (LogitsLayout(segments: [.init(name: "p")], tokens: [.init(segment: "p")]), "tokens[0]: give exactly one of 'id' and 'text'"),
        (LogitsLayout(segments: [.init(name: "p")], tokens: [.init(segment: "p", id: 1, text: "a")]), "tokens[0]: give exactly one of 'id' and 'text'"),
        (LogitsLayout(segments: [.init(name: "p")], tokens: [.init(segment: "p", id: 1, position: -2)]), "tokens[0]: position -2 is negative"),
        // Views that lead back to themselves: no order writes every segment after what it sees.
        (LogitsLayout(segments: [.init(name: "p"), .init(name: "a", sees: ["p", "b"]), .init(name: "b", sees: ["a"])],
                      tokens: [.init(segment: "a", id: 1)]),
         "segments see each other in a cycle ('a' sees 'b' sees 'a'); a segment must be writable after everything it sees"),
        (LogitsLayout(segments: [.init(name: "x", sees: ["z"]), .init(name: "y", sees: ["x"]), .init(name: "z", sees: ["y"])],
                      tokens: [.init(segment: "x", id: 1)]),
         "segments see each other in a cycle ('x' sees 'z' sees 'y' sees 'x'); a segment must be writable after everything it sees"),
        // Nothing to run.
        (LogitsLayout(segments: [.init(name: "p")], tokens: []), "the layout has no tokens: 'tokens' is empty"),
        (LogitsLayout(segments: [.init(name: "p")], tokens: [.init(segment: "p", text: "")]), "the layout has no tokens: every text in 'tokens' is empty"),
        // Positions whose successor does not exist (the next default position would overflow).
        (LogitsLayout(segments: [.init(name: "p")], tokens: [.init(segment: "p", id: 1, position: Int.max)]),
         "tokens[0]: position 9223372036854775807 is too large (the position after it would overflow)"),
        (LogitsLayout(segments: [.init(name: "p")], tokens: [.init(segment: "p", text: "ab", position: Int.max - 1)]),
         "tokens[0]: position 9223372036854775807 is too large (the position after it would overflow)"),
        (LogitsLayout(segments: [.init(name: "p", start: Int.max)], tokens: [.init(segment: "p", id: 1)]),
         "tokens[0]: position 9223372036854775807 is too large (the position after it would overflow)"),
    ])
    func refusals(layout: LogitsLayout, message: String) throws {
        let error = try #require(throws: LayoutError.self) { try layout.resolve(encode: encode) }
        #expect(error.description == message)
    }

    @Test("a position just below the overflow resolves; a 10,000-segment chain of views is no cycle and no stack overflow")
    func largeButValid() throws {
        let high = LogitsLayout(segments: [.init(name: "p")], tokens: [.init(segment: "p", id: 1, position: Int.max - 1)])
        #expect(try high.resolve(encode: encode).map(\.position) == [Int.max - 1])
        #expect(try Self.chain(10_000).resolve(encode: encode).map(\.segment) == ["s9999"])
    }

    @Test("ids outside the vocabulary and thought indices past the model's thought embeddings are refused before running")
    func refusedAgainstTheModel() throws {
        let model = SyntheticModel(thoughtSlots: 3)
        let t = try Transformer(source: model.gguf())
        func refusal(_ layout: LogitsLayout) throws -> String {
            try #require(throws: LayoutError.self) { try layout.evaluate(layout.resolve(encode: encode), on: t) }.description
        }
        let segments: [LogitsLayout.Segment] = [.init(name: "p"), .init(name: "a", thought: 2, sees: ["p"])]
        #expect(try refusal(LogitsLayout(segments: segments, tokens: [.init(segment: "p", id: 1), .init(segment: "a", id: 61)]))
                == "token 1 (segment 'a'): id 61 is outside the model's vocabulary 0..<61")
        #expect(try refusal(LogitsLayout(segments: segments, tokens: [.init(segment: "p", id: -1)]))
                == "token 0 (segment 'p'): id -1 is outside the model's vocabulary 0..<61")
        let past: [LogitsLayout.Segment] = [.init(name: "p"), .init(name: "a", thought: 3, sees: ["p"])]
        #expect(try refusal(LogitsLayout(segments: past, tokens: [.init(segment: "p", id: 1), .init(segment: "a", id: 2)]))
                == "segment 'a': thought 3 is past the model's 3 thought embeddings (0..<3)")
        // Thought 2 is within 0..<3, and the model has them: nothing is ignored.
        let fine = LogitsLayout(segments: segments, tokens: [.init(segment: "p", id: 1), .init(segment: "a", id: 2)])
        #expect(try fine.evaluate(fine.resolve(encode: encode), on: t).values.count == 2 * model.vocab)
        #expect(fine.ignoredThoughts(on: t.config).isEmpty)
    }

    @Test("a model without thought embeddings ignores thought indices, and says which segments give one")
    func thoughtsIgnoredWithoutEmbeddings() throws {
        let t = try Transformer(source: SyntheticModel().gguf())
        let tokens: [LogitsLayout.Entry] = [.init(segment: "p", id: 1), .init(segment: "p", id: 2), .init(segment: "a", id: 3)]
        let with = LogitsLayout(segments: [.init(name: "p"), .init(name: "a", thought: 5, sees: ["p"], start: 2)], tokens: tokens)
        let without = LogitsLayout(segments: [.init(name: "p"), .init(name: "a", sees: ["p"], start: 2)], tokens: tokens)
        #expect(with.ignoredThoughts(on: t.config) == ["a"])
        #expect(without.ignoredThoughts(on: t.config).isEmpty)
        let a = try with.evaluate(with.resolve(encode: encode), on: t)
        let b = try without.evaluate(without.resolve(encode: encode), on: t)
        #expect(a.values == b.values)
    }
}
