import Foundation

/// Draws a ``TraceTimeline`` as one SVG: thread lanes over scheduler steps (a bar per segment run, colored by
/// segment kind, paler where the text was forced), arrows for forks, spawns, merges, joins and votes, and
/// three charts under the lanes sharing the step axis: KV in use, tokens per step, and pass time.
public struct TimelineSVG: Sendable {
    /// The geometry the page's script needs to map the pointer back to a step and a lane.
    public struct Layout: Sendable, Equatable, Codable {
        /// Width of the drawing.
        public var width: Double
        /// Height of the drawing.
        public var height: Double
        /// x of step 0.
        public var plotX: Double
        /// Width of the step axis.
        public var plotWidth: Double
        /// Steps on the axis (the axis ends at `lastStep + 1`).
        public var lastStep: Int
        /// y of the first lane's top.
        public var laneTop: Double
        /// Vertical distance from one lane's top to the next.
        public var lanePitch: Double
        /// A lane bar's height.
        public var laneHeight: Double
    }

    /// The timeline drawn.
    public let timeline: TraceTimeline
    /// Its geometry.
    public let layout: Layout

    private let chartHeight = 74.0
    private let chartGap = 34.0

    /// Lays out `timeline` in a drawing `width` units wide.
    public init(timeline: TraceTimeline, width: Double = 1360) {
        self.timeline = timeline
        let count = max(1, timeline.lanes.count)
        // Tall lanes when there are few threads, thin ones (down to 5 units) for big APR trees.
        let pitch = max(7, min(24, 520 / Double(count)))
        let laneTop = 34.0
        let lanesHeight = pitch * Double(count)
        let height = laneTop + lanesHeight + 3 * (chartHeight + chartGap) + 10
        layout = Layout(width: width, height: height, plotX: 230, plotWidth: width - 230 - 24,
                        lastStep: timeline.lastStep, laneTop: laneTop, lanePitch: pitch, laneHeight: max(5, pitch * 0.66))
    }

    /// x of the left edge of `step`.
    func x(_ step: Double) -> Double {
        layout.plotX + step / Double(layout.lastStep + 1) * layout.plotWidth
    }

    /// y of the middle of lane `index`.
    func laneMid(_ index: Int) -> Double {
        layout.laneTop + Double(index) * layout.lanePitch + layout.lanePitch / 2
    }

    /// The fill color of a segment kind.
    public static func color(segmentKind kind: String) -> String {
        switch kind {
        case "prompt": return "#94a3b8"
        case "prefix": return "#cbd5e1"
        case "generated": return "#3b82f6"
        case "summary": return "#16a34a"
        case "spliced": return "#e879f9"
        case "message": return "#f59e0b"
        default: return "#a78bfa"
        }
    }

    /// The stroke color of an arrow kind.
    public static func color(arrow kind: TraceTimeline.ArrowKind) -> String {
        switch kind {
        case .fork: return "#f97316"
        case .spawn: return "#dc2626"
        case .merge: return "#7c3aed"
        case .join: return "#be185d"
        case .vote: return "#0d9488"
        }
    }

    /// The whole drawing.
    public func render() -> String {
        var s = "<svg xmlns=\"http://www.w3.org/2000/svg\" id=\"timeline\" viewBox=\"0 0 \(SVGMarkup.num(layout.width)) \(SVGMarkup.num(layout.height))\" font-family=\"ui-sans-serif, system-ui, sans-serif\" font-size=\"11\">\n"
        s += "<defs>" + TraceTimeline.ArrowKind.allCases.map { kind in
            "<marker id=\"head-\(kind.rawValue)\" viewBox=\"0 0 8 8\" refX=\"7\" refY=\"4\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto-start-reverse\"><path d=\"M0,0 L8,4 L0,8 z\" fill=\"\(TimelineSVG.color(arrow: kind))\"/></marker>"
        }.joined() + "</defs>\n"
        s += axis(top: layout.laneTop, bottom: layout.laneTop + layout.lanePitch * Double(timeline.lanes.count), labels: true)
        s += lanes()
        s += arrows()
        var top = layout.laneTop + layout.lanePitch * Double(max(1, timeline.lanes.count)) + chartGap
        let steps = timeline.steps
        let kvMax = steps.map(\.kvBytes).max() ?? 0
        let kvUnit: (Double, String) = kvMax >= 1 << 20 ? (1_048_576, " MB") : kvMax >= 1024 ? (1024, " KB") : (1, " B")
        s += chart(title: "KV in use", top: top, values: steps.map { ($0.step, Double($0.kvBytes) / kvUnit.0) },
                   fill: "#bfdbfe", stroke: "#2563eb", unit: kvUnit.1)
        top += chartHeight + chartGap
        s += chart(title: "tokens per step (batch)", top: top, values: steps.map { ($0.step, Double($0.batch)) },
                   fill: "#fde68a", stroke: "#d97706", unit: "")
        top += chartHeight + chartGap
        s += chart(title: "forward time per step", top: top, values: steps.map { ($0.step, $0.ms) },
                   fill: "#fecaca", stroke: "#dc2626", unit: " ms")
        s += "<line id=\"cursor\" x1=\"0\" x2=\"0\" y1=\"\(SVGMarkup.num(layout.laneTop))\" y2=\"\(SVGMarkup.num(layout.height - 10))\" stroke=\"#111827\" stroke-width=\"0.7\" visibility=\"hidden\" pointer-events=\"none\"/>\n"
        s += "</svg>\n"
        return s
    }

