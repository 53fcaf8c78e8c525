import Testing
@testable import BraidCountdown

@Suite("APR spawn/join protocol and replay")
struct APRTests {
    /// Parent segment 0 of APR's worked example (`apr(10, [1,4,6,8])`, research note apr.md §1).
    let exampleSegment = """
        Moving to Node #0
        Current State: 10:[1, 4, 6, 8], Operations: []
        Exploring Operation: 8-6=2, Resulting Numbers: [1, 4, 2]
        Generated Node #0,0: 10:[1, 4, 2] Operation: 8-6=2
        Exploring Operation: 8/4=2, Resulting Numbers: [1, 6, 2]
        Generated Node #0,1: 10:[1, 6, 2] Operation: 8/4=2
        Moving to Node #0,0
        Current State: 10:[1, 4, 2], Operations: ['8-6=2']
        Exploring Operation: 1*4=4, Resulting Numbers: [2, 4]
        Generated Node #0,0,0: 10:[2, 4] Operation: 1*4=4
        Exploring Operation: 1+4=5, Resulting Numbers: [2, 5]
        Generated Node #0,0,1: 10:[2, 5] Operation: 1+4=5
        <Calling Sub Searches>
        <Start Sub Search 0 at level 1> Moving to Node #0,0,1
        <Start Sub Search 1 at level 1> Moving to Node #0,0,0
        <End Calling Sub Searches>

        """
    /// Child 1 of the worked example (it finds nothing).
    let exampleFailedChild = """
        Moving to Node #0,0,0
        Current State: 10:[2, 4], Operations: ['8-6=2', '1*4=4']
        Exploring Operation: 4-2=2, Resulting Numbers: [2]
        2,10 unequal: No Solution
        Exploring Operation: 4/2=2, Resulting Numbers: [2]
        2,10 unequal: No Solution
        No solution found.

        """
    /// The path child 0 returns in the worked example.
    let exampleReturnedPath = """
        Moving to Node #0,0,1
        Current State: 10:[2, 5], Operations: ['8-6=2', '1+4=5']
        Exploring Operation: 2*5=10, Resulting Numbers: [10]
        10,10 equal: Goal Reached
        """

