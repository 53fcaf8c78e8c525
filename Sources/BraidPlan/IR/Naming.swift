/// The one definition of how threads and segments are named — by the compiler, by the runtime (which
/// names its KV segments and threads exactly so, see Docs/runtime.md) and by `braid mask`'s `--lengths` keys.
public enum Naming {
    /// The root thread.
    public static let mainThread: ThreadID = "main"

    /// What a thread writes or opens for a step (a segment, a fork, a spawn): the step id on the root thread,
    /// else `thread/step` (`think[0]/check`), so the same step in sibling branches stays unique.
    public static func scoped(_ step: String, thread: ThreadID) -> String {
        thread == mainThread ? step : "\(thread)/\(step)"
    }

    /// Branch `index` (0-based) of the fork named `fork` (already scoped): its thread and first segment.
    public static func branch(of fork: String, _ index: Int) -> ThreadID {
        "\(fork)[\(index)]"
    }

    /// The spliced segment of a `reprefill`/`text` merge whose own segment is `merge`.
    public static func splicedText(of merge: SegmentName) -> SegmentName {
        "\(merge).text"
    }

    /// The segment a spawn's parent decodes in round `round`: the spawn step's segment, then `segment#r`.
    public static func spawnTrigger(_ segment: SegmentName, round: Int) -> SegmentName {
        round == 0 ? segment : "\(segment)#\(round)"
    }

    /// The join segment the parent writes after round `round` of the spawn named `spawn` (already scoped).
    public static func spawnJoin(_ spawn: String, round: Int) -> SegmentName {
        "\(spawn)#\(round).join"
    }

    /// The thread of child `child` (0-based, in the order children start) of round `round` of the spawn named `spawn`.
    public static func spawnChild(_ spawn: String, round: Int, child: Int) -> ThreadID {
        "\(spawn)#\(round).child[\(child)]"
    }

    /// A spawned child's prompt segment.
    public static func childMessage(_ child: ThreadID) -> SegmentName {
        "\(child).message"
    }

    /// `name` if unused, else the first of `name#2`, `name#3`, … not in `used`.
    public static func unique(_ name: String, among used: Set<String>) -> String {
        var candidate = name
        var n = 2
        while used.contains(candidate) {
            candidate = "\(name)#\(n)"
            n += 1
        }
        return candidate
    }
}