    /// Step ticks with vertical grid lines over the lanes.
    private func axis(top: Double, bottom: Double, labels: Bool) -> String {
        var s = "<g class=\"axis\" fill=\"#6b7280\">"
        for tick in SVGMarkup.ticks(from: 0, to: Double(layout.lastStep + 1), count: 12) {
            let tx = SVGMarkup.num(x(tick))
            s += "<line x1=\"\(tx)\" x2=\"\(tx)\" y1=\"\(SVGMarkup.num(top - 4))\" y2=\"\(SVGMarkup.num(bottom))\" stroke=\"#e5e7eb\" stroke-width=\"1\"/>"
            if labels { s += "<text x=\"\(tx)\" y=\"\(SVGMarkup.num(top - 8))\" text-anchor=\"middle\">\(SVGMarkup.label(tick))</text>" }
        }
        if labels {
            s += "<text x=\"\(SVGMarkup.num(layout.plotX - 8))\" y=\"\(SVGMarkup.num(top - 8))\" text-anchor=\"end\" font-weight=\"600\">step</text>"
        }
        return s + "</g>\n"
    }

    /// Each lane: its label, a thin line while it is alive, a bar per run of writes into one segment, a stop tick.
    private func lanes() -> String {
        var s = "<g class=\"lanes\">"
        let h = layout.laneHeight
        let fontSize = min(11, max(7, layout.lanePitch * 0.62))
        for (i, lane) in timeline.lanes.enumerated() {
            let mid = laneMid(i)
            let indent = Double(min(lane.depth, 6)) * 8
            let name = lane.name.count > 30 ? "…" + lane.name.suffix(29) : lane.name
            let tip = "\(lane.name) (\(lane.kind)) — \(lane.sampled) tokens sampled, steps \(lane.start)–\(lane.stop.map(String.init) ?? "end")" + (lane.stopReason.map { ", stopped: \($0)" } ?? "")
            s += "<g><title>\(SVGMarkup.escape(tip))</title>"
            s += "<text x=\"\(SVGMarkup.num(8 + indent))\" y=\"\(SVGMarkup.num(mid + fontSize * 0.35))\" font-size=\"\(SVGMarkup.num(fontSize))\" fill=\"#111827\">\(SVGMarkup.escape(name))</text>"
            s += "<text x=\"\(SVGMarkup.num(layout.plotX - 8))\" y=\"\(SVGMarkup.num(mid + fontSize * 0.35))\" font-size=\"\(SVGMarkup.num(fontSize * 0.9))\" fill=\"#6b7280\" text-anchor=\"end\">\(lane.sampled)</text></g>"
            let end = Double(lane.stop.map { $0 + 1 } ?? layout.lastStep + 1)
            s += "<line x1=\"\(SVGMarkup.num(x(Double(lane.start))))\" x2=\"\(SVGMarkup.num(x(end)))\" y1=\"\(SVGMarkup.num(mid))\" y2=\"\(SVGMarkup.num(mid))\" stroke=\"#d1d5db\" stroke-width=\"1\"/>"
            for run in runs(of: lane) {
                let x0 = x(Double(run.first)), x1 = max(x(Double(run.last + 1)), x0 + 1.2)
                s += "<rect x=\"\(SVGMarkup.num(x0))\" y=\"\(SVGMarkup.num(mid - h / 2))\" width=\"\(SVGMarkup.num(x1 - x0))\" height=\"\(SVGMarkup.num(h))\" fill=\"\(TimelineSVG.color(segmentKind: run.kind))\" fill-opacity=\"\(run.sampled ? "1" : "0.55")\"/>"
            }
            if let stop = lane.stop {
                let sx = SVGMarkup.num(x(Double(stop + 1)))
                s += "<line x1=\"\(sx)\" x2=\"\(sx)\" y1=\"\(SVGMarkup.num(mid - h / 2 - 1))\" y2=\"\(SVGMarkup.num(mid + h / 2 + 1))\" stroke=\"#111827\" stroke-width=\"1.4\"/>"
            }
        }
        return s + "</g>\n"
    }

