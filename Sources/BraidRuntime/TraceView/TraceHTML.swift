import BraidPlan
import Foundation

/// A self-contained HTML page for a trace (`braid trace view`): a summary of the run, the timeline drawn by
/// ``TimelineSVG``, a legend, the votes and warnings, and a small script that shows, under the pointer, the
/// step's batch, time and KV and the token text the lane wrote in that step. No external assets.
public enum TraceHTML {
    /// The page for `events`; `title` names the trace (usually its file name).
    public static func render(events: [TraceEvent], title: String) -> String {
        let timeline = TraceTimeline(events: events)
        let svg = TimelineSVG(timeline: timeline)
        var page = """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8">
        <title>\(SVGMarkup.escape("Braid trace — \(timeline.run?.graph ?? title)"))</title>
        <style>
        body{font-family:ui-sans-serif,system-ui,sans-serif;margin:16px 20px;color:#111827;background:#fff}
        h1{font-size:18px;margin:0 0 6px} .facts{font-size:13px;color:#374151;margin:2px 0}
        .facts b{color:#111827} .legend{font-size:12px;margin:8px 0;display:flex;flex-wrap:wrap;gap:12px}
        .legend span{display:inline-flex;align-items:center;gap:4px} .sw{width:14px;height:10px;display:inline-block}
        svg{width:100%;height:auto;display:block;border-top:1px solid #e5e7eb}
        #tip{position:fixed;pointer-events:none;background:#111827;color:#f9fafb;font-size:12px;padding:6px 8px;
        border-radius:4px;max-width:520px;white-space:pre-wrap;display:none;font-family:ui-monospace,monospace}
        table{border-collapse:collapse;font-size:12px;margin-top:8px} td,th{border:1px solid #e5e7eb;padding:2px 6px;text-align:left}
        h2{font-size:14px;margin:14px 0 4px}
        </style></head><body>

        """
        page += header(timeline, title: title)
        page += legend()
        page += svg.render()
        page += details(timeline)
        page += "<div id=\"tip\"></div>\n<script>\nconst DATA=" + data(timeline, layout: svg.layout) + ";\n" + script + "</script>\n</body></html>\n"
        return page
    }

    private static func header(_ t: TraceTimeline, title: String) -> String {
        var s = "<h1>\(SVGMarkup.escape(t.run?.graph ?? "trace")) <span style=\"font-weight:400;color:#6b7280;font-size:13px\">\(SVGMarkup.escape(title))</span></h1>\n"
        if let run = t.run {
            let params = run.params.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
            s += "<div class=\"facts\"><b>seed</b> \(run.seed) · <b>scheduling</b> \(SVGMarkup.escape(run.scheduling)) · <b>params</b> \(SVGMarkup.escape(params.isEmpty ? "none" : params))</div>\n"
            for (name, value) in run.inputs.sorted(by: { $0.key < $1.key }) {
                let shown = value.count > 240 ? String(value.prefix(240)) + "…" : value
                s += "<div class=\"facts\"><b>\(SVGMarkup.escape(name))</b>: \(SVGMarkup.escape(shown))</div>\n"
            }
        }
        let threads = t.lanes.count
        let sampled = t.lanes.map(\.sampled).reduce(0, +)
        if let end = t.end {
            // A long answer (an APR search path) is cut; the whole of it is in the tooltip.
            let answer = end.answer ?? "(none)"
            let shown = answer.count > 160 ? String(answer.prefix(160)) + "…" : answer
            s += "<div class=\"facts\"><b>answer</b> <span title=\"\(SVGMarkup.escape(answer))\">\(SVGMarkup.escape(shown))</span> · \(end.sampled) tokens sampled, \(end.written) written · \(threads) threads · \(t.steps.count) steps · \(String(format: "%.2f", end.ms / 1000)) s · peak KV \(ByteCount.format(end.peakKVBytes))</div>\n"
        } else {
            s += "<div class=\"facts\"><b>the run did not finish</b> (no end event) · \(sampled) tokens sampled · \(threads) threads · \(t.steps.count) steps</div>\n"
        }
        return s
    }

    private static func legend() -> String {
        var s = "<div class=\"legend\">"
        for kind in ["prompt", "prefix", "generated", "summary", "spliced", "message"] {
            s += "<span><i class=\"sw\" style=\"background:\(TimelineSVG.color(segmentKind: kind))\"></i>\(kind)</span>"
        }
        s += "<span><i class=\"sw\" style=\"background:#3b82f6;opacity:.55\"></i>forced (not sampled)</span>"
        for kind in TraceTimeline.ArrowKind.allCases {
            s += "<span><i class=\"sw\" style=\"height:3px;background:\(TimelineSVG.color(arrow: kind))\"></i>\(kind.rawValue)</span>"
        }
        s += "<span>▏ stop · numbers left of the lanes: tokens sampled · hover for text</span>"
        return s + "</div>\n"
    }