    @Test("The protocol reproduces APR's worked example: spawned ids, child prompts, join block")
    func workedExample() throws {
        #expect(APRProtocol.isSpawning(exampleSegment))
        #expect(try APRProtocol.spawnedNodeIDs(in: exampleSegment) == ["0,0,1", "0,0,0"])
        let childPrompt = try APRProtocol.childPrompt(for: "0,0,0", in: exampleSegment)
        #expect(exampleFailedChild.hasPrefix(childPrompt))
        #expect(childPrompt == "Moving to Node #0,0,0\nCurrent State: 10:[2, 4], Operations: ['8-6=2', '1*4=4']\n")
        #expect(APRProtocol.searchResult(of: exampleFailedChild) == nil)
        let successfulChild = exampleReturnedPath.replacingLast("10,10 equal: Goal Reached", with: "10,10 equal: Goal Reached\n" + exampleReturnedPath) + "\n"
        #expect(APRProtocol.searchResult(of: successfulChild) == exampleReturnedPath)
        let joined = try APRProtocol.joinedPrompt(parentText: exampleSegment, results: [exampleReturnedPath, nil])
        let beforeSpawn = String(exampleSegment.prefix(upTo: try #require(exampleSegment.firstRange(of: "<Calling Sub Searches>")).lowerBound))
        #expect(joined == beforeSpawn + "<Sub Searches>\n<Goal Reached in Sub Search 0 at level 1 at Node #0,0,1>\n"
            + exampleReturnedPath + "\n<No Solution in Sub Search 1 at level 1 at Node #0,0,0>\n<End Sub Searches>\n")
    }

    @Test("Every APR trace of 1,000 problems replays through the spawn/join rules into exactly its strings")
    func replayRoundTrip() throws {
        try #require(try thousandAPRRecords().count == 1_000)
        var spawning = 0
        for (problem, record) in try zip(thousandProblems(), thousandAPRRecords()) {
            let thread = try #require(record.apr)
            let steps = try APRReplay.steps(of: thread, rootPrompt: record.prompt)
            #expect(steps.count == thread.segments.count)
            let rebuilt = try APRReplay.reconstruct(rootPrompt: record.prompt, parentCompletions: steps.map(\.parentCompletion),
                                                    childCompletions: steps.dropLast().map(\.childCompletions))
            #expect(rebuilt == thread, "\(problem.id): replay differs")
            if thread.children.count > 0 { spawning += 1 }
            for step in steps.dropLast() {
                #expect(step.childCompletions.allSatisfy { $0.hasPrefix("Exploring Operation: ") })
                #expect(step.childResults.contains { $0 != nil } || step.childResults.allSatisfy { $0 == nil })
            }
        }
        #expect(spawning > 500, "only \(spawning) of 1000 traces spawn children")
    }

    @Test("Child strings start with 'Moving to Node #' and their Current State; parents continue after the join")
    func segmentShapes() throws {
        let solver = try TraceSolver(settings: SolverSettings(format: .apr, seed: 4))
        let records = try thousandProblems().prefix(100).map(solver.solve)
        let spawned = records.compactMap(\.apr).filter { !$0.children.isEmpty }
        try #require(!spawned.isEmpty)
        for thread in spawned {
            for (index, children) in thread.children.enumerated() {
                #expect(thread.segments[index].hasSuffix("<End Calling Sub Searches>\n"))
                #expect(thread.segments[index + 1].contains("<Sub Searches>\n"))
                #expect(!thread.segments[index + 1].contains("<Calling Sub Searches>\n<Start Sub Search \(children.count - 1)"))
                for child in children {
                    let lines = child.finalText.split(separator: "\n")
                    #expect(lines.first?.hasPrefix("Moving to Node #0,") == true)
                    #expect(lines.dropFirst().first?.hasPrefix("Current State: ") == true)
                    #expect(child.finalText.hasSuffix("Goal Reached\n") || child.finalText.hasSuffix("No solution found.\n"))
                }
            }
        }
    }

    @Test("A tampered recording is reported, not silently replayed")
    func tamperedRecording() throws {
        let solver = try TraceSolver(settings: SolverSettings(format: .apr, seed: 4, promising: 1))
        let record = try #require(try thousandProblems().prefix(50).map(solver.solve).first { $0.apr?.children.isEmpty == false })
        var thread = try #require(record.apr)
        thread.segments[1] = thread.segments[1].replacingOccurrences("<End Sub Searches>", with: "<End Sub Search>")
        #expect(throws: CountdownError.self) { try APRReplay.steps(of: thread, rootPrompt: record.prompt) }
        var missingChild = try #require(record.apr)
        missingChild.children[0].removeLast()
        #expect(throws: CountdownError.self) { try APRReplay.steps(of: missingChild, rootPrompt: record.prompt) }
    }

    @Test("Flat output lists every parent segment and child string")
    func flatStrings() throws {
        let solver = try TraceSolver(settings: SolverSettings(format: .apr, seed: 4, promising: 1))
        let record = try #require(try thousandProblems().prefix(50).map(solver.solve).first { $0.apr?.children.isEmpty == false })
        let thread = try #require(record.apr)
        let strings = TrainingString.strings(of: record)
        #expect(strings.filter { $0.role == "parent" }.map(\.text) == thread.segments)
        #expect(strings.filter { $0.role == "child" }.map(\.text) == thread.children.flatMap { $0.map(\.finalText) })
    }
}

extension String {
    /// Replaces the last occurrence of `target` (test helper).
    func replacingLast(_ target: String, with replacement: String) -> String {
        guard let range = ranges(of: target).last else { return self }
        return String(self[..<range.lowerBound]) + replacement + String(self[range.upperBound...])
    }

    /// Replaces every occurrence of `target` (test helper, no Foundation).
    func replacingOccurrences(_ target: String, with replacement: String) -> String {
        split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}

@Suite("APR recordings for the runtime")
struct APRRecordingTests {
    @Test("Recordings are deterministic and their steps rebuild their strings")
    func recordingsReplay() throws {
        let recordings = try APRRecording.sample(count: 20, seed: 1)
        #expect(recordings == (try APRRecording.sample(count: 20, seed: 1)))
        for recording in recordings {
            let rebuilt = try APRReplay.reconstruct(rootPrompt: recording.record.prompt,
                                                    parentCompletions: recording.steps.map(\.parentCompletion),
                                                    childCompletions: recording.steps.dropLast().map(\.childCompletions))
            #expect(rebuilt == recording.thread)
        }
    }

    @Test("Multi-round recordings spawn at least twice, and every join but the last found nothing")
    func multiRound() throws {
        let recordings = try APRRecording.multiRound(count: 2, seed: 1)
        #expect(recordings.count == 2)
        for recording in recordings {
            #expect(recording.steps.count >= 3)
            for step in recording.steps.dropLast(2) {
                #expect(step.childResults.allSatisfy { $0 == nil })
                #expect(step.joinBlock.contains("<No Solution in Sub Search 0 at level 1"))
            }
        }
    }
}
