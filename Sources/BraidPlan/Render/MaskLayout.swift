/// Geometry shared by the SVG and PNG mask pictures: where the grid, axes and legend go.
struct MaskLayout {
    /// Side of one token cell in pixels.
    let cell: Int
    /// Left edge of the grid.
    let gridX: Int
    /// Top edge of the grid.
    let gridY: Int
    /// Grid side in pixels.
    let gridSize: Int
    /// Top edge of the legend.
    let legendY: Int
    /// Height of one legend line.
    let legendLine: Int
    /// Picture width.
    let width: Int
    /// Picture height.
    let height: Int
    /// Every `tick`-th token gets its position printed on the axes.
    let tick: Int

    /// Lays out a picture for `tokens` tokens, `segments` legend lines, with labels `labelWidth` px wide.
    init(tokens: Int, segments: Int, labelWidth: Int, charWidth: Int) {
        cell = max(3, min(18, 720 / max(1, tokens)))
        gridSize = cell * tokens
        gridX = labelWidth + 4 * charWidth + 16
        gridY = 40 + 4 * charWidth + 14
        legendLine = 18
        legendY = gridY + gridSize + 24
        let legendWidth = 12 + 70 * charWidth
        width = max(gridX + gridSize + 20, legendWidth + 20)
        height = legendY + segments * legendLine + 16
        // Print positions only where they don't collide: at least ~2 characters of room per label.
        let needed = 2 * charWidth + 2
        let side = cell
        tick = side >= needed ? 1 : [2, 5, 10, 20, 50, 100, 200, 500, 1000].first { $0 * side >= needed } ?? 1000
    }

    /// Left edge of token `index`'s column (or top edge of its row, offset by `gridY`).
    func offset(_ index: Int) -> Int { index * cell }
}

/// Runs of equal cells in one mask row, for compact drawing: `(start, end, keySegmentIndex)`; `-1` = not attended.
func maskRuns(_ expansion: MaskExpansion, row: Int, segmentIndexOfToken: [Int]) -> [(start: Int, end: Int, segment: Int)] {
    var runs: [(start: Int, end: Int, segment: Int)] = []
    let n = expansion.count
    var column = 0
    while column < n {
        let value = expansion.attends(row, column) ? segmentIndexOfToken[column] : -1
        var end = column + 1
        while end < n, (expansion.attends(row, end) ? segmentIndexOfToken[end] : -1) == value { end += 1 }
        runs.append((column, end, value))
        column = end
    }
    return runs
}
