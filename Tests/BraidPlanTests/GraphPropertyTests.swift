import BraidRandom
import Testing
@testable import BraidPlan

/// Properties every compiled library graph must have, for random segment lengths.
@Suite struct GraphPropertyTests {
    /// Graphs whose plans can't be built yet, with the reason (reported, not hidden).
    static let unsupported: [String: String] = [:]

    /// All library graphs that compile, by base name.
    static func graphs() throws -> [(name: String, plan: Plan)] {
        try LibraryGraphs.all().compactMap { path in
            let name = String(path.split(separator: "/").last?.dropLast(5) ?? "")
            if unsupported[name] != nil { return nil }
            return (name, try LibraryGraphs.plan(name))
        }
    }

    /// A stand-in tokenizer for flat forks' forced prefixes: one token per character.
    @Sendable static func characterTokens(_ segment: Segment) -> Int { FlatSlot.forcedText(of: segment)?.description.count ?? 0 }

    /// Random lengths (1…6) for every segment of the plan with its spawns instantiated.
    static func randomExpansion(_ plan: Plan, seed: UInt64) throws -> MaskExpansion {
        var random = SplitMix64(seed: seed)
        var values: [String: Int] = ["children": random.int(in: 1...3), "rounds": random.int(in: 1...2)]
        var probe = plan
        for template in plan.spawns {
            for round in 0..<min(values["rounds"] ?? 1, template.maxRounds) {
                try probe.instantiateSpawn(template.id, round: round, children: min(values["children"] ?? 1, template.maxChildren))
            }
        }
        for segment in probe.segments where {
            if case .splice = segment.content { return false } else { return true }
        }() {
            values[segment.id] = random.int(in: 1...6)
        }
        return try MaskExpansion.expand(plan, lengths: MaskLengths(values), prefixTokens: characterTokens)
    }

    @Test func everyLibraryGraphCompilesOrIsAKnownGap() throws {
        let names = try LibraryGraphs.all().map { String($0.split(separator: "/").last?.dropLast(5) ?? "") }
        #expect(names.contains("parathinker") && names.contains("parathinker-flat"))
        for name in names {
            if let reason = Self.unsupported[name] {
                #expect(throws: PlanError.self, "\(name) is listed as unsupported (\(reason))") { try LibraryGraphs.plan(name) }
            } else {
                #expect(throws: Never.self) { try LibraryGraphs.plan(name) }
            }
        }
    }

    @Test(arguments: 1...6)
    func maskPropertiesHold(seed: Int) throws {
        for (name, plan) in try Self.graphs() {
            let expansion = try Self.randomExpansion(plan, seed: UInt64(seed * 7919 + name.count))
            try MaskProperties.check(expansion, graph: name)
        }
    }
}

