import Foundation

/// Shows a run's progress while it goes on: in a terminal, a block of lines (one per thread: name, tokens,
/// tokens per second, the tail of its text) redrawn in place with ANSI escapes; otherwise a plain progress
/// line now and then. Feed it every trace event.
public final class LiveView {
    /// Where the view is written.
    public enum Style: Sendable {
        /// Redrawn in place (a terminal).
        case terminal(width: Int)
        /// Plain progress lines.
        case plain
    }

    struct Lane {
        var name: String
        var sampled = 0
        var started: Date
        var stopped: Date?
        var tail = ""
        var reason: String?
        /// Set while its branches or children run (it started one and has written nothing since).
        var waiting = false
    }

    private let style: Style
    private let write: (String) -> Void
    private var lanes: [Lane] = []
    private var index: [String: Int] = [:]
    private var drawnLines = 0
    private var lastDraw = Date.distantPast
    private var step = 0
    private let began = Date()

    /// Creates a view that writes through `write` (e.g. to standard error).
    public init(style: Style, write: @escaping (String) -> Void) {
        self.style = style
        self.write = write
    }

    /// Standard error's view: redrawn when both standard output and standard error are terminals.
    public static func forStandardError() -> LiveView {
        let tty = isatty(STDOUT_FILENO) != 0 && isatty(STDERR_FILENO) != 0
        var size = winsize()
        let width = ioctl(STDERR_FILENO, UInt(TIOCGWINSZ), &size) == 0 && size.ws_col > 20 ? Int(size.ws_col) : 100
        return LiveView(style: tty ? .terminal(width: width) : .plain) { text in
            FileHandle.standardError.write(Data(text.utf8))
        }
    }

    /// Takes one event into account, redrawing when it is time.
    public func observe(_ event: TraceEvent) {
        switch event {
        case .thread(let e):
            index[e.thread] = lanes.count
            lanes.append(Lane(name: e.thread, started: Date()))
            if let parent = e.parent, let p = index[parent] { lanes[p].waiting = true }
        case .tokens(let e):
            guard let i = index[e.thread] else { return }
            if e.sampled { lanes[i].sampled += e.ids.count }
            lanes[i].waiting = false
            lanes[i].tail = String((lanes[i].tail + e.text).suffix(200))
        case .stop(let e):
            guard let i = index[e.thread] else { return }
            lanes[i].stopped = Date()
            lanes[i].reason = e.lastDecode.map { "\(e.reason), \($0)" } ?? e.reason
        case .forward(let e):
            step = e.step
            redrawIfDue()
        case .warning(let e):
            clear()
            write("warning: \(e.message)\n")
        case .end:
            clear()
        default:
            break
        }
    }

    private func redrawIfDue() {
        let now = Date()
        switch style {
        case .terminal(let width):
            guard now.timeIntervalSince(lastDraw) >= 0.1 else { return }
            lastDraw = now
            draw(width: width, now: now)
        case .plain:
            guard now.timeIntervalSince(lastDraw) >= 2 else { return }
            lastDraw = now
            let live = lanes.filter { $0.stopped == nil }
            let tokens = lanes.reduce(0) { $0 + $1.sampled }
            write(String(format: "[%6.1fs] step %d: %d live thread(s), %d tokens sampled\n",
                         now.timeIntervalSince(began), step, live.count, tokens))
        }
    }

    private func draw(width: Int, now: Date) {
        var out = drawnLines > 0 ? "\u{1B}[\(drawnLines)A" : ""
        let shown = lanes.suffix(24)
        let nameWidth = min(28, shown.map(\.name.count).max() ?? 4)
        for lane in shown {
            let seconds = max(0.001, (lane.stopped ?? now).timeIntervalSince(lane.started))
            let rate = Double(lane.sampled) / seconds
            let state = lane.stopped != nil ? "■" : lane.waiting ? "⏸" : "▶"
            let head = "\(state) \(lane.name.padding(toLength: nameWidth, withPad: " ", startingAt: 0)) "
                + String(format: "%5d tok %6.1f tok/s ", lane.sampled, rate)
            let room = max(0, width - head.count - 1)
            let flat = lane.tail.replacingOccurrences(of: "\n", with: "⏎")
            let note = lane.stopped != nil ? lane.reason.map { "(\($0)) " } ?? "" : lane.waiting ? "(waiting) " : ""
            let tail = String(note.prefix(room)) + String(flat.suffix(max(0, room - note.count)))
            out += "\u{1B}[2K" + head + tail + "\n"
        }
        drawnLines = shown.count
        write(out)
    }

    private func clear() {
        guard case .terminal = style, drawnLines > 0 else { return }
        var out = "\u{1B}[\(drawnLines)A"
        for _ in 0..<drawnLines { out += "\u{1B}[2K\n" }
        out += "\u{1B}[\(drawnLines)A"
        write(out)
        drawnLines = 0
    }
}