    /// Consecutive writes into the same segment with the same sampled flag, as step ranges.
    func runs(of lane: TraceTimeline.Lane) -> [(first: Int, last: Int, kind: String, sampled: Bool)] {
        var runs: [(first: Int, last: Int, kind: String, sampled: Bool, segment: String)] = []
        for write in lane.writes {
            if let last = runs.last, last.segment == write.segment, last.sampled == write.sampled, write.step <= last.last + 1 {
                runs[runs.count - 1].last = write.step
            } else {
                runs.append((write.step, write.step, write.segmentKind, write.sampled, write.segment))
            }
        }
        return runs.map { ($0.first, $0.last, $0.kind, $0.sampled) }
    }

    /// Arrows between lanes, drawn at the boundary after their step.
    private func arrows() -> String {
        var index: [String: Int] = [:]
        for (i, lane) in timeline.lanes.enumerated() { index[lane.name] = i }
        var s = "<g class=\"arrows\" fill=\"none\">"
        for arrow in timeline.arrows {
            guard let from = index[arrow.from], let to = index[arrow.to], from != to else { continue }
            let ax = SVGMarkup.num(x(Double(arrow.step) + (arrow.kind == .fork || arrow.kind == .spawn ? 0 : 1)))
            let y0 = laneMid(from), y1 = laneMid(to)
            let shorten = (layout.laneHeight / 2 + 1) * (y1 > y0 ? 1 : -1)
            let color = TimelineSVG.color(arrow: arrow.kind)
            let dash = arrow.kind == .vote ? " stroke-dasharray=\"3 2\"" : ""
            s += "<line x1=\"\(ax)\" x2=\"\(ax)\" y1=\"\(SVGMarkup.num(y0))\" y2=\"\(SVGMarkup.num(y1 - shorten))\" stroke=\"\(color)\" stroke-width=\"1.3\" stroke-opacity=\"0.85\"\(dash) marker-end=\"url(#head-\(arrow.kind.rawValue))\"><title>\(SVGMarkup.escape("\(arrow.kind.rawValue) at step \(arrow.step): \(arrow.from) → \(arrow.to) — \(arrow.label)"))</title></line>"
        }
        return s + "</g>\n"
    }

    /// A stair-step area chart of one value per step (already in the unit named by `unit`), with its title and
    /// the maximum on the left.
    private func chart(title: String, top: Double, values: [(Int, Double)], fill: String, stroke: String,
                       unit: String) -> String {
        func format(_ value: Double) -> String {
            (value >= 100 ? String(format: "%.0f", value) : SVGMarkup.label((value * 10).rounded() / 10)) + unit
        }
        let bottom = top + chartHeight
        let maximum = values.map(\.1).max() ?? 0
        var s = "<g class=\"chart\">"
        s += "<text x=\"8\" y=\"\(SVGMarkup.num(top + 10))\" font-weight=\"600\" fill=\"#111827\">\(SVGMarkup.escape(title))</text>"
        s += "<text x=\"8\" y=\"\(SVGMarkup.num(top + 25))\" fill=\"#6b7280\">max \(SVGMarkup.escape(format(maximum)))</text>"
        s += axis(top: top, bottom: bottom, labels: false)
        s += "<line x1=\"\(SVGMarkup.num(layout.plotX))\" x2=\"\(SVGMarkup.num(layout.plotX + layout.plotWidth))\" y1=\"\(SVGMarkup.num(bottom))\" y2=\"\(SVGMarkup.num(bottom))\" stroke=\"#9ca3af\"/>"
        for tick in SVGMarkup.ticks(from: 0, to: max(maximum, 1e-9), count: 3) where maximum > 0 {
            let ty = bottom - tick / maximum * chartHeight
            s += "<text x=\"\(SVGMarkup.num(layout.plotX - 6))\" y=\"\(SVGMarkup.num(ty + 3.5))\" text-anchor=\"end\" fill=\"#6b7280\" font-size=\"10\">\(SVGMarkup.escape(format(tick)))</text>"
            s += "<line x1=\"\(SVGMarkup.num(layout.plotX - 3))\" x2=\"\(SVGMarkup.num(layout.plotX))\" y1=\"\(SVGMarkup.num(ty))\" y2=\"\(SVGMarkup.num(ty))\" stroke=\"#9ca3af\"/>"
        }
        if maximum > 0, !values.isEmpty {
            var d = "M\(SVGMarkup.num(x(Double(values[0].0)))),\(SVGMarkup.num(bottom))"
            for (step, value) in values {
                let vy = SVGMarkup.num(bottom - value / maximum * chartHeight)
                d += " L\(SVGMarkup.num(x(Double(step)))),\(vy) L\(SVGMarkup.num(x(Double(step + 1)))),\(vy)"
            }
            d += " L\(SVGMarkup.num(x(Double((values.last?.0 ?? 0) + 1)))),\(SVGMarkup.num(bottom)) Z"
            s += "<path d=\"\(d)\" fill=\"\(fill)\" stroke=\"\(stroke)\" stroke-width=\"1\" stroke-linejoin=\"round\"/>"
        }
        return s + "</g>\n"
    }
}