/// The checks behind `GraphPropertyTests`, each stated on the expanded mask rather than on the plan's views.
enum MaskProperties {
    static func check(_ expansion: MaskExpansion, graph: String) throws {
        let plan = expansion.plan
        let n = expansion.count
        var tokensOf: [SegmentName: [Int]] = [:]
        for token in expansion.tokens { tokensOf[token.segment, default: []].append(token.index) }
        let threadOf = Dictionary(uniqueKeysWithValues: plan.segments.map { ($0.id, $0.thread) })
        // Which segments each segment's tokens actually attend to.
        var attended: [SegmentName: Set<SegmentName>] = [:]
        for q in 0..<n {
            for k in 0...q where expansion.attends(q, k) {
                attended[expansion.tokens[q].segment, default: []].insert(expansion.tokens[k].segment)
            }
        }

        // Causal in write order.
        for q in 0..<n {
            for k in (q + 1)..<max(q + 1, n) where expansion.attends(q, k) {
                Issue.record("\(graph): token \(q) attends to later token \(k)")
                return
            }
        }
        // A fork's branches never see each other (nor each other's descendants).
        for fork in plan.forks {
            for a in fork.branches {
                for b in fork.branches where a != b {
                    let seenByA = plan.segments.filter { descends($0.thread, from: a, plan) }.flatMap { attended[$0.id] ?? [] }
                    let bad = seenByA.filter { threadOf[$0].map { descends($0, from: b, plan) } ?? false }
                    #expect(bad.isEmpty, "\(graph): branch \(a) sees its sibling \(b) through \(bad)")
                }
            }
        }
        // An attend merge sees exactly the parent's context at the fork, its sources and itself.
        for merge in plan.merges where merge.mode == .attend {
            guard let fork = plan.fork(merge.fork), let own = merge.segments.first else { continue }
            // The parent's context at the fork is what each branch saw besides itself.
            let context = Set(fork.segments.first.flatMap { plan.segment($0)?.view.dropLast() } ?? [])
            let expected = context.union(merge.sources).union([own]).filter { !(tokensOf[$0] ?? []).isEmpty }
            #expect(attended[own] ?? [] == expected, "\(graph): merge \(merge.id) attends to \(attended[own] ?? [])")
            // …which starts with the thread's prompt (the graph's, or a spawned child's message).
            if let prompt = fork.segments.first.flatMap({ plan.segment($0)?.view.first }), fork.context == .parent {
                #expect((attended[own] ?? []).contains(prompt), "\(graph): merge \(merge.id) does not see its prompt \(prompt)")
            }
        }
        // An isolated branch or child sees nothing of its parent (only itself and what it forked).
        let isolatedThreads = plan.forks.filter { $0.context == .isolated }.flatMap(\.branches)
            + plan.spawns.filter { $0.context == .isolated }.flatMap { template in
                plan.threads.filter { $0.fork == template.id }.map(\.id)
            }
        for thread in isolatedThreads {
            for segment in plan.segments where segment.thread == thread {
                let outside = (attended[segment.id] ?? []).filter { !(threadOf[$0].map { descends($0, from: thread, plan) } ?? false) }
                #expect(outside.isEmpty, "\(graph): isolated \(segment.id) sees \(outside)")
            }
        }
        // Positions follow the rules: consecutive within a segment, starting at the anchors' largest end.
        var end: [SegmentName: Int] = [:]
        var length: [SegmentName: Int] = [:]
        for segment in plan.segments {
            let indexes = tokensOf[segment.id] ?? []
            let positions = indexes.map { expansion.tokens[$0].position }
            length[segment.id] = positions.count
            let lMax = plan.fork(containing: segment.id).map { FlatSlot.length(of: $0, in: plan, prefixTokens: GraphPropertyTests.characterTokens) } ?? 0
            let start = (segment.placement.after.map { end[$0] ?? 0 }.max() ?? 0)
                + segment.placement.plus.reduce(0) { $0 + (length[$1] ?? 0) } + (segment.placement.slot ?? 0) * lMax
            #expect(positions == Array(start..<(start + positions.count)), "\(graph): \(segment.id) positions \(positions)")
            end[segment.id] = start + positions.count
            switch segment.placement.rule {
            case .start: #expect(start == 0)
            case .shared, .continue: #expect(segment.placement.after.count == 1, "\(graph): \(segment.id)")
            case .flat: #expect(segment.placement.slot != nil || !segment.placement.after.isEmpty)
            case .afterLongest: #expect(!segment.placement.after.isEmpty)
            }
        }
        for fork in plan.forks where fork.context == .parent {
            let starts = fork.segments.compactMap { tokensOf[$0]?.first.map { expansion.tokens[$0].position } }
            let parentEnd = fork.at.flatMap { end[$0] } ?? 0
            if plan.segments.first(where: { fork.segments.contains($0.id) })?.placement.rule == .flat {
                // Naive flattening: branch i starts at the parent's end + i × l_max (the largest budget).
                let lMax = FlatSlot.length(of: fork, in: plan, prefixTokens: GraphPropertyTests.characterTokens)
                for (i, segment) in fork.segments.enumerated() {
                    #expect(tokensOf[segment]?.first.map { expansion.tokens[$0].position } == parentEnd + i * lMax,
                            "\(graph): flat branch \(segment) does not start at slot \(i)")
                }
            } else {
                #expect(starts.allSatisfy { $0 == parentEnd }, "\(graph): shared branches of \(fork.id) start at \(starts)")
            }
        }
        // Liveness never releases a segment before a later view that includes it.
        let order = plan.segmentIndex
        for segment in plan.segments {
            let lastLive = Liveness.lastLiveStage(of: segment, in: plan)
            for reader in plan.segments where reader.id != segment.id && reader.view.contains(segment.id) {
                #expect(reader.stage <= lastLive, "\(graph): \(segment.id) is released before \(reader.id) reads it")
                #expect((order[reader.id] ?? 0) <= (order[segment.lifetime.lastReader] ?? -1),
                        "\(graph): \(segment.id)'s last reader \(segment.lifetime.lastReader) comes before \(reader.id)")
            }
        }
    }

    /// Whether `thread` is `ancestor` or was created (transitively) by it.
    static func descends(_ thread: ThreadID, from ancestor: ThreadID, _ plan: Plan) -> Bool {
        var current: ThreadID? = thread
        while let id = current {
            if id == ancestor { return true }
            current = plan.thread(id)?.parent
        }
        return false
    }
}