    private static func details(_ t: TraceTimeline) -> String {
        var s = ""
        if !t.votes.isEmpty {
            s += "<h2>Votes</h2><table><tr><th>step</th><th>vote</th><th>winner</th><th>counts</th></tr>"
            for vote in t.votes {
                let counts = vote.outcome.counts.map { "\($0.answer): \($0.votes)" }.joined(separator: ", ")
                s += "<tr><td>\(vote.step)</td><td>\(SVGMarkup.escape(vote.vote))</td><td>\(SVGMarkup.escape(vote.outcome.winner ?? "none"))</td><td>\(SVGMarkup.escape(counts))</td></tr>"
            }
            s += "</table>\n"
        }
        if !t.warnings.isEmpty {
            s += "<h2>Warnings</h2><table><tr><th>step</th><th>thread</th><th>message</th></tr>"
            for w in t.warnings {
                s += "<tr><td>\(w.step)</td><td>\(SVGMarkup.escape(w.thread ?? ""))</td><td>\(SVGMarkup.escape(w.message))</td></tr>"
            }
            s += "</table>\n"
        }
        return s
    }

    /// The script's data: geometry, each lane's writes and each step's numbers.
    struct PageData: Encodable {
        var layout: TimelineSVG.Layout
        var lanes: [LaneData]
        var steps: [[Double]]
    }

    /// One lane for the script: name and writes as `[step, segment, text, sampled]`.
    struct LaneData: Encodable {
        var name: String
        var steps: [Int]
        var segments: [String]
        var texts: [String]
    }

    static func data(_ t: TraceTimeline, layout: TimelineSVG.Layout) -> String {
        let lanes = t.lanes.map { lane in
            LaneData(name: lane.name, steps: lane.writes.map(\.step),
                     segments: lane.writes.map { $0.segment + ($0.sampled ? "" : " (forced)") },
                     texts: lane.writes.map(\.text))
        }
        let steps = t.steps.map { [Double($0.step), Double($0.batch), $0.ms, Double($0.kvBytes), Double($0.threads)] }
        let encoder = JSONEncoder()
        // Slashes stay escaped ("<\/script>" cannot end the script element).
        encoder.outputFormatting = [.sortedKeys]
        let json = (try? encoder.encode(PageData(layout: layout, lanes: lanes, steps: steps))).map { String(decoding: $0, as: UTF8.self) }
        return (json ?? "{}").replacingOccurrences(of: "<!--", with: "<\\u0021--")
    }

    /// Maps the pointer to a step (and a lane) and fills the tooltip; moves the cursor line.
    static let script = """
    (function(){
      const svg=document.getElementById('timeline'), tip=document.getElementById('tip'), cur=document.getElementById('cursor');
      const L=DATA.layout, byStep=new Map(DATA.steps.map(r=>[r[0],r]));
      function kb(b){return b>=1048576?(b/1048576).toFixed(1)+' MB':(b/1024).toFixed(0)+' KB';}
      function esc(s){return s.replace(/[&<>]/g,c=>({'&':'&amp;','<':'&lt;','>':'&gt;'}[c]));}
      svg.addEventListener('mousemove',function(e){
        const p=svg.createSVGPoint(); p.x=e.clientX; p.y=e.clientY;
        const q=p.matrixTransform(svg.getScreenCTM().inverse());
        const step=Math.floor((q.x-L.plotX)/L.plotWidth*(L.lastStep+1));
        if(step<0||step>L.lastStep){tip.style.display='none';cur.setAttribute('visibility','hidden');return;}
        const cx=L.plotX+(step+0.5)/(L.lastStep+1)*L.plotWidth;
        cur.setAttribute('x1',cx);cur.setAttribute('x2',cx);cur.setAttribute('visibility','visible');
        let html='<b>step '+step+'</b>';
        const r=byStep.get(step);
        if(r){html+='  batch '+r[1]+' tokens ('+r[4]+' threads) · '+r[2].toFixed(1)+' ms · KV '+kb(r[3]);}
        const li=Math.floor((q.y-L.laneTop)/L.lanePitch);
        if(li>=0&&li<DATA.lanes.length){
          const lane=DATA.lanes[li]; html+='\\n<b>'+esc(lane.name)+'</b>';
          const k=lane.steps.indexOf(step);
          if(k>=0){
            let before='';
            for(let j=k-1;j>=0&&before.length<160;j--){if(lane.segments[j]!==lane.segments[k])break;before=lane.texts[j]+before;}
            if(before.length>160)before='…'+before.slice(-160);
            html+=' · '+esc(lane.segments[k])+'\\n'+esc(before)+'<u style="background:#fde047;color:#111827">'+esc(lane.texts[k].length>400?lane.texts[k].slice(0,400)+'…':lane.texts[k])+'</u>';
          } else { html+=' · (nothing written this step)'; }
        }
        tip.innerHTML=html; tip.style.display='block';
        const w=tip.offsetWidth; tip.style.left=Math.min(e.clientX+14,window.innerWidth-w-8)+'px'; tip.style.top=(e.clientY+14)+'px';
      });
      svg.addEventListener('mouseleave',function(){tip.style.display='none';cur.setAttribute('visibility','hidden');});
    })();

    """
}
