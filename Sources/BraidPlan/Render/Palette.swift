/// Colours for segments, shared by the SVG, PNG and DOT renderings so a segment looks the same everywhere.
public struct RGB: Equatable, Sendable {
    /// Red, green, blue components.
    public var r: UInt8, g: UInt8, b: UInt8

    /// Creates a colour.
    public init(_ r: UInt8, _ g: UInt8, _ b: UInt8) {
        self.r = r
        self.g = g
        self.b = b
    }

    /// `#rrggbb`.
    public var hex: String {
        "#" + [r, g, b].map { value in
            let text = String(value, radix: 16)
            return text.count == 1 ? "0" + text : text
        }.joined()
    }

    /// The colour mixed toward white by `amount` (0 = unchanged, 1 = white).
    public func lighter(_ amount: Double) -> RGB {
        func mix(_ c: UInt8) -> UInt8 { UInt8(Double(c) + (255 - Double(c)) * amount) }
        return RGB(mix(r), mix(g), mix(b))
    }
}

/// Assigns colours: the root prompt slate, the root thread's summaries amber and spliced text brown, everything
/// else (branches, children, nested summaries) cycling through hues in write order.
public enum Palette {
    static let prompt = RGB(0x4b, 0x5d, 0x73)
    static let summary = RGB(0xd9, 0x8c, 0x1f)
    static let spliced = RGB(0xb5, 0x6a, 0x2d)
    static let cycle: [RGB] = [
        RGB(0x2f, 0x7e, 0xd8), RGB(0x2e, 0xa0, 0x5a), RGB(0xc2, 0x3b, 0x5a), RGB(0x8a, 0x4f, 0xd0),
        RGB(0x1f, 0xa3, 0xa8), RGB(0xd0, 0x5c, 0x2b), RGB(0x6b, 0x8e, 0x23), RGB(0xb0, 0x3c, 0xb0),
    ]

    /// A colour for every segment of `plan`.
    public static func colors(for plan: Plan) -> [SegmentName: RGB] {
        var result: [SegmentName: RGB] = [:]
        var next = 0
        for segment in plan.segments {
            switch segment.kind {
            case .prompt where segment.thread == plan.threads.first?.id:
                result[segment.id] = prompt
            case .summary where segment.thread == plan.threads.first?.id:
                result[segment.id] = summary
            case .spliced where segment.thread == plan.threads.first?.id:
                result[segment.id] = spliced
            default:
                result[segment.id] = cycle[next % cycle.count]
                next += 1
            }
        }
        return result
    }
}
