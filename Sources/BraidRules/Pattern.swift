/// A regular expression (ICU / NSRegularExpression syntax) whose text may hold `{name}` variables,
/// each replaced at run time by its value, escaped so that it matches literally.
public struct Pattern: Sendable, Hashable, CustomStringConvertible {
    /// The regex source as a template.
    public var template: Template
    /// The names of the regex's named capture groups (`(?<name>...)`), in order of appearance.
    public var captureNames: [String]

    /// Creates a pattern; capture names are read from the source.
    public init(template: Template) {
        self.template = template
        self.captureNames = Pattern.captureNames(in: template)
    }

    /// Creates a pattern without variables.
    public init(_ regex: String) {
        self.init(template: TemplateSyntax.parse(regex))
    }

    /// The regex written back in the language's syntax.
    public var description: String { template.description }

    /// Named capture groups in the template's literal text.
    static func captureNames(in template: Template) -> [String] {
        var names: [String] = []
        for piece in template.pieces {
            guard case .text(let s) = piece else { continue }
            let chars = Array(s.unicodeScalars)
            var index = 0
            while index + 3 < chars.count {
                let escaped = index > 0 && chars[index - 1] == "\\"
                if !escaped, chars[index] == "(", chars[index + 1] == "?", chars[index + 2] == "<",
                   chars[index + 3] != "=", chars[index + 3] != "!" {
                    var end = index + 3
                    var name = String.UnicodeScalarView()
                    while end < chars.count, chars[end] != ">" {
                        name.append(chars[end])
                        end += 1
                    }
                    if end < chars.count, !name.isEmpty, !names.contains(String(name)) { names.append(String(name)) }
                    index = end
                }
                index += 1
            }
        }
        return names
    }
}

/// Which match of a pattern counts when a text has several.
public enum Occurrence: String, Codable, Sendable, Hashable, CaseIterable {
    /// The first match.
    case first
    /// The last match (the default: final answers come last).
    case last
}
