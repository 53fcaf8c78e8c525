import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix

/// What the stub answers to one request: healthy answers and the faults a real server shows only rarely.
public indirect enum StubReply: Sendable {
    /// A whole response with this status and body (Content-Length set).
    case json(status: Int, body: String)
    /// A server-sent-event stream: each payload as `data: …` then a blank line, `interval` seconds apart;
    /// then `data: [DONE]` and a clean end when `done`, or the connection simply closed when not (a server
    /// killed mid-stream).
    case stream(events: [String], done: Bool, interval: Double)
    /// The same event again and again, `interval` seconds apart, until the client goes away.
    case endless(event: String, interval: Double)
    /// Reads the request and never answers.
    case silent
    /// Reads the request and closes the connection without a byte of answer: what a client sees when it sends on
    /// a pooled keep-alive connection the server has just given up on.
    case closeBeforeAnswer
    /// Waits until `count` requests have arrived in all (this one included), then plays `reply`; answers 409
    /// saying how many had arrived if they have not within `within` seconds. How a test sees requests in flight
    /// together: sent one after another, the first would never get its answer.
    case afterRequests(count: Int, within: Double, reply: StubReply)
}

/// A reply chosen by what the request's body holds (for concurrent requests, whose arrival order is not fixed).
public struct StubRoute: Sendable {
    /// Text the request's JSON body must contain (as it appears there: `\n` in a prompt is the two characters `\`, `n`).
    public var contains: String
    /// What requests that contain it get.
    public var reply: StubReply

    /// Creates a route.
    public init(_ contains: String, _ reply: StubReply) {
        self.contains = contains
        self.reply = reply
    }
}

/// A fault-injecting HTTP/1.1 server on 127.0.0.1 (an ephemeral port) for the serving-client tests.
/// A request whose body contains the text of a route gets the first such route's reply; any other, the n-th,
/// gets `replies[n]` (the last one again once they run out).
public final class StubServer: Sendable {
    /// The port it listens on.
    public let port: Int
    let channel: any Channel
    let state: NIOLockedValueBox<StubState>

    /// `http://127.0.0.1:PORT`.
    public var baseURL: String { "http://127.0.0.1:\(port)" }

    /// Starts a server with its replies.
    public static func start(_ replies: [StubReply], routes: [StubRoute] = []) async throws -> StubServer {
        let state = NIOLockedValueBox(StubState(replies: replies, routes: routes))
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(StubHandler(state: state))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        guard let port = channel.localAddress?.port else {
            try await channel.close()
            throw StubServerError.noPort
        }
        return StubServer(port: port, channel: channel, state: state)
    }

    init(port: Int, channel: any Channel, state: NIOLockedValueBox<StubState>) {
        self.port = port
        self.channel = channel
        self.state = state
    }

    /// Stops listening (connections already open are left to their clients).
    public func stop() async throws {
        try await channel.close()
    }

    /// The bodies of the requests received, in order.
    public var requests: [String] { state.withLockedValue { $0.bodies } }

    /// How many connections the client closed, or that ended, while the stub was still streaming.
    public var abandonedStreams: Int { state.withLockedValue { $0.abandoned } }

    /// Events sent on streams so far, all connections together.
    public var eventsSent: Int { state.withLockedValue { $0.eventsSent } }
}

/// Why the stub could not start.
public enum StubServerError: Error {
    /// The bound socket has no port.
    case noPort
}

/// What the handlers share: the script and what happened.
struct StubState {
    var replies: [StubReply]
    var routes: [StubRoute] = []
    var bodies: [String] = []
    var unrouted = 0
    var abandoned = 0
    var eventsSent = 0

    /// Records a request and picks its reply.
    mutating func next(body: String) -> StubReply {
        bodies.append(body)
        if let route = routes.first(where: { body.contains($0.contains) }) { return route.reply }
        unrouted += 1
        let index = min(unrouted - 1, replies.count - 1)
        return index >= 0 ? replies[index] : .json(status: 500, body: "stub has no replies")
    }
}

/// One connection's handler: collects a request, then plays its reply.
final class StubHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let state: NIOLockedValueBox<StubState>
    var body = ""
    var streaming = false

    init(state: NIOLockedValueBox<StubState>) { self.state = state }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head: body = ""
        case .body(let buffer): body += String(buffer: buffer)
        case .end:
            let text = body
            let reply = state.withLockedValue { $0.next(body: text) }
            play(reply, context: context)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        if streaming { state.withLockedValue { $0.abandoned += 1 } }
        streaming = false
        context.fireChannelInactive()
    }

    func play(_ reply: StubReply, context: ChannelHandlerContext) {
        switch reply {
        case .json(let status, let text):
            var headers = HTTPHeaders([("Content-Type", "application/json"), ("Content-Length", String(text.utf8.count))])
            headers.add(name: "Connection", value: "close")
            context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .init(statusCode: status), headers: headers))), promise: nil)
            context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: text)))), promise: nil)
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        case .stream(let events, let done, let interval):
            startStream(context: context)
            send(events, done: done, interval: interval, context: context)
        case .endless(let event, let interval):
            startStream(context: context)
            repeatForever(event, interval: interval, context: context)
        case .silent:
            break
        case .closeBeforeAnswer:
            context.close(promise: nil)
        case .afterRequests(let count, let within, let reply):
            wait(for: count, until: Date().addingTimeInterval(within), then: reply, context: context)
        }
    }

    func wait(for count: Int, until deadline: Date, then reply: StubReply, context: ChannelHandlerContext) {
        let arrived = state.withLockedValue { $0.bodies.count }
        if arrived >= count { return play(reply, context: context) }
        if Date() >= deadline {
            // 409, not a 5xx: a client would retry a seeded request after a 5xx, and that retry would be the count.
            return play(.json(status: 409, body: "only \(arrived) of \(count) requests arrived in time"), context: context)
        }
        context.eventLoop.assumeIsolated().scheduleTask(in: .milliseconds(20)) {
            self.wait(for: count, until: deadline, then: reply, context: context)
        }
    }

    func startStream(context: ChannelHandlerContext) {
        streaming = true
        let headers = HTTPHeaders([("Content-Type", "text/event-stream"), ("Cache-Control", "no-cache")])
        context.writeAndFlush(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .ok, headers: headers))), promise: nil)
    }

    func event(_ payload: String, context: ChannelHandlerContext) {
        state.withLockedValue { $0.eventsSent += 1 }
        context.writeAndFlush(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: "data: \(payload)\n\n")))), promise: nil)
    }

    func send(_ events: [String], done: Bool, interval: Double, context: ChannelHandlerContext) {
        guard streaming else { return }
        guard let first = events.first else {
            streaming = false
            if done {
                context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: "data: [DONE]\n\n")))), promise: nil)
                context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
            } else {
                context.close(promise: nil)
            }
            return
        }
        event(first, context: context)
        let rest = Array(events.dropFirst())
        context.eventLoop.assumeIsolated().scheduleTask(in: .milliseconds(Int64(interval * 1000))) {
            self.send(rest, done: done, interval: interval, context: context)
        }
    }

    func repeatForever(_ payload: String, interval: Double, context: ChannelHandlerContext) {
        guard streaming else { return }
        event(payload, context: context)
        context.eventLoop.assumeIsolated().scheduleTask(in: .milliseconds(Int64(interval * 1000))) {
            self.repeatForever(payload, interval: interval, context: context)
        }
    }
}
