extension ServingLowering {
    /// Lowers a compiled plan onto a serving engine's completions API and reports what changes.
    ///
    /// A pure function of the plan. Positions are checked by laying the plan out with made-up, distinct
    /// segment lengths (`Probe`) and comparing every segment's planned start with the start it gets in each
    /// request that contains it (the flat sum of the lengths before it); a shift is charged to the segment
    /// that introduces it, so segments merely following a shifted one are not listed again. Masks are
    /// checked by comparing each re-read segment's own view with what precedes it in the request.
    public static func lower(_ plan: Plan) -> ServingLowering {
        let probe = Probe(plan)
        let requests = requestPattern(plan)
        var changes: [ServingChange] = []
        changes += attendMerges(plan)
        changes += positionChanges(plan, requests: requests, probe: probe)
        changes += thoughtEmbeddings(plan)
        changes += maskChanges(plan, requests: requests)
        let spawns = plan.spawns.map { spawn in
            ServingSpawn(id: spawn.id, parent: spawn.parent, stopAt: spawn.triggerText.description, maxChildren: spawn.maxChildren,
                         maxRounds: spawn.maxRounds, childContext: spawn.context)
        }
        // Children that run steps of their own are plans too; what they lower is lowered in every child.
        for spawn in plan.spawns {
            guard let child = spawn.childPlan else { continue }
            changes += lower(child).changes.map { change in
                var scoped = change
                scoped.step = "\(spawn.id) child: \(change.step)"
                return scoped
            }
        }
        return ServingLowering(graph: plan.graph, changes: changes, requests: requests, spawns: spawns)
    }

    /// One request per decoded segment, with the prefix it shares with the requests before it.
    static func requestPattern(_ plan: Plan) -> [ServingRequest] {
        var out: [ServingRequest] = []
        for segment in plan.segments {
            guard case .generate = segment.content else { continue }
            let context = segment.view.filter { $0 != segment.id }
            var shared: [SegmentName] = []
            for earlier in out {
                // A request of an earlier stage has written its segment; a sibling of the same stage has only
                // its prompt in the cache while both run.
                let covered = earlier.stage < segment.stage ? earlier.context + [earlier.segment] : earlier.context
                let common = commonPrefix(context, covered)
                if common.count > shared.count { shared = common }
            }
            out.append(ServingRequest(segment: segment.id, thread: segment.thread, stage: segment.stage, context: context,
                                      sharedPrefix: shared, fork: plan.fork(containing: segment.id)?.id))
        }
        return out
    }

    /// Attend merges: the summary read the branches' KV where it lay; a request can only carry their text.
    static func attendMerges(_ plan: Plan) -> [ServingChange] {
        plan.merges.filter { $0.mode == .attend }.map { merge in
            let target = merge.segments.last ?? merge.id
            return ServingChange(
                kind: .attendMerge, step: merge.id, segments: merge.sources + merge.segments,
                planSays: "\(target) attends to the KV of \(list(merge.sources)) in place",
                servedAs: "their text is re-prefilled into \(target)'s request, one after another")
        }
    }

