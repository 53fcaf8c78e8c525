import Foundation
import Testing
@testable import BraidGraph

/// One malformed graph and the first diagnostic it must produce.
struct Malformed: CustomTestStringConvertible, Sendable {
    let label: String
    let yaml: String
    let message: String
    let line: Int
    let column: Int
    var overrides: [String: String] = [:]

    var testDescription: String { label }
}

/// The canonical valid document most cases break in one place.
let validBase = """
name: t
inputs: {question: "Q?"}
params: {paths: 4, tokens: 8}
prompt:
  - user: "{question}"
steps:
  - id: think
    fork:
      branches: "{paths}"
      prefix: "<think{i}>"
      generate: {max_tokens: "{tokens}", stop: ["</think{i}>"]}
  - id: summary
    merge: {from: think, generate: {max_tokens: 8}}
answer: {from: summary}
"""

/// Malformed graphs, each asserting its message, line and column.
let malformedCases: [Malformed] = [
    Malformed(label: "unclosed quote", yaml: "name: t\nprompt: \"Q\nsteps: []\n",
              message: "YAML syntax error: found unexpected end of stream", line: 4, column: 1),
    Malformed(label: "tab indentation", yaml: "name: t\nsteps:\n\t- generate: {}\n",
              message: "YAML syntax error: found character that cannot start any token", line: 3, column: 1),
    Malformed(label: "duplicate key", yaml: "name: t\nname: u\nsteps:\n  - generate: {}\n",
              message: "duplicate key 'name' in mapping", line: 1, column: 1),
    Malformed(label: "empty file", yaml: "", message: "the graph file is empty", line: 1, column: 1),
    Malformed(label: "graph is a list", yaml: "- a\n- b\n", message: "the graph must be a mapping, got a list", line: 1, column: 1),
    Malformed(label: "unknown top-level key", yaml: "name: t\nstepz:\n  - generate: {}\nsteps:\n  - generate: {}\n",
              message: "unknown key 'stepz' in the graph; did you mean 'steps'?", line: 2, column: 1),
    Malformed(label: "missing steps", yaml: "name: t\nprompt: hi\n",
              message: "the graph is missing required key 'steps'", line: 1, column: 1),
    Malformed(label: "steps not a list", yaml: "name: t\nsteps: 5\n",
              message: "steps must be a list, got the integer 5", line: 2, column: 8),
    Malformed(label: "empty steps", yaml: "name: t\nsteps: []\n",
              message: "steps must hold at least one step", line: 2, column: 8),
    Malformed(label: "step without kind", yaml: "name: t\nsteps:\n  - id: a\n",
              message: "a step needs one of generate, text, fork, merge, spawn, vote or use", line: 3, column: 5),
    Malformed(label: "step with two kinds", yaml: "name: t\nsteps:\n  - generate: {}\n    text: hi\n",
              message: "a step has one kind, but this one has both 'generate' and 'text'", line: 4, column: 5),
    Malformed(label: "unknown generate key", yaml: "name: t\nsteps:\n  - generate: {max_token: 5}\n",
              message: "unknown key 'max_token' in generate; did you mean 'max_tokens'?", line: 3, column: 16),
    Malformed(label: "zero budget", yaml: "name: t\nsteps:\n  - generate: {max_tokens: 0}\n",
              message: "max_tokens must be positive, got 0", line: 3, column: 28),
    Malformed(label: "negative budget", yaml: "name: t\nsteps:\n  - generate:\n      max_tokens: -3\n",
              message: "max_tokens must be positive, got -3", line: 4, column: 19),
    Malformed(label: "budget not a number", yaml: "name: t\nsteps:\n  - generate: {max_tokens: lots}\n",
              message: "max_tokens must be an integer, got 'lots'", line: 3, column: 28),
    Malformed(label: "temperature not a number", yaml: "name: t\nsteps:\n  - generate: {temperature: hot}\n",
              message: "temperature must be a number, got 'hot'", line: 3, column: 29),
    Malformed(label: "negative temperature", yaml: "name: t\nsteps:\n  - generate: {temperature: -1}\n",
              message: "temperature must be between 0.0 and 100.0, got -1.0", line: 3, column: 29),
    Malformed(label: "top_p above 1", yaml: "name: t\nsteps:\n  - generate: {top_p: 1.5}\n",
              message: "top_p must be between 0.0 and 1.0, got 1.5", line: 3, column: 23),
    Malformed(label: "top_p zero", yaml: "name: t\nsteps:\n  - generate: {top_p: 0}\n",
              message: "top_p must be greater than 0", line: 3, column: 23),
    Malformed(label: "negative top_k", yaml: "name: t\nsteps:\n  - generate: {top_k: -1}\n",
              message: "top_k must be at least 0, got -1", line: 3, column: 23),
    Malformed(label: "empty stop string", yaml: "name: t\nsteps:\n  - generate: {stop: [\"\"]}\n",
              message: "stop strings must not be empty", line: 3, column: 23),
    Malformed(label: "stop is a mapping", yaml: "name: t\nsteps:\n  - generate: {stop: {a: 1}}\n",
              message: "stop must be a string, got a mapping", line: 3, column: 22),
    Malformed(label: "misspelled input in prompt", yaml: "name: t\ninputs: {question: Q}\nprompt: \"Solve {questoin} now\"\nsteps:\n  - generate: {}\n",
              message: "undefined variable '{questoin}' in prompt; did you mean 'question'?", line: 3, column: 16),
    Malformed(label: "branch index outside a fork", yaml: "name: t\nprompt: \"path {i}\"\nsteps:\n  - generate: {}\n",
              message: "undefined variable '{i}' in prompt", line: 2, column: 15),
    Malformed(label: "misspelled param", yaml: validBase.replacingOccurrences(of: "\"{paths}\"", with: "\"{pahts}\""),
              message: "undefined param 'pahts' in branches; did you mean 'paths'?", line: 9, column: 18),
    Malformed(label: "unquoted template", yaml: validBase.replacingOccurrences(of: "\"{paths}\"", with: "{paths}"),
              message: "branches must be an integer, got a mapping; to use the variable, quote it: \"{paths}\"", line: 9, column: 17),
    Malformed(label: "zero branches", yaml: validBase.replacingOccurrences(of: "\"{paths}\"", with: "0"),
              message: "branches must be positive, got 0", line: 9, column: 17),
    Malformed(label: "zero branches from --set", yaml: validBase,
              message: "branches must be positive, got 0 (from param 'paths')", line: 9, column: 17, overrides: ["paths": "0"]),
    Malformed(label: "unknown fork key", yaml: validBase.replacingOccurrences(of: "      prefix:", with: "      prefx:"),
              message: "unknown key 'prefx' in fork; did you mean 'prefix'?", line: 10, column: 7),
    Malformed(label: "generation key outside generate", yaml: "name: t\nsteps:\n  - fork: {branches: 2, max_tokens: 5}\n",
              message: "unknown key 'max_tokens' in fork; it belongs under 'generate'", line: 3, column: 25),
    Malformed(label: "fork without branches", yaml: "name: t\nsteps:\n  - fork: {prefix: a}\n",
              message: "fork is missing required key 'branches'", line: 3, column: 11),
    Malformed(label: "unknown positions", yaml: validBase.replacingOccurrences(of: "      prefix:", with: "      positions: sharde\n      prefix:"),
              message: "unknown fork positions 'sharde'; expected shared or flat; did you mean 'shared'?", line: 10, column: 18),
    Malformed(label: "unknown sees", yaml: validBase.replacingOccurrences(of: "      prefix:", with: "      sees: everyone\n      prefix:"),
              message: "unknown fork sees 'everyone'; expected parent or isolated", line: 10, column: 13),
    Malformed(label: "unknown finish", yaml: validBase.replacingOccurrences(of: "      prefix:", with: "      finish: fist\n      prefix:"),
              message: "unknown finish policy 'fist'; expected first, half, all (or last), {count: k} or {agree: k, extract: regex}; did you mean 'first'?",
              line: 10, column: 15),
    Malformed(label: "finish from a bad --set", yaml: "name: t\nparams: {f: first}\nsteps:\n  - fork: {branches: 2, finish: \"{f}\"}\n",
              message: "unknown finish policy 'sometimes' (from param 'f')", line: 4, column: 33, overrides: ["f": "sometimes"]),
    Malformed(label: "finish count above branches", yaml: "name: t\nsteps:\n  - fork: {branches: 4, finish: {count: 5}}\n",
              message: "finish count 5 exceeds the fork's 4 branches", line: 3, column: 41),
    Malformed(label: "agree without extract", yaml: "name: t\nsteps:\n  - fork: {branches: 4, finish: {agree: 2}}\n",
              message: "finish 'agree' needs 'extract', a regex that reads each branch's answer", line: 3, column: 33),
    Malformed(label: "unknown thought", yaml: "name: t\nsteps:\n  - fork: {branches: 2, thought: maybe}\n",
              message: "unknown thought 'maybe'; expected 'branch', 'none' or an embedding index", line: 3, column: 34),
    Malformed(label: "prefix and prefix list", yaml: "name: t\nsteps:\n  - fork: {branches: [a, b], prefix: c}\n",
              message: "give either 'prefix' or a list of branch prefixes in 'branches', not both", line: 3, column: 30),
    Malformed(label: "merge of undefined fork", yaml: validBase.replacingOccurrences(of: "from: think", with: "from: thnik"),
              message: "merge reads undefined fork 'thnik'; did you mean 'think'?", line: 13, column: 19),
    Malformed(label: "merge before its fork", yaml: "name: t\nsteps:\n  - merge: {from: f}\n  - id: f\n    fork: {branches: 2}\n",
              message: "merge reads fork 'f', which comes after it; a step can only read earlier steps", line: 3, column: 19),
    Malformed(label: "merge of a generate step", yaml: "name: t\nsteps:\n  - id: g\n    generate: {}\n  - merge: {from: g}\n",
              message: "merge reads 'g', which is a generate step, not a fork", line: 5, column: 19),
    Malformed(label: "merge reads itself", yaml: "name: t\nsteps:\n  - id: m\n    merge: {from: m}\n",
              message: "merge 'm' reads itself; it must read an earlier fork", line: 4, column: 19),
    Malformed(label: "unknown merge mode", yaml: validBase.replacingOccurrences(of: "from: think,", with: "from: think, mode: concat,"),
              message: "unknown merge mode 'concat'; expected attend, reprefill or text", line: 13, column: 32),
    Malformed(label: "each on an attend merge", yaml: validBase.replacingOccurrences(of: "from: think,", with: "from: think, each: \"{text}\","),
              message: "'each' lays out branch text; it has no effect on an attend merge", line: 13, column: 26),
    Malformed(label: "vote without extract", yaml: "name: t\nsteps:\n  - id: f\n    fork: {branches: 3}\n  - vote: {from: f}\n",
              message: "vote is missing required key 'extract'", line: 5, column: 11),
    Malformed(label: "vote regex unclosed group", yaml: "name: t\nsteps:\n  - id: f\n    fork: {branches: 3}\n  - vote: {from: f, extract: '(\\d+'}\n",
              message: "vote extract is not a valid regular expression (unclosed '('): (\\d+", line: 5, column: 30),
    Malformed(label: "unknown tie rule", yaml: "name: t\nsteps:\n  - id: f\n    fork: {branches: 3}\n  - vote: {from: f, extract: 'x', tie: random}\n",
              message: "unknown tie rule 'random'; expected first-branch or smallest", line: 5, column: 40),
    Malformed(label: "duplicate step id", yaml: "name: t\nsteps:\n  - id: a\n    generate: {}\n  - id: a\n    text: hi\n",
              message: "duplicate step id 'a' (first defined at line 3)", line: 5, column: 9),
    Malformed(label: "bad step id", yaml: "name: t\nsteps:\n  - id: 1abc\n    generate: {}\n",
              message: "step id '1abc' must start with a letter and hold only letters, digits, '_' and '-'", line: 3, column: 9),
    Malformed(label: "answer from undefined step", yaml: validBase.replacingOccurrences(of: "answer: {from: summary}", with: "answer: {from: sumary}"),
              message: "answer reads undefined step 'sumary'; did you mean 'summary'?", line: 14, column: 16),
    Malformed(label: "answer from a fork", yaml: validBase.replacingOccurrences(of: "answer: {from: summary}", with: "answer: {from: think}"),
              message: "answer reads fork 'think', which has many texts; read a vote or a merge of it instead", line: 14, column: 16),
    Malformed(label: "answer regex unclosed class", yaml: "name: t\nsteps:\n  - generate: {}\nanswer: {regex: '[a-'}\n",
              message: "answer regex is not a valid regular expression (unclosed '['): [a-", line: 4, column: 17),
    Malformed(label: "param is a list", yaml: "name: t\nparams: {paths: [1, 2]}\nsteps:\n  - generate: {}\n",
              message: "param 'paths' must be a number, boolean or string, got a list", line: 2, column: 17),
    Malformed(label: "inputs is a list", yaml: "name: t\ninputs: [question]\nsteps:\n  - generate: {}\n",
              message: "inputs must be a mapping from input names to defaults, got a list", line: 2, column: 9),
    Malformed(label: "with on a non-use step", yaml: "name: t\nsteps:\n  - generate: {}\n    with: {a: 1}\n",
              message: "'with' gives params to a 'use' step; this step is 'generate'", line: 4, column: 5),
    Malformed(label: "prompt message with two roles", yaml: "name: t\nprompt:\n  - {user: a, system: b}\nsteps:\n  - generate: {}\n",
              message: "a prompt message has one role (system, user or assistant), got also 'system'", line: 3, column: 15),
    Malformed(label: "unknown prompt role", yaml: "name: t\nprompt:\n  - usr: hi\nsteps:\n  - generate: {}\n",
              message: "unknown key 'usr' in a prompt message; did you mean 'user'?", line: 3, column: 5),
    Malformed(label: "text without content", yaml: "name: t\nsteps:\n  - text: {max_tokens: 4}\n",
              message: "text is missing required key 'content'", line: 3, column: 11),
    Malformed(label: "spawn without child and join", yaml: "name: t\nsteps:\n  - spawn: {trigger: END, message: 'go (?<n>\\d)'}\n",
              message: "spawn is missing required key 'child'", line: 3, column: 12),
    Malformed(label: "undefined capture in child prompt", yaml: """
        name: t
        steps:
          - spawn:
              trigger: END
              message: 'go (?<node>\\d+)'
              child: {prompt: "at {nod}"}
              join: {found: "{result}"}
        """, message: "undefined variable '{nod}' in child prompt; did you mean 'node'?", line: 6, column: 27),
    Malformed(label: "capture name with underscore", yaml: """
        name: t
        steps:
          - spawn:
              trigger: END
              message: 'go (?<node_id>\\d+)'
              child: {prompt: "x"}
              join: {found: "{result}"}
        """, message: "capture group name 'node_id' in spawn message must be ASCII letters and digits, starting with a letter",
              line: 5, column: 20),
    Malformed(label: "result used in join header", yaml: """
        name: t
        steps:
          - spawn:
              trigger: END
              message: 'go (?<node>\\d+)'
              child: {prompt: "x"}
              join: {header: "{result}", found: "{result}"}
        """, message: "undefined variable '{result}' in join header", line: 7, column: 23),
    Malformed(label: "zero max_depth", yaml: """
        name: t
        steps:
          - spawn:
              trigger: END
              message: 'go'
              child: {prompt: "x"}
              join: {found: "{result}"}
              max_depth: 0
        """, message: "max_depth must be positive, got 0", line: 8, column: 18),
    Malformed(label: "param named like a run-time variable", yaml: "name: t\nparams: {i: 2}\nsteps:\n  - text: \"{i}\"\n",
              message: "'i' is a run-time variable name and cannot name an input or a param", line: 2, column: 10),
    Malformed(label: "input and param with one name", yaml: "name: t\ninputs: {x: a}\nparams: {x: 1}\nsteps:\n  - text: \"{x}\"\n",
              message: "'x' is both an input and a param; give them different names", line: 3, column: 10),
    Malformed(label: "capture named like a param", yaml: """
        name: t
        params: {node: 3}
        steps:
          - spawn:
              trigger: END
              message: 'go (?<node>\\d+)'
              child: {prompt: "x"}
              join: {found: "{result}"}
        """, message: "capture group 'node' has the name of a param or variable that is already in use; rename the group",
              line: 6, column: 20),
    Malformed(label: "use of a missing file", yaml: "name: t\nsteps:\n  - use: nowhere.yaml\n",
              message: "cannot read graph file", line: 3, column: 10),
    Malformed(label: "unknown --set", yaml: validBase, message: "no param or input named 'pahts' to set; did you mean 'paths'?",
              line: 0, column: 0, overrides: ["pahts": "3"]),
    Malformed(label: "--set of the wrong type", yaml: validBase, message: "param 'paths' is an integer; cannot set it to 'many'",
              line: 0, column: 0, overrides: ["paths": "many"]),
]

