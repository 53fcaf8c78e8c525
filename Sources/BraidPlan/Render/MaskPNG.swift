/// A PNG picture of a mask expansion, drawn pixel by pixel with the same layout and colours as the SVG.
public enum MaskPNG {
    /// Renders the picture as PNG file bytes.
    public static func render(_ expansion: MaskExpansion) -> [UInt8] {
        let colors = Palette.colors(for: expansion.plan)
        let names = expansion.ranges.map(\.segment)
        var segmentOfToken = [Int](repeating: 0, count: expansion.count)
        for (i, entry) in expansion.ranges.enumerated() {
            for token in entry.range { segmentOfToken[token] = i }
        }
        let charWidth = BitmapFont.width + 1
        let layout = MaskLayout(tokens: expansion.count, segments: names.count,
                                labelWidth: (names.map(\.count).max() ?? 6) * charWidth, charWidth: charWidth)
        var canvas = Canvas(width: layout.width, height: layout.height)
        let gx = layout.gridX, gy = layout.gridY, cell = layout.cell
        canvas.text("\(expansion.plan.graph): attention mask, \(expansion.count) tokens", x: 12, y: 10, color: RGB(0, 0, 0))
        canvas.text("rows = queries, columns = keys", x: 12, y: 24, color: RGB(0x55, 0x55, 0x55))
        canvas.fill(x: gx, y: gy, width: layout.gridSize, height: layout.gridSize, color: RGB(0xf3, 0xf3, 0xf3))
        for row in 0..<expansion.count {
            for run in maskRuns(expansion, row: row, segmentIndexOfToken: segmentOfToken) where run.segment >= 0 {
                canvas.fill(x: gx + run.start * cell, y: gy + row * cell, width: (run.end - run.start) * cell, height: cell,
                            color: colors[names[run.segment]] ?? RGB(0x88, 0x88, 0x88))
            }
        }
        for (i, entry) in expansion.ranges.enumerated() where !entry.range.isEmpty {
            let color = colors[entry.segment] ?? RGB(0x88, 0x88, 0x88)
            let a = entry.range.lowerBound * cell, length = entry.range.count * cell
            if i > 0 {
                canvas.fill(x: gx + a, y: gy, width: 1, height: layout.gridSize, color: RGB(255, 255, 255))
                canvas.fill(x: gx, y: gy + a, width: layout.gridSize, height: 1, color: RGB(255, 255, 255))
            }
            canvas.fill(x: gx + a, y: gy - 8, width: length, height: 6, color: color)
            canvas.fill(x: gx - 8, y: gy + a, width: 6, height: length, color: color)
            let label = entry.segment
            canvas.text(label, x: gx - 4 * charWidth - 14 - label.count * charWidth, y: gy + a + max(0, min(length, 14) - 10), color: color)
        }
        for token in expansion.tokens where token.index % layout.tick == 0 {
            let center = token.index * cell + cell / 2
            let label = String(token.position)
            canvas.text(label, x: gx - 12 - label.count * charWidth, y: gy + center - 3, color: RGB(0x33, 0x33, 0x33))
            canvas.verticalText(label, x: gx + center - 3, bottom: gy - 12, color: RGB(0x33, 0x33, 0x33))
        }
        for (i, entry) in expansion.ranges.enumerated() {
            let y = layout.legendY + i * layout.legendLine
            canvas.fill(x: 12, y: y, width: 12, height: 12, color: colors[entry.segment] ?? RGB(0x88, 0x88, 0x88))
            canvas.text(MaskSVG.legendText(entry.segment, entry.range, expansion), x: 30, y: y + 3, color: RGB(0, 0, 0))
        }
        return PNGEncoder.encode(width: canvas.width, height: canvas.height, rgb: canvas.pixels) ?? []
    }
}

/// An RGB pixel buffer with rectangle and bitmap-text drawing, clipped to its bounds.
struct Canvas {
    let width: Int
    let height: Int
    var pixels: [UInt8]

    init(width: Int, height: Int) {
        self.width = width
        self.height = height
        pixels = [UInt8](repeating: 255, count: width * height * 3)
    }

    mutating func set(_ x: Int, _ y: Int, _ color: RGB) {
        guard x >= 0, y >= 0, x < width, y < height else { return }
        let i = (y * width + x) * 3
        pixels[i] = color.r
        pixels[i + 1] = color.g
        pixels[i + 2] = color.b
    }

    mutating func fill(x: Int, y: Int, width w: Int, height h: Int, color: RGB) {
        let x0 = max(0, x), y0 = max(0, y), x1 = min(width, x + w), y1 = min(height, y + h)
        guard x0 < x1, y0 < y1 else { return }
        for row in y0..<y1 {
            for column in x0..<x1 { set(column, row, color) }
        }
    }

    /// Draws `text` left to right with its top-left corner at (x, y).
    mutating func text(_ text: String, x: Int, y: Int, color: RGB) {
        var cursor = x
        for character in text {
            let rows = BitmapFont.glyph(character)
            for (r, bits) in rows.enumerated() {
                for c in 0..<BitmapFont.width where bits & (1 << (BitmapFont.width - 1 - c)) != 0 {
                    set(cursor + c, y + r, color)
                }
            }
            cursor += BitmapFont.width + 1
        }
    }

    /// Draws `text` rotated a quarter turn counter-clockwise, read bottom to top, ending above `bottom`.
    mutating func verticalText(_ text: String, x: Int, bottom: Int, color: RGB) {
        var cursor = bottom
        for character in text {
            let rows = BitmapFont.glyph(character)
            for (r, bits) in rows.enumerated() {
                for c in 0..<BitmapFont.width where bits & (1 << (BitmapFont.width - 1 - c)) != 0 {
                    set(x + r, cursor - c, color)
                }
            }
            cursor -= BitmapFont.width + 1
        }
    }
}
