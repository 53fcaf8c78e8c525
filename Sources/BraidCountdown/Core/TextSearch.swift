/// Substring search on UTF-8 bytes. The traces are searched many times per problem, and the standard
/// library's generic `ranges(of:)`/`split` are slow in debug builds; needles here are always ASCII, so
/// byte matches fall on character boundaries.
extension StringProtocol {
    /// Every non-overlapping occurrence of `needle`, left to right.
    func occurrences(of needle: String) -> [Range<Index>] {
        occurrences(of: needle, limit: Int.max)
    }

    /// The first `limit` non-overlapping occurrences of `needle`, left to right.
    func occurrences(of needle: String, limit: Int) -> [Range<Index>] {
        let pattern = Array(needle.utf8)
        let scan = { (hay: UnsafeBufferPointer<UInt8>) -> [Range<Int>] in
            var found: [Range<Int>] = []
            let n = hay.count, m = pattern.count
            guard m > 0, n >= m else { return found }
            var i = 0
            while i <= n - m {
                if hay[i] == pattern[0] {
                    var k = 1
                    while k < m && hay[i + k] == pattern[k] { k += 1 }
                    if k == m {
                        found.append(i..<(i + m))
                        if found.count >= limit { break }
                        i += m
                        continue
                    }
                }
                i += 1
            }
            return found
        }
        let offsets = utf8.withContiguousStorageIfAvailable(scan) ?? Array(utf8).withUnsafeBufferPointer(scan)
        let base = utf8.startIndex
        return offsets.map { utf8.index(base, offsetBy: $0.lowerBound)..<utf8.index(base, offsetBy: $0.upperBound) }
    }

    /// The first occurrence of `needle`.
    func firstOccurrence(of needle: String) -> Range<Index>? {
        occurrences(of: needle, limit: 1).first
    }

    /// The last occurrence of `needle` (scans backwards from the end, so a match near the end is cheap).
    func lastRange(of needle: String) -> Range<Index>? {
        let pattern = Array(needle.utf8)
        let scan = { (hay: UnsafeBufferPointer<UInt8>) -> Int? in
            let n = hay.count, m = pattern.count
            guard m > 0, n >= m else { return nil }
            var i = n - m
            while i >= 0 {
                if hay[i] == pattern[0] {
                    var k = 1
                    while k < m && hay[i + k] == pattern[k] { k += 1 }
                    if k == m { return i }
                }
                i -= 1
            }
            return nil
        }
        guard let offset = utf8.withContiguousStorageIfAvailable(scan) ?? Array(utf8).withUnsafeBufferPointer(scan) else {
            return nil
        }
        let start = utf8.index(utf8.startIndex, offsetBy: offset)
        return start..<utf8.index(start, offsetBy: pattern.count)
    }

    /// The line containing `index` (without its newline).
    func line(around index: Index) -> SubSequence {
        let start = self[..<index].lastIndex(of: "\n").map { self.index(after: $0) } ?? startIndex
        let end = self[index...].firstIndex(of: "\n") ?? endIndex
        return self[start..<end]
    }
}
