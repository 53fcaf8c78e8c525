import BraidPlan

/// KV release by the plan's lifetimes (`Liveness`): the engine holds one reference on every segment it writes and
/// drops it when the plan says the segment's blocks are no longer needed. Nothing else holds segments (a segment's
/// model view holds its reads only while it is written), so what the KV store keeps is exactly what the plan keeps.
///
/// A segment is released
/// - `ownEnd` / `lastReader`: once it is closed and every segment whose view reads it is closed or will never be
///   written (its thread, or one above it, has stopped before opening it);
/// - `textTaken`: once the segment that takes its text (a `reprefill`/`text` merge, a join) opens;
/// - `freedWhenKilled`: at once when the fork's finish policy stops its branch;
/// - `runEnd`: when the run ends.
/// `LayoutConformance` (BraidRuntimeTests) evaluates the same rule on the trace and checks the KV store's live
/// bytes against it after every step.
extension Engine {
    /// Rebuilds the plan lookups (segment index, readers, thread parents) after the plan changed.
    func indexPlan() {
        planIndex = plan.segmentIndex
        var readers: [SegmentName: [SegmentName]] = [:]
        for segment in plan.segments {
            for seen in segment.view where seen != segment.id { readers[seen, default: []].append(segment.id) }
        }
        self.readers = readers
        planParents = Dictionary(plan.threads.map { ($0.id, $0.parent) }, uniquingKeysWith: { first, _ in first })
    }

    /// The plan's segment `name`, if any.
    func planned(_ name: SegmentName) -> Segment? {
        planIndex[name].map { plan.segments[$0] }
    }

    /// Whether the run opened `name` and has finished writing it.
    func isClosed(_ name: SegmentName) -> Bool {
        guard let segment = opened[name] else { return false }
        return segment.view == nil
    }

    /// Whether plan segment `name` will never be written: not opened, and its thread or one above it has stopped.
    func isUnreachable(_ name: SegmentName) -> Bool {
        guard opened[name] == nil, let segment = planned(name) else { return false }
        var thread: ThreadID? = segment.thread
        while let current = thread {
            if stoppedThreads.contains(current) { return true }
            thread = planParents[current] ?? nil
        }
        return false
    }

    /// Whether the plan's lifetime of `segment` has run out, given what the run has written and stopped.
    func isReleasable(_ segment: Segment) -> Bool {
        let readersDone = (readers[segment.id] ?? []).allSatisfy { isClosed($0) || isUnreachable($0) }
        switch segment.lifetime.reason {
        case .runEnd:
            return false
        case .textTaken:
            let taker = segment.lifetime.lastReader
            return opened[taker] != nil || (isUnreachable(taker) && isClosed(segment.id) && readersDone)
        case .lastReader, .ownEnd:
            return isClosed(segment.id) && readersDone
        }
    }

    /// Releases those of `candidates` the engine still holds whose lifetime has run out.
    func releaseExpired(_ candidates: [SegmentName]) throws {
        for name in candidates {
            guard let segment = live[name], let plannedSegment = planned(name), isReleasable(plannedSegment) else { continue }
            try dropLive(segment)
        }
    }

    /// A branch stopped by its fork's finish policy: its segments marked `freedWhenKilled` go at once.
    func releaseKilled(_ thread: RunThread) throws {
        for segment in thread.own where live[segment.name] != nil && planned(segment.name)?.lifetime.freedWhenKilled == true {
            try dropLive(segment)
        }
    }

    /// Releases everything still held (the run ended).
    func releaseAll() throws {
        for name in live.keys.sorted() {
            if let segment = live[name] { try dropLive(segment) }
        }
    }

    /// Drops the engine's reference on a live segment. A reference-count error is a bug in the run's
    /// bookkeeping: it is surfaced, never ignored.
    func dropLive(_ segment: RunSegment) throws {
        live[segment.name] = nil
        do {
            try model.release(segment.kv)
        } catch {
            throw RunError.model(thread: nil, reason: "KV reference count of '\(segment.name)': \(error)")
        }
    }
}
