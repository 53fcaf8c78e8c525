import BraidRandom
import Testing
@testable import BraidGraph

/// The `{name}` template syntax.
@Suite struct TemplateTests {
    @Test func variablesAndLiteralBraces() {
        let t = TemplateSyntax.parse("<think{i}> \\boxed{} \\d{3} {{i} {9}")
        #expect(t.variables == ["i"])
        #expect(t.render(["i": "2"]) == "<think2> \\boxed{} \\d{3} {i} {9}")
    }

    @Test func optionalVariableRendersSuffixOnlyWhenNonEmpty() {
        let t = TemplateSyntax.parse("[{ops?, }'{op}']")
        #expect(t.render(["ops": "", "op": "a"]) == "['a']")
        #expect(t.render(["ops": "'x'", "op": "a"]) == "['x', 'a']")
    }

    @Test func dottedNamesAreVariables() {
        #expect(TemplateSyntax.parse("{think.text}").variables == ["think.text"])
        #expect(TemplateSyntax.parse("{think.}").variables.isEmpty)
    }

    @Test(arguments: ["", "{", "}", "{{", "{{{", "{a", "a}", "{a}{b}", "{{a}}", "x{y?}z", "{ a }", "{a?b{c}", "{1a}", "{_}"])
    func writeThenParseIsIdentity(_ source: String) {
        let t = TemplateSyntax.parse(source)
        #expect(TemplateSyntax.parse(TemplateSyntax.write(t)) == t)
    }

    @Test func writeThenParseIsIdentityOnRandomText() {
        var rng = SplitMix64(seed: 7)
        let alphabet = Array("{}?ai.1_ \\,x")
        for _ in 0..<2000 {
            let length = Int(rng.next() % 12)
            let source = String((0..<length).map { _ in alphabet[Int(rng.next() % UInt64(alphabet.count))] })
            let t = TemplateSyntax.parse(source)
            #expect(TemplateSyntax.parse(TemplateSyntax.write(t)) == t, "\(source)")
        }
    }

    @Test func patternsKnowTheirCaptureNames() {
        let p = Pattern("<Start Sub Search (?<index>\\d+)> #(?<node>(?<parent>[\\d,]+),\\d+) (?:x)(?=y)(?<!z)\\(?<no>")
        #expect(p.captureNames == ["index", "node", "parent"])
    }
}
