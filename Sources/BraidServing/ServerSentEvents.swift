/// Splits a `text/event-stream` body into the payloads of its `data:` fields, as bytes arrive.
///
/// An event is a run of lines ended by a blank line; the values of its `data:` lines are joined with `\n`
/// (the SSE rule). Lines may end in `\n` or `\r\n`; comments (`:`) and other fields are skipped. Bytes are
/// kept until a whole line is in, so a chunk boundary may fall anywhere, even inside a UTF-8 character.
public struct ServerSentEvents: Sendable {
    private var pending: [UInt8] = []
    private var data: [String] = []

    /// An empty parser.
    public init() {}

    /// Feeds bytes; returns the payloads of the events they complete, in order.
    public mutating func feed<Bytes: Sequence>(_ bytes: Bytes) -> [String] where Bytes.Element == UInt8 {
        var events: [String] = []
        for byte in bytes {
            guard byte == UInt8(ascii: "\n") else {
                pending.append(byte)
                continue
            }
            if pending.last == UInt8(ascii: "\r") { pending.removeLast() }
            let line = String(decoding: pending, as: UTF8.self)
            pending.removeAll(keepingCapacity: true)
            if line.isEmpty {
                if !data.isEmpty { events.append(data.joined(separator: "\n")) }
                data.removeAll()
            } else if line.hasPrefix("data:") {
                var value = line.dropFirst("data:".count)
                if value.first == " " { value = value.dropFirst() }
                data.append(String(value))
            }
        }
        return events
    }

    /// Whether bytes of an unfinished line or event are still held (the stream stopped mid-event).
    public var hasPartialEvent: Bool { !pending.isEmpty || !data.isEmpty }
}
