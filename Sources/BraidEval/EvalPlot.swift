import BraidRuntime
import Foundation

/// The comparison plot (`braid eval --compare … --plot FILE`): accuracy against mean wall time (left) and
/// against mean sampled tokens (right), one point per configuration with its 95% Wilson interval as an error
/// bar; the points of one graph (its swept budgets) share a color and are joined in order of x.
public enum EvalPlot {
    /// Colors for graphs, in order of first appearance (readable on white, distinct in grayscale too).
    static let palette = ["#2563eb", "#dc2626", "#16a34a", "#9333ea", "#ea580c", "#0891b2", "#4b5563", "#ca8a04"]

    private static let panelWidth = 460.0
    private static let panelHeight = 300.0
    private static let marginLeft = 62.0
    private static let marginTop = 58.0

    /// A standalone SVG document for `summaries`; `title` heads it (task and problem count, say).
    public static func render(_ summaries: [EvalSummary], title: String) -> String {
        var graphs: [String] = []
        for s in summaries where !graphs.contains(s.graph) { graphs.append(s.graph) }
        let width = marginLeft + 2 * panelWidth + 70 + 180
        let height = marginTop + panelHeight + 60
        // The accuracy axis reaches past the highest interval, so near-zero results are not a flat smear.
        let highest = max(0.1, summaries.map(\.interval.upper).max() ?? 0)
        let yMax = min(1, SVGMarkup.coveringTicks(upTo: highest).last ?? 1)
        var s = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(SVGMarkup.num(width))\" height=\"\(SVGMarkup.num(height))\" viewBox=\"0 0 \(SVGMarkup.num(width)) \(SVGMarkup.num(height))\" font-family=\"ui-sans-serif, system-ui, sans-serif\" font-size=\"12\">\n"
        s += "<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n"
        s += "<text x=\"\(SVGMarkup.num(marginLeft))\" y=\"24\" font-size=\"15\" font-weight=\"600\">\(SVGMarkup.escape(title))</text>\n"
        s += "<text x=\"\(SVGMarkup.num(marginLeft))\" y=\"42\" fill=\"#6b7280\">accuracy with 95% Wilson interval; one point per graph and setting</text>\n"
        let panels: [(String, (EvalSummary) -> Double, (Double) -> String)] = [
            ("mean wall time per problem (s)", { $0.meanSeconds }, SVGMarkup.label),
            ("mean sampled tokens per problem", { $0.meanTokens }, SVGMarkup.label),
        ]
        for (p, panel) in panels.enumerated() {
            let x0 = marginLeft + Double(p) * (panelWidth + 70)
            s += self.panel(summaries, graphs: graphs, x0: x0, xTitle: panel.0, value: panel.1, format: panel.2, yMax: yMax)
        }
        // Legend: one entry per graph.
        let lx = marginLeft + 2 * panelWidth + 90
        for (i, graph) in graphs.enumerated() {
            let ly = marginTop + 10 + Double(i) * 20
            s += "<circle cx=\"\(SVGMarkup.num(lx))\" cy=\"\(SVGMarkup.num(ly))\" r=\"5\" fill=\"\(color(i))\"/>"
            s += "<text x=\"\(SVGMarkup.num(lx + 10))\" y=\"\(SVGMarkup.num(ly + 4))\">\(SVGMarkup.escape(graph))</text>\n"
        }
        return s + "</svg>\n"
    }

    static func color(_ index: Int) -> String { palette[index % palette.count] }