    /// Placement rules whose positions a flat request can't reproduce, charged to the segment that
    /// introduces the shift and grouped per step.
    static func positionChanges(_ plan: Plan, requests: [ServingRequest], probe: Probe) -> [ServingChange] {
        guard let starts = probe.starts else { return [] }
        let byID = Dictionary(plan.segments.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        var shifted: [SegmentName] = []
        for request in requests {
            var position = 0
            var previousShift = 0
            for name in request.context + [request.segment] {
                guard let planned = starts[name], let length = probe.lengths[name] else { break }
                let shift = planned - position
                if shift != previousShift, !shifted.contains(name) { shifted.append(name) }
                previousShift = shift
                position += length
            }
        }
        var groups: [(key: String, kind: ServingChangeKind, segments: [SegmentName])] = []
        for name in shifted {
            guard let segment = byID[name] else { continue }
            let kind: ServingChangeKind
            switch segment.placement.rule {
            case .shared: kind = .sharedPositions
            case .afterLongest: kind = .afterLongestPositions
            case .flat: kind = .flatSlots
            case .start, .continue: continue
            }
            let key = plan.fork(containing: name)?.id ?? segment.step
            if let at = groups.firstIndex(where: { $0.key == key && $0.kind == kind }) {
                groups[at].segments.append(name)
            } else {
                groups.append((key, kind, [name]))
            }
        }
        return groups.map { group in
            let (says, served) = positionWording(group.kind, group.segments, plan: plan)
            return ServingChange(kind: group.kind, step: group.key, segments: group.segments, planSays: says, servedAs: served)
        }
    }

    /// How a lowered placement rule reads in the report.
    static func positionWording(_ kind: ServingChangeKind, _ segments: [SegmentName], plan: Plan) -> (String, String) {
        switch kind {
        case .sharedPositions:
            let fork = plan.fork(containing: segments[0])
            let at = fork?.at.map { "the end of \($0)" } ?? "the same position"
            return ("\(list(fork?.segments ?? segments)) all start at \(at)",
                    "flat: a request that reads them together lays \(list(segments)) after the branches before them")
        case .afterLongestPositions:
            return ("\(list(segments)) start(s) after the longest of its sources",
                    "flat: after the sum of the sources' lengths, as their re-prefilled text ends")
        case .flatSlots:
            return ("\(list(segments)) start at their slot (slot × the longest branch) past the fork point",
                    "slots dropped: each branch's request counts on from the end of its prompt")
        default:
            return ("", "")
        }
    }

    /// Thought embeddings (ParaThinker's T^(j) added to K and V): no completions API has a field for them.
    static func thoughtEmbeddings(_ plan: Plan) -> [ServingChange] {
        var groups: [(key: String, segments: [SegmentName], thoughts: [Int])] = []
        for segment in plan.segments where segment.thought != 0 {
            let key = plan.fork(containing: segment.id)?.id ?? segment.step
            if let at = groups.firstIndex(where: { $0.key == key }) {
                groups[at].segments.append(segment.id)
                groups[at].thoughts.append(segment.thought)
            } else {
                groups.append((key, [segment.id], [segment.thought]))
            }
        }
        return groups.map { group in
            ServingChange(kind: .thoughtEmbeddings, step: group.key, segments: group.segments,
                          planSays: "thought embeddings \(group.thoughts.map(String.init).joined(separator: ", ")) are added to the keys and values of \(list(group.segments))",
                          servedAs: "dropped: no request field carries them")
        }
    }

    /// Segments re-read in a request that sees other segments than their own view did, beyond what an
    /// attend merge already explains (its sources are listed under `attendMerge`).
    static func maskChanges(_ plan: Plan, requests: [ServingRequest]) -> [ServingChange] {
        let views = Dictionary(plan.segments.map { ($0.id, $0.view) }, uniquingKeysWith: { first, _ in first })
        // Requests whose re-read segments change the same way are reported together.
        var groups: [(step: String, affected: [SegmentName], notes: String, requests: [SegmentName])] = []
        for request in requests {
            let sources = plan.merges.filter { $0.mode == .attend && $0.segments.contains(request.segment) }
                .flatMap(\.sources)
            var affected: [SegmentName] = []
            var notes: [String] = []
            for (k, name) in request.context.enumerated() {
                guard let own = views[name] else { continue }
                let before = Array(request.context.prefix(k + 1))
                guard own != before else { continue }
                let gained = before.filter { !own.contains($0) }
                let lost = own.filter { !before.contains($0) }
                // An attend merge's source that only gains its siblings is what `attendMerge` reports.
                if sources.contains(name), lost.isEmpty { continue }
                affected.append(name)
                var parts: [String] = []
                if !gained.isEmpty { parts.append("also sees \(list(gained))") }
                if !lost.isEmpty { parts.append("no longer sees \(list(lost))") }
                if parts.isEmpty { parts.append("sees its view in another order") }
                notes.append("\(name) \(parts.joined(separator: " and "))")
            }
            guard !affected.isEmpty else { continue }
            let step = plan.fork(containing: request.segment)?.id ?? plan.segment(request.segment)?.step ?? request.segment
            let text = notes.joined(separator: "; ")
            if let at = groups.firstIndex(where: { $0.step == step && $0.affected == affected && $0.notes == text }) {
                groups[at].requests.append(request.segment)
            } else {
                groups.append((step, affected, text, [request.segment]))
            }
        }
        return groups.map { group in
            let whose = group.requests.count == 1 ? "\(group.requests[0])'s request" : "the requests of \(list(group.requests))"
            return ServingChange(kind: .perTokenMask, step: group.step, segments: group.affected,
                                 planSays: "each of \(list(group.affected)) attends to its own view",
                                 servedAs: "one causal context per request: in \(whose), \(group.notes)")
        }
    }

    /// The longest common leading run of two lists.
    static func commonPrefix(_ a: [SegmentName], _ b: [SegmentName]) -> [SegmentName] {
        var out: [SegmentName] = []
        for (x, y) in zip(a, b) {
            guard x == y else { break }
            out.append(x)
        }
        return out
    }

    /// Names for prose: `a, b and c`.
    static func list(_ names: [SegmentName]) -> String {
        guard let last = names.last else { return "nothing" }
        return names.count == 1 ? last : names.dropLast().joined(separator: ", ") + " and " + last
    }
}

/// The plan laid out with made-up, pairwise distinct segment lengths, so that a position rule which
/// differs from flat counting shows up as a different start (real lengths are known only at run time).
struct Probe {
    /// The made-up length of each segment.
    var lengths: [SegmentName: Int] = [:]
    /// Each segment's planned start; `nil` when an anchor is not in the static plan.
    var starts: [SegmentName: Int]?

    /// Lays out the plan in write order.
    init(_ plan: Plan) {
        // Decreasing, so that the longest of a fork's branches is never the last one laid out (after-longest
        // would then coincide with flat counting and go unnoticed).
        let count = plan.segments.count
        for (i, segment) in plan.segments.enumerated() { lengths[segment.id] = 101 + 7 * (count - i) }
        let slotLength = lengths.values.reduce(0, +) + 1
        var ends: [SegmentName: Int] = [:]
        var starts: [SegmentName: Int] = [:]
        for segment in plan.segments {
            guard let start = segment.placement.start(ends: ends, lengths: lengths, slotLength: slotLength),
                  let length = lengths[segment.id] else {
                self.starts = nil
                return
            }
            starts[segment.id] = start
            ends[segment.id] = start + length
        }
        self.starts = starts
    }
}
