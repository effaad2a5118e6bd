import NIOCore
import NIOPosix
import WhseProtocol

/// One `entries.follow` stream from whsed (protocol.md 13.9), read line by line with NIO's back-pressure: while the
/// sink writes a batch to PostgreSQL it reads nothing, and whsed paces or drops it (never the other way round).
struct FeedError: Error, CustomStringConvertible {
    var description: String
    /// whsed refused the cursor for good (cursor_too_old, log_epoch_changed): retrying cannot help.
    var permanent = false
    /// The error object whsed sent, if any.
    var error: JSON? = nil
}

final class Feed {
    typealias Channel = NIOAsyncChannel<ByteBuffer, ByteBuffer>
    private let inbound: Inbound
    /// A read of the next chunk that a `waitForLine` started and gave up waiting for: the next read takes its
    /// result (nothing is lost, and no two reads of the stream ever run at once).
    private var readAhead: Task<ByteBuffer?, any Error>?
    private let outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>
    private var pending = ByteBuffer()
    /// The line most recently peeked at but not taken.
    private var peeked: ByteBuffer?
    /// The length in bytes of the line `next` returned last.
    private(set) var lastLineBytes = 0
    private var peekedBytes = 0

    private init(
        inbound: NIOAsyncChannelInboundStream<ByteBuffer>,
        outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>
    ) {
        self.inbound = Inbound(inbound.makeAsyncIterator())
        self.outbound = outbound
    }

    /// Connects and runs `body` with the connection; it is closed afterwards.
    static func connect<R>(socket: String, _ body: (Feed) async throws -> R) async throws -> R {
        let channel: Channel
        do {
            channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connect(unixDomainSocketPath: socket) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try Channel(wrappingChannelSynchronously: channel)
                    }
                }
        } catch {
            throw FeedError(description: "cannot connect to whsed at \(socket): \(error)")
        }
        return try await channel.executeThenClose { inbound, outbound in
            try await body(Feed(inbound: inbound, outbound: outbound))
        }
    }

    /// Sends one request and returns its result; whsed's error is thrown as a FeedError.
    func call(_ method: String, _ params: JSON) async throws -> JSON {
        let request = RPCRequest(id: .string("sink"), method: method, params: params)
        var line = request.json.serialized()
        line.append(10)
        try await outbound.write(ByteBuffer(bytes: line))
        let reply = try await next()
        if let e = reply["error"] {
            let reason = e["data"]?["reason"]?.stringValue ?? "error"
            let permanent =
                reason == "cursor_too_old" || reason == "log_epoch_changed"
                || reason == "cursor_ahead" || reason == "permission_denied"
            throw FeedError(
                description: "whsed refused \(method): \(e["message"]?.stringValue ?? "?") "
                    + "[\(reason)]", permanent: permanent, error: e)
        }
        guard let result = reply["result"] else {
            throw FeedError(description: "whsed's answer to \(method) has no result")
        }
        return result
    }

    /// Connects, subscribes and runs `body` with the reply and the feed; the connection is closed afterwards.
    static func follow<R>(
        socket: String, afterSeq: Int, logEpoch: Int?, heartbeatMillis: Int,
        _ body: (JSON, Feed) async throws -> R
    ) async throws -> R {
        try await connect(socket: socket) { feed in
            let params = EntriesFollowParams(afterSeq: afterSeq, logEpoch: logEpoch, heartbeatMillis: heartbeatMillis)
            let result = try await feed.call(EntriesFollowParams.method, params.encoded())
            return try await body(result, feed)
        }
    }

    /// The next line as JSON; throws at the end of the stream.
    func next() async throws -> JSON {
        let line = try await nextLine()
        return try line.withUnsafeReadableBytes { try FeedLine.tree($0) }
    }

    /// The next line's bytes, without its newline; throws at the end of the stream.
    func nextLine() async throws -> ByteBuffer {
        if let p = peeked {
            peeked = nil
            lastLineBytes = peekedBytes
            return p
        }
        while true {
            if let nl = pending.readableBytesView.firstIndex(of: 10) {
                let length = nl - pending.readerIndex
                lastLineBytes = length + 1
                let line = pending.readSlice(length: length)!
                pending.moveReaderIndex(forwardBy: 1)
                if pending.readableBytes == 0 { pending.clear() }
                return line
            }
            guard var chunk = try await nextChunk() else {
                throw FeedError(description: "whsed closed the stream")
            }
            if pending.readableBytes == 0 {
                pending = chunk
            } else {
                pending.writeBuffer(&chunk)
            }
        }
    }

    private func nextChunk() async throws -> ByteBuffer? {
        if let started = readAhead {
            readAhead = nil
            return try await started.value
        }
        return try await inbound.next()
    }

    /// Waits until more of the stream has arrived (true: read it with `nextLine`; a whole line, the start of one or
    /// the stream's end) or until `deadline` has passed (false). A line already here answers true at once. The read
    /// given up on goes on, and `nextLine` takes what it brings.
    func waitForLine(until deadline: ContinuousClock.Instant) async -> Bool {
        if hasBufferedLine { return true }
        let read: Task<ByteBuffer?, any Error>
        if let started = readAhead {
            read = started
        } else {
            let inbound = self.inbound
            read = Task { try await inbound.next() }
            readAhead = read
        }
        let once = Once()
        return await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
            let timer = Task {
                try? await Task.sleep(until: deadline, clock: .continuous)
                if !Task.isCancelled, once.claim() { continuation.resume(returning: false) }
            }
            Task {
                _ = try? await read.value
                timer.cancel()
                if once.claim() { continuation.resume(returning: true) }
            }
        }
    }

    /// Whether a whole line is already here (no waiting).
    var hasBufferedLine: Bool {
        peeked != nil || pending.readableBytesView.contains(10)
    }

    /// Puts a line back: `nextLine` returns it again.
    func unread(_ line: ByteBuffer) {
        peeked = line
        peekedBytes = lastLineBytes
    }
}

/// The stream's iterator, read by one task at a time: by `Feed.nextLine`, or by the read a `waitForLine` started
/// (which `nextLine` then awaits before it reads again).
private final class Inbound: @unchecked Sendable {
    private var iterator: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator

    init(_ iterator: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator) {
        self.iterator = iterator
    }

    func next() async throws -> ByteBuffer? {
        try await iterator.next()
    }
}
