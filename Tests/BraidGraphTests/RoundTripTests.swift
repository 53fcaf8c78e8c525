import Foundation
import Testing
@testable import BraidGraph

/// `graph show` output (YAML or JSON) loads back to an equal graph.
@Suite struct RoundTripTests {
    func load(_ name: String, overrides: [String: String] = [:]) throws -> Graph {
        try GraphLoader.load(path: graphsDirectory.appendingPathComponent(name).path, overrides: overrides)
    }

    func reload(_ text: String, like name: String) throws -> Graph {
        let base = graphsDirectory.appendingPathComponent(name).deletingLastPathComponent().path
        return try GraphLoader.load(text: text, file: "shown.yaml", baseDirectory: base)
    }

    @Test(arguments: libraryFiles)
    func yamlRoundTrips(_ name: String) throws {
        let graph = try load(name)
        let shown = GraphPrinter.yaml(graph)
        let again = try reload(shown, like: name)
        #expect(again == graph, "\(name):\n\(shown)")
        #expect(GraphPrinter.yaml(again) == shown, "printing is stable")
    }

    @Test(arguments: libraryFiles)
    func jsonRoundTrips(_ name: String) throws {
        let graph = try load(name)
        let shown = GraphPrinter.json(graph)
        let data = Data(shown.utf8)
        #expect((try? JSONSerialization.jsonObject(with: data)) != nil, "output is valid JSON")
        let again = try reload(shown, like: name)
        #expect(again == graph)
    }

    @Test func overriddenGraphRoundTripsWithItsOverrides() throws {
        let graph = try load("parathinker.yaml", overrides: ["paths": "16", "finish": "half", "question": "2+2?"])
        let again = try reload(GraphPrinter.yaml(graph), like: "parathinker.yaml")
        #expect(again == graph)
        #expect(again.param(named: "paths")?.value == .int(16))
        #expect(again.input(named: "question")?.defaultValue == "2+2?")
    }

    @Test func changedGraphsAreNotEqual() throws {
        let a = try load("parathinker.yaml")
        let b = try load("parathinker.yaml", overrides: ["paths": "5"])
        #expect(a != b)
    }

    @Test func hostileStringsSurviveTheRoundTrip() throws {
        let strings = ["{{paths}", "a{b", "tab\there", "line\nbreak", "quote ' and \" both", "yes", "null", "12", "",
                       "trailing space ", " leading", "#hash", "- dash", "emoji 🧵", "\u{1}control", "{x?, }literal"]
        for s in strings {
            let template = Template(literal: s)
            let graph = Graph(name: "g", inputs: [Input(name: "q", defaultValue: s, description: s)],
                              params: [Param(name: "p", value: .string(s))],
                              prompt: .chat([ChatMessage(role: .user, content: template)]),
                              steps: [Step(id: "a", kind: .text(TextStep(text: Template(literal: s + "x"))))],
                              answer: Answer(regex: Pattern(template: Template(literal: "x"))))
            for text in [GraphPrinter.yaml(graph), GraphPrinter.json(graph)] {
                let again = try GraphLoader.load(text: text, file: "s.yaml")
                #expect(again == graph, "\(s.debugDescription):\n\(text)")
            }
        }
    }
}

/// `require: exact`: read, printed back, and anything but `exact` refused with its place.
@Suite struct RequireExactTests {
    static let graph = """
        name: exacting
        prompt: "Q"
        steps:
          - id: a
            generate: {max_tokens: 4}
        """

    @Test func requireExactIsReadAndRoundTrips() throws {
        let graph = try GraphLoader.load(text: Self.graph + "\nrequire: exact\n")
        #expect(graph.requiresExact)
        #expect(try GraphLoader.load(text: Self.graph).requiresExact == false)
        let again = try GraphLoader.load(text: GraphPrinter.yaml(graph))
        #expect(again == graph && again.requiresExact)
    }

    @Test func anotherRequirementIsAnErrorAtItsLine() throws {
        let diagnostics = GraphLoader.analyze(text: Self.graph + "\nrequire: fast\n").diagnostics
        let error = try #require(diagnostics.first { $0.message.contains("require must be 'exact'") })
        #expect(error.location?.line == 6)
    }
}