@Suite struct MalformedGraphTests {
    @Test(arguments: malformedCases)
    func reportsMessageLineAndColumn(_ c: Malformed) {
        let found = diagnostics(c.yaml, overrides: c.overrides)
        guard let first = found.first(where: { $0.severity == .error }) else {
            Issue.record("\(c.label): the graph loaded without a diagnostic")
            return
        }
        #expect(first.message.hasPrefix(c.message), "\(c.label): got \(first.message)")
        if c.line == 0 {
            #expect(first.location == nil, "\(c.label): command-line problems have no file position")
        } else {
            #expect(first.location?.file == "t.yaml")
            #expect(first.location?.line == c.line, "\(c.label): got line \(first.location?.line ?? -1) for \(first.message)")
            #expect(first.location?.column == c.column, "\(c.label): got column \(first.location?.column ?? -1) for \(first.message)")
            #expect(first.sourceLine != nil || c.yaml.isEmpty)
        }
    }

    @Test func thereAreAtLeastFortyCases() {
        #expect(malformedCases.count >= 40)
    }

    @Test func everyProblemIsReportedAtOnce() {
        let yaml = """
        name: t
        stepz: 1
        steps:
          - generate: {max_tokens: 0, temperature: hot}
          - id: m
            merge: {from: nothing}
          - fork: {branches: 2, positions: sideways}
        """
        let found = diagnostics(yaml)
        let lines = found.compactMap { $0.location?.line }
        #expect(found.count == 5, "\(found.map(\.message))")
        #expect(lines == [2, 4, 4, 6, 7])
    }