    private static func panel(_ summaries: [EvalSummary], graphs: [String], x0: Double, xTitle: String,
                              value: (EvalSummary) -> Double, format: (Double) -> String, yMax: Double) -> String {
        let y0 = marginTop
        let xTicks = SVGMarkup.coveringTicks(upTo: (summaries.map(value).max() ?? 0) * 1.08)
        let xMax = max(xTicks.last ?? 1, 1e-9)
        func px(_ v: Double) -> Double { x0 + v / xMax * panelWidth }
        func py(_ v: Double) -> Double { y0 + panelHeight - v / yMax * panelHeight }
        var s = "<g class=\"panel\">"
        s += "<rect x=\"\(SVGMarkup.num(x0))\" y=\"\(SVGMarkup.num(y0))\" width=\"\(SVGMarkup.num(panelWidth))\" height=\"\(SVGMarkup.num(panelHeight))\" fill=\"none\" stroke=\"#9ca3af\"/>"
        for tick in SVGMarkup.ticks(from: 0, to: yMax, count: 5) {
            let ty = SVGMarkup.num(py(tick))
            s += "<line x1=\"\(SVGMarkup.num(x0))\" x2=\"\(SVGMarkup.num(x0 + panelWidth))\" y1=\"\(ty)\" y2=\"\(ty)\" stroke=\"#f3f4f6\"/>"
            s += "<text x=\"\(SVGMarkup.num(x0 - 6))\" y=\"\(SVGMarkup.num(py(tick) + 4))\" text-anchor=\"end\" fill=\"#4b5563\">\(SVGMarkup.num(tick * 100))%</text>"
        }
        for tick in xTicks {
            let tx = SVGMarkup.num(px(tick))
            s += "<line x1=\"\(tx)\" x2=\"\(tx)\" y1=\"\(SVGMarkup.num(y0 + panelHeight))\" y2=\"\(SVGMarkup.num(y0 + panelHeight + 4))\" stroke=\"#9ca3af\"/>"
            s += "<text x=\"\(tx)\" y=\"\(SVGMarkup.num(y0 + panelHeight + 17))\" text-anchor=\"middle\" fill=\"#4b5563\">\(SVGMarkup.escape(format(tick)))</text>"
        }
        s += "<text x=\"\(SVGMarkup.num(x0 + panelWidth / 2))\" y=\"\(SVGMarkup.num(y0 + panelHeight + 38))\" text-anchor=\"middle\">\(SVGMarkup.escape(xTitle))</text>"
        s += "<text transform=\"translate(\(SVGMarkup.num(x0 - 44)),\(SVGMarkup.num(y0 + panelHeight / 2))) rotate(-90)\" text-anchor=\"middle\">accuracy</text>"
        for (g, graph) in graphs.enumerated() {
            let points = summaries.filter { $0.graph == graph }.sorted { value($0) < value($1) }
            if points.count > 1 {
                let d = points.enumerated().map { i, p in "\(i == 0 ? "M" : "L")\(SVGMarkup.num(px(value(p)))),\(SVGMarkup.num(py(p.accuracy)))" }.joined(separator: " ")
                s += "<path d=\"\(d)\" fill=\"none\" stroke=\"\(color(g))\" stroke-width=\"1.5\" stroke-opacity=\"0.6\"/>"
            }
            for p in points {
                let cx = SVGMarkup.num(px(value(p)))
                s += "<g class=\"point\"><title>\(SVGMarkup.escape("\(p.config): \(EvalTable.percent(p.accuracy)) [\(EvalTable.percent(p.interval.lower))–\(EvalTable.percent(p.interval.upper))], \(format(value(p)))"))</title>"
                s += "<line x1=\"\(cx)\" x2=\"\(cx)\" y1=\"\(SVGMarkup.num(py(p.interval.lower)))\" y2=\"\(SVGMarkup.num(py(p.interval.upper)))\" stroke=\"\(color(g))\" stroke-width=\"1.2\"/>"
                for bound in [p.interval.lower, p.interval.upper] {
                    s += "<line x1=\"\(SVGMarkup.num(px(value(p)) - 4))\" x2=\"\(SVGMarkup.num(px(value(p)) + 4))\" y1=\"\(SVGMarkup.num(py(bound)))\" y2=\"\(SVGMarkup.num(py(bound)))\" stroke=\"\(color(g))\" stroke-width=\"1.2\"/>"
                }
                s += "<circle cx=\"\(cx)\" cy=\"\(SVGMarkup.num(py(p.accuracy)))\" r=\"4.5\" fill=\"\(color(g))\" stroke=\"#fff\"/>"
                if !p.setting.isEmpty {
                    // Set upright beside the error bar, so the labels of neighbouring points never collide.
                    let lx = SVGMarkup.num(px(value(p)) + 11), ly = SVGMarkup.num(py(p.accuracy) - 8)
                    s += "<text transform=\"translate(\(lx),\(ly)) rotate(-90)\" font-size=\"10\" fill=\"\(color(g))\">\(SVGMarkup.escape(p.setting))</text>"
                }
                s += "</g>"
            }
        }
        return s + "</g>\n"
    }
}
