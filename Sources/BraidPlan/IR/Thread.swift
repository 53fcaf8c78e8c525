/// A thread: one decoding stream that writes an ordered list of segments.
public struct PlanThread: Codable, Equatable, Sendable {
    /// Unique name (`main`, `think[2]`).
    public var id: ThreadID
    /// The thread that created it (`nil` for the root).
    public var parent: ThreadID?
    /// The fork (step id) that created it, if any.
    public var fork: String?
    /// The segments it writes, in order.
    public var segments: [SegmentName]
    /// What it does, in order (see `ThreadStep`): the one walk every executor follows.
    public var program: [ThreadStep]

    /// Creates a thread.
    public init(id: ThreadID, parent: ThreadID? = nil, fork: String? = nil, segments: [SegmentName] = [],
                program: [ThreadStep] = []) {
        self.id = id
        self.parent = parent
        self.fork = fork
        self.segments = segments
        self.program = program
    }
}

/// A set of segments written concurrently; stages run one after another in plan order.
public struct Stage: Codable, Equatable, Sendable {
    /// The graph step the stage comes from.
    public var step: String
    /// The segments written in this stage (fork branches run side by side).
    public var segments: [SegmentName]

    /// Creates a stage.
    public init(step: String, segments: [SegmentName]) {
        self.step = step
        self.segments = segments
    }
}
