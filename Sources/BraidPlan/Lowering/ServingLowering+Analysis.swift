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
        var siblings: [SegmentName: Int] = [:]
        for fork in plan.forks {
            for segment in plan.identicalSiblings(fork) ?? [] { siblings[segment.id] = fork.branches.count }
        }
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
                                      sharedPrefix: shared, fork: plan.fork(containing: segment.id)?.id,
                                      n: siblings[segment.id]))
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
        // Shifted segments of one fork (or step) lowered by the same rule are one change.
        let keyed = shifted.compactMap { name -> (key: PositionKey, item: SegmentName)? in
            guard let rule = byID[name]?.placement.rule, rule != .start, rule != .continue else { return nil }
            return (PositionKey(step: plan.fork(containing: name)?.id ?? byID[name]?.step ?? name, rule: rule), name)
        }
        return grouped(keyed).compactMap { group in
            positionChange(group.key.rule, step: group.key.step, segments: group.items, plan: plan)
        }
    }

    /// What groups shifted segments: their fork (or step) and the placement rule that shifts them.
    struct PositionKey: Equatable {
        var step: String
        var rule: PositionRule
    }

    /// The one place that says what a flat request makes of each placement rule: its kind of change and how it
    /// reads in the report (nil for the rules that count flat already: `start`, `continue`).
    static func positionChange(_ rule: PositionRule, step: String, segments: [SegmentName], plan: Plan) -> ServingChange? {
        let kind: ServingChangeKind
        let says: String
        let served: String
        switch rule {
        case .shared:
            let fork = plan.fork(containing: segments[0])
            let at = fork?.at.map { "the end of \($0)" } ?? "the same position"
            kind = .sharedPositions
            says = "\(list(fork?.segments ?? segments)) all start at \(at)"
            served = "flat: a request that reads them together lays \(list(segments)) after the branches before them"
        case .afterLongest:
            kind = .afterLongestPositions
            says = "\(list(segments)) start(s) after the longest of its sources"
            served = "flat: after the sum of the sources' lengths, as their re-prefilled text ends"
        case .flat:
            kind = .flatSlots
            says = "\(list(segments)) start at their slot (slot × the longest branch) past the fork point"
            served = "slots dropped: each branch's request counts on from the end of its prompt"
        case .start, .continue:
            return nil
        }
        return ServingChange(kind: kind, step: step, segments: segments, planSays: says, servedAs: served)
    }

    /// Items grouped by key, groups in the order their keys first appear, items in order: how the report puts the
    /// segments (or requests) that one rule changes the same way into one change.
    static func grouped<Key: Equatable, Item>(_ items: [(key: Key, item: Item)]) -> [(key: Key, items: [Item])] {
        var groups: [(key: Key, items: [Item])] = []
        for (key, item) in items {
            if let at = groups.firstIndex(where: { $0.key == key }) {
                groups[at].items.append(item)
            } else {
                groups.append((key, [item]))
            }
        }
        return groups
    }

    /// Thought embeddings (ParaThinker's T^(j) added to K and V): no completions API has a field for them.
    static func thoughtEmbeddings(_ plan: Plan) -> [ServingChange] {
        let keyed = plan.segments.filter { $0.thought != 0 }.map { segment in
            (key: plan.fork(containing: segment.id)?.id ?? segment.step, item: segment)
        }
        return grouped(keyed).map { group in
            let names = group.items.map(\.id)
            return ServingChange(kind: .thoughtEmbeddings, step: group.key, segments: names,
                                 planSays: "thought embeddings \(group.items.map { String($0.thought) }.joined(separator: ", ")) are added to the keys and values of \(list(names))",
                                 servedAs: "dropped: no request field carries them")
        }
    }

    /// Segments re-read in a request that sees other segments than their own view did, beyond what an
    /// attend merge already explains (its sources are listed under `attendMerge`).
    static func maskChanges(_ plan: Plan, requests: [ServingRequest]) -> [ServingChange] {
        let views = Dictionary(plan.segments.map { ($0.id, $0.view) }, uniquingKeysWith: { first, _ in first })
        // Requests whose re-read segments change the same way are reported together.
        var keyed: [(key: MaskKey, item: SegmentName)] = []
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
            keyed.append((MaskKey(step: step, affected: affected, notes: notes.joined(separator: "; ")), request.segment))
        }
        return grouped(keyed).map { group in
            let whose = group.items.count == 1 ? "\(group.items[0])'s request" : "the requests of \(list(group.items))"
            return ServingChange(kind: .perTokenMask, step: group.key.step, segments: group.key.affected,
                                 planSays: "each of \(list(group.key.affected)) attends to its own view",
                                 servedAs: "one causal context per request: in \(whose), \(group.key.notes)")
        }
    }

    /// What groups requests whose re-read segments change the same way.
    struct MaskKey: Equatable {
        var step: String
        var affected: [SegmentName]
        var notes: String
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