    @Test func aBrokenStepIsReportedOnceNotAgainByItsReaders() {
        let found = diagnostics("name: t\nsteps:\n  - id: f\n    fork: {branches: 0}\n  - merge: {from: f}\n")
        #expect(found.map(\.message) == ["branches must be positive, got 0"])
    }

    @Test func rendersFileLineColumnSourceAndCaret() {
        let found = diagnostics("name: t\nsteps:\n  - generate: {max_tokens: 0}\n")
        #expect(found.first?.description == """
        t.yaml:3:28: error: max_tokens must be positive, got 0
          - generate: {max_tokens: 0}
                                   ^
        """)
    }

    @Test func longLinesAreCutAroundTheCaret() {
        let long = String(repeating: "x", count: 300)
        let found = diagnostics("name: t\nsteps:\n  - text: \"\(long){nope}\"\n")
        guard let first = found.first, let column = first.location?.column else {
            Issue.record("no diagnostic")
            return
        }
        #expect(column == 312)
        let lines = first.description.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count == 3)
        #expect(lines[1].count <= Diagnostic.excerptWidth + 2)
        // The caret still points at the variable in the shown excerpt.
        let caret = lines[2].count - 1
        let shown = Array(lines[1])
        #expect(caret < shown.count && shown[caret] == "{")
    }

    @Test func useCycleIsReportedAtTheUseStep() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try "name: a\nsteps:\n  - id: b\n    use: b.yaml\n".write(to: dir.appendingPathComponent("a.yaml"), atomically: true, encoding: .utf8)
        try "name: b\nsteps:\n  - id: a\n    use: a.yaml\n".write(to: dir.appendingPathComponent("b.yaml"), atomically: true, encoding: .utf8)
        let found = GraphLoader.check(path: dir.appendingPathComponent("a.yaml").path)
        let cycle = found.first { $0.message.hasPrefix("use cycle") }
        #expect(cycle?.message == "use cycle: a.yaml -> b.yaml -> a.yaml")
        #expect(cycle?.location?.line == 4)
        #expect(cycle?.location?.column == 10)
    }

    @Test func usedGraphErrorsPointIntoTheUsedFile() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try "name: part\nparams: {n: 2}\nsteps:\n  - fork: {branches: \"{n}\"}\n".write(to: dir.appendingPathComponent("part.yaml"),
                                                                                   atomically: true, encoding: .utf8)
        let found = diagnostics("name: t\nsteps:\n  - use: part.yaml\n    with: {n: 0}\n", base: dir.path)
        #expect(found.first?.message == "branches must be positive, got 0 (from param 'n')")
        #expect(found.first?.location?.file.hasSuffix("part.yaml") == true)
        #expect(found.first?.location?.line == 4)
        let unknown = diagnostics("name: t\nsteps:\n  - use: part.yaml\n    with: {m: 3}\n", base: dir.path)
        #expect(unknown.first?.message == "no param or input named 'm' to set; did you mean 'n'?")
        #expect(unknown.first?.location?.line == 4)
        #expect(unknown.first?.location?.column == 15)
    }
}
