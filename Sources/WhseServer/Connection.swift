import Foundation
import NIOCore
import Warehouse
import WhseProtocol

#if canImport(Glibc)
    import Glibc
#endif

/// Peer credentials of a Unix socket connection (SO_PEERCRED; the layout of `struct ucred`).
public struct PeerCredentials: Sendable {
    public var pid: Int32 = 0
    public var uid: UInt32 = 0
    public var gid: UInt32 = 0
    public init() {}
}

/// One client connection: requests are handled in order, one at a time, and answered in order. It frames its own
/// input (LineFramer) so that it knows every byte it holds: the partial line, the queued lines and the line being
/// answered, plus the reply bytes not yet taken by the kernel. Those bytes are its share of the total budget, and
/// decide when it stops reading (protocol.md 2.3 and 9).
final class RPCConnection: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    let core: ServerCore
    let peer: PeerCredentials
    let role: Access
    let user: String
    private var framer: LineFramer
    /// Bytes read but not yet framed: the start of a line.
    private var input: ByteBuffer? = nil
    private var pending: CircularBuffer<Frame> = []
    /// Request text held: `input`, the queued lines and the line being answered.
    private var inputHeld = 0
    /// Bytes of the line being answered (part of `inputHeld` until its reply is written).
    private var currentBytes = 0
    /// Reply bytes NIO still buffers for this connection (the kernel has not taken them).
    private var outputHeld = 0
    /// What this connection last added to the total budget.
    private var accounted = 0
    /// Set while an empty write waits behind buffered replies, to measure `outputHeld` again once they are out.
    private var flushWatch = false
    private var waitingForTotal = false
    private var busy = false
    private var readPaused = false
    private var inputDone = false
    private var context: ChannelHandlerContext?
    /// The channel's options, asked after every reply (`measureOutput`): fetched once.
    private var options: (any NIOSynchronousChannelOptions)?
    /// Set by `entries.follow`: the connection then only streams the change feed (protocol.md 13.9).
    private var follow: FollowStream?

    init(core: ServerCore, peer: PeerCredentials, role: Access, user: String) {
        self.core = core
        self.peer = peer
        self.role = role
        self.user = user
        self.framer = LineFramer(maxLineBytes: core.limits.maxLineBytes)
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        options = context.channel.syncOptions
    }
    func handlerRemoved(context: ChannelHandlerContext) {
        follow?.stop()
        self.context = nil
        options = nil  // it holds the channel
        core.budget.cancel(ObjectIdentifier(self))
        core.budget.add(-accounted)
        if accounted >= ServerCore.trimAfterBytes { core.trimMemorySoon(on: context.eventLoop) }
        accounted = 0
        pending.removeAll()
        input = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        // A follower's further input is read (so that its end is seen) and dropped.
        if follow != nil { return }
        var incoming = unwrapInboundIn(data)
        if input == nil || input!.readableBytes == 0 {
            input = incoming
        } else {
            input!.writeBuffer(&incoming)
        }
        while let frame = framer.next(&input!) {
            pending.append(frame)
        }
        if input!.readableBytes == 0 {
            input = nil  // lets the storage go
        } else if input!.readerIndex > 1 << 16 {
            input!.discardReadBytes()
        }
        recount()
        drain()
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if let follow {
            if context.channel.isWritable { follow.pump() }
            context.fireChannelWritabilityChanged()
            return
        }
        measureOutput()
        if context.channel.isWritable { drain() }
        context.fireChannelWritabilityChanged()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is IdleStateHandler.IdleStateEvent, follow != nil { return }  // a follower only listens
        if let e = event as? ChannelEvent, e == .inputClosed, follow != nil {
            context.close(promise: nil)
            return
        }
        if event is IdleStateHandler.IdleStateEvent, !busy, pending.isEmpty {
            context.close(promise: nil)
            return
        }
        if let e = event as? ChannelEvent, e == .inputClosed {
            // The client finished sending: a last line without its newline is served (unless it is the tail of an
            // over-long line); then answer what it sent, and close.
            if var rest = input, rest.readableBytes > 0, !framer.discarding,
                let line = rest.readSlice(length: rest.readableBytes)
            {
                pending.append(.line(line))
            }
            input = nil
            inputDone = true
            recount()
            drain()
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        context.close(promise: nil)
    }

    // MARK: budgets

    private static func size(_ frame: Frame) -> Int {
        if case .line(let l) = frame { return l.readableBytes + 1 }
        return 0
    }

    /// Counts the request text held again (after frames were queued or answered) and applies the budgets.
    private func recount() {
        var held = (input?.readableBytes ?? 0) + currentBytes
        for f in pending { held += RPCConnection.size(f) }
        inputHeld = held
        account()
    }

    /// Reads how many reply bytes NIO still holds. If some are left, an empty write queued behind them tells when
    /// they are out, so the count does not stay high after the peer has read them.
    private func measureOutput() {
        guard let context else { return }
        let buffered = (try? options?.getOption(.bufferedWritableBytes)) ?? 0
        outputHeld = buffered
        if buffered > 0 && !flushWatch {
            flushWatch = true
            let promise = context.eventLoop.makePromise(of: Void.self)
            let bound = NIOLoopBound(self, eventLoop: context.eventLoop)
            promise.futureResult.whenComplete { _ in
                bound.value.flushWatch = false
                bound.value.measureOutput()
                bound.value.drain()
            }
            context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(capacity: 0)), promise: promise)
        }
        account()
    }

    /// Brings this connection's share of the total up to date, then stops or resumes reading.
    private func account() {
        guard context != nil else { return }  // removed: its bytes were given back
        let mine = inputHeld + outputHeld
        core.budget.add(mine - accounted)
        if accounted - mine >= ServerCore.trimAfterBytes, let loop = context?.eventLoop {
            core.trimMemorySoon(on: loop)
        }
        accounted = mine
        updateReading()
    }

    /// Whether the total budget is used up and this connection holds more than the floor every connection keeps.
    /// Registers a wake-up when it must wait.
    private func mustWaitForTotal() -> Bool {
        if waitingForTotal { return true }
        guard accounted > Limits.connectionBufferFloor, core.budget.exhausted, let loop = context?.eventLoop else {
            return false
        }
        let bound = NIOLoopBound(self, eventLoop: loop)
        waitingForTotal = core.budget.wait(ObjectIdentifier(self)) {
            loop.execute {
                bound.value.waitingForTotal = false
                bound.value.updateReading()
                bound.value.drain()
            }
        }
        return waitingForTotal
    }

    /// Stops reading at `maxPipelinedRequests` queued lines, at `maxConnectionBufferBytes` held, or while the total
    /// is used up; resumes at half of either (or when only a partial line is left), and when the total has room.
    private func updateReading() {
        guard let context else { return }
        let limits = core.limits
        let perConnection = limits.effectiveConnectionBufferBytes
        let mine = inputHeld + outputHeld
        let pause: Bool
        if readPaused {
            let onlyPartial = pending.isEmpty && !busy && mine < perConnection
            pause =
                pending.count * 2 > limits.maxPipelinedRequests
                || (mine * 2 >= perConnection && !onlyPartial) || mustWaitForTotal()
        } else {
            pause = pending.count >= limits.maxPipelinedRequests || mine >= perConnection || mustWaitForTotal()
        }
        if pause && !readPaused {
            readPaused = true
            context.channel.setOption(ChannelOptions.autoRead, value: false).whenFailure { _ in }
        } else if !pause && readPaused {
            readPaused = false
            context.channel.setOption(ChannelOptions.autoRead, value: true).whenFailure { _ in }
            context.read()
        }
    }

    /// Handles queued frames while the previous one is answered and the peer keeps reading. A connection whose
    /// replies are still buffered takes no new request while the total budget is used up.
    /// Most requests one connection answers in a row before it lets the event loop serve its other connections
    /// (a client pipelining thousands of cheap requests, refused ones say, would hold up every connection of its
    /// loop for as long as it takes to answer them all).
    static let maxRequestsPerTurn = 32
    /// How long a `permission_denied` answer waits (`permissionDeniedDelay` in protocol.md 9).
    static let permissionDeniedDelayMilliseconds = 10
    /// The catalogue's entry of the one method `FastRequest` reads.
    static let fastEntry = MethodCatalogue.byName[WhseItemJournalRegisterParams.method]!
    /// Whether a `drain` is queued on the event loop after this connection yielded it.
    private var resumeQueued = false

    private func drain() {
        guard let context else { return }
        var answered = 0
        while !busy, follow == nil, context.channel.isWritable, !pending.isEmpty {
            if outputHeld > 0 && mustWaitForTotal() { break }
            if answered == RPCConnection.maxRequestsPerTurn {
                // Yield: the loop reads and answers its other connections, then this one goes on.
                if !resumeQueued {
                    resumeQueued = true
                    let bound = NIOLoopBound(self, eventLoop: context.eventLoop)
                    context.eventLoop.execute {
                        bound.value.resumeQueued = false
                        bound.value.drain()
                    }
                }
                recount()
                return
            }
            answered += 1
            let frame = pending.removeFirst()
            currentBytes = RPCConnection.size(frame)
            busy = true
            var finishedInline = false
            var inlineResponse: [UInt8]?? = nil
            handle(frame) { [weak self] response in
                guard let self else { return }
                if !finishedInline {
                    // Not yet returned from handle: answer below, in the loop.
                    inlineResponse = .some(response)
                    return
                }
                self.finish(response)
            }
            finishedInline = true
            if let response = inlineResponse {
                send(response)
                busy = false
            } else {
                recount()
                return  // an asynchronous posting; `finish` continues
            }
        }
        recount()
        if pending.isEmpty && !busy && inputDone { context.close(promise: nil) }
    }

    private func finish(_ response: [UInt8]?) {
        send(response)
        busy = false
        drain()
    }

    /// Writes one reply line; the line it answers is no longer held.
    private func send(_ response: [UInt8]?) {
        currentBytes = 0
        guard let context, let response else { return }
        var buffer = context.channel.allocator.buffer(capacity: response.count + 1)
        buffer.writeBytes(response)
        buffer.writeInteger(UInt8(ascii: "\n"))
        context.writeAndFlush(wrapOutboundOut(buffer), promise: nil)
        measureOutput()
        if let follow, !follow.started {
            // The reply to entries.follow is out: the stream starts, and the requests queued behind it are dropped.
            pending.removeAll()
            input = nil
            recount()
            follow.start()
        }
    }

    // MARK: requests

    /// Produces the response to one frame (nil: nothing to send). `done` runs on this event loop.
    private func handle(_ frame: Frame, done: @escaping ([UInt8]?) -> Void) {
        let line: ByteBuffer
        switch frame {
        case .tooLong:
            done(
                Replies.failure(
                    id: nil,
                    .limitExceeded(
                        "request line longer than \(core.limits.maxLineBytes) bytes; it was discarded",
                        limit: "maxLineBytes", value: core.limits.maxLineBytes), core.metrics))
            return
        case .line(let l):
            line = l
        }
        if line.readableBytes == 0 || line.readableBytesView.allSatisfy({ $0 == 32 || $0 == 9 || $0 == 13 }) {
            done(nil)  // blank lines are ignored
            return
        }
        // The ordinary posting, read straight into its command; anything else (and every error) the general way.
        let limits = core.limits
        if let fast = line.withUnsafeReadableBytes({
            FastRequest.decode(
                $0, maxJournalLines: limits.maxJournalLines,
                maxIdempotencyKeyBytes: StateMachine.maxIdempotencyKeyBytes, maxDepth: limits.maxJsonDepth)
        }) {
            dispatch(
                RPCRequest(id: fast.id, method: fast.method, params: nil), fast: fast, room: limits.maxReplyBytes,
                batch: nil, done: done)
            return
        }
        let parsed: JSON
        do {
            parsed = try line.withUnsafeReadableBytes { raw throws(JSONParseError) in
                try JSONParser.parse(raw, maxDepth: core.limits.maxJsonDepth)
            }
        } catch {
            if error.message.hasPrefix("nesting deeper than") {
                // Valid JSON, but deeper than whsed accepts: a limit, not a parse error.
                done(
                    Replies.failure(
                        id: nil,
                        .limitExceeded(
                            "request nested deeper than \(core.limits.maxJsonDepth) levels", limit: "maxJsonDepth",
                            value: core.limits.maxJsonDepth), core.metrics))
            } else {
                done(Replies.failure(id: nil, .parseError(error.description), core.metrics))
            }
            return
        }
        switch parsed {
        case .array(let elements):
            guard !elements.isEmpty else {
                done(Replies.failure(id: nil, .invalidRequest("an empty batch"), core.metrics))
                return
            }
            guard elements.count <= core.limits.maxBatchRequests else {
                done(
                    Replies.failure(
                        id: nil,
                        .limitExceeded(
                            "a batch holds at most \(core.limits.maxBatchRequests) requests", limit: "maxBatchRequests",
                            value: core.limits.maxBatchRequests), core.metrics))
                return
            }
            runBatch(elements, from: 0, reply: BatchReply(), done: done)
        default:
            request(parsed, room: core.limits.maxReplyBytes, batch: nil, done: done)
        }
    }

    /// The reply of a batch, joined as its elements are answered (a class, so that it is not copied per element).
    private final class BatchReply {
        var bytes: [UInt8] = []
        /// Set once an element was refused for `maxReplyBytes`: the elements after it are not run.
        var full = false

        func append(_ response: [UInt8]?) {
            guard let response else { return }
            bytes.append(bytes.isEmpty ? UInt8(ascii: "[") : UInt8(ascii: ","))
            bytes.append(contentsOf: response)
        }
    }

    /// Runs the elements one after another. Their replies are joined as they come, and an element whose reply
    /// would take the whole batch reply over `maxReplyBytes` gets `limit_exceeded` instead (protocol.md 4.4, 9).
    /// Elements answered at once run in a loop, not by recursion, so each element's result is freed before the
    /// next one runs; a posting continues the loop from its completion.
    private func runBatch(_ elements: [JSON], from start: Int, reply: BatchReply, done: @escaping ([UInt8]?) -> Void) {
        var index = start
        while index < elements.count && !reply.full {
            // Room left for this element: the limit less what is joined so far, a comma and the closing bracket.
            let room = core.limits.maxReplyBytes - reply.bytes.count - 2
            var returned = false
            var inline: [UInt8]?? = nil
            let next = index + 1
            request(elements[index], room: room, batch: reply) { [weak self] response in
                if !returned {
                    inline = .some(response)
                    return
                }
                reply.append(response)
                self?.runBatch(elements, from: next, reply: reply, done: done)
            }
            returned = true
            guard let response = inline else { return }  // a posting: its completion goes on
            reply.append(response)
            index = next
        }
        // The rest is answered without running: `limit_exceeded` for each request with an id.
        for element in elements[index...] where element["id"] != nil {
            let id = RPCConnection.echoedID(element)
            reply.append(Replies.batchFull(id: id, maxReplyBytes: core.limits.maxReplyBytes, core.metrics))
        }
        if reply.bytes.isEmpty {
            done(nil)
        } else {
            reply.bytes.append(UInt8(ascii: "]"))
            done(reply.bytes)
        }
    }

    /// One request object: validated, authorized, then read here or posted through the writer.
    /// The id a reply echoes for a request object: a valid one (string or integer), else null.
    static func echoedID(_ value: JSON) -> JSON? {
        value["id"].flatMap { v -> JSON? in
            switch v {
            case .string: return v
            case .number: return v.intValue != nil ? v : nil
            default: return nil
            }
        }
    }

    /// `room` is the most bytes its reply may take (`maxReplyBytes`, or what `batch` has left of it).
    private func request(_ value: JSON, room: Int, batch: BatchReply?, done: @escaping ([UInt8]?) -> Void) {
        let req: RPCRequest
        switch RPCRequest.validate(value) {
        case .failure(let e):
            // Echo the id only when it is a valid one (string or integer); otherwise null.
            done(Replies.failure(id: RPCConnection.echoedID(value), e, core.metrics))
            return
        case .success(let r): req = r
        }
        dispatch(req, fast: nil, room: room, batch: batch, done: done)
    }

    /// Runs a valid request: `req` from the general path, or `fast` (and `req` with no params) from `FastRequest`.
    private func dispatch(
        _ req: RPCRequest, fast: FastRequest.Decoded?, room: Int, batch: BatchReply?,
        done: @escaping ([UInt8]?) -> Void
    ) {
        let limits = core.limits
        let budget = core.budget
        let metrics = core.metrics
        // One lookup of the method (none for a request the fast path read: it is always the same method).
        let catalogued = fast != nil ? RPCConnection.fastEntry : MethodCatalogue.byName[req.method]
        let posts = catalogued?.mutates ?? false
        // The reply line of an outcome, and whether it was refused for `maxReplyBytes`. Thread-safe: the read pool
        // encodes the replies of the reads it runs with it.
        let (id, inBatch) = (req.id, batch != nil)
        let encodeAnswer: @Sendable (Result<Replies.Answer, RPCError>) -> (bytes: [UInt8]?, tooLarge: Bool) = {
            outcome in
            guard let id else { return (nil, false) }  // notifications get no response
            switch outcome {
            case .success(let answer):
                // Every reply may take 64 KiB; a larger one must fit in what the total budget has left.
                let totalLeft = max(Limits.connectionBufferFloor, limits.maxTotalBufferBytes - budget.total)
                let r = Replies.success(
                    id: id, answer, room: room, totalLeft: totalLeft, limits: limits, inBatch: inBatch,
                    posted: posts, metrics)
                return (r.bytes, r.tooLarge)
            case .failure(let error):
                return (Replies.failure(id: id, error, metrics), false)
            }
        }
        let encode: @Sendable (Result<JSON, RPCError>) -> (bytes: [UInt8]?, tooLarge: Bool) = {
            encodeAnswer($0.map { .result(.tree($0)) })
        }
        // The same for a result already serialized (`ServerCore.readSerialized`).
        let encodeSerialized: @Sendable (Result<[UInt8], RPCError>) -> (bytes: [UInt8]?, tooLarge: Bool) = {
            encodeAnswer($0.map { .serialized($0) })
        }
        // The writer's answers: a posting's result is written without a tree.
        let replyResult: (Result<MethodResult, RPCError>) -> Void = { outcome in
            let (bytes, tooLarge) = encodeAnswer(outcome.map { .result($0) })
            if tooLarge { batch?.full = true }
            done(bytes)
        }
        let reply: (Result<JSON, RPCError>) -> Void = { replyResult($0.map { .tree($0) }) }
        guard let entry = catalogued else {
            reply(.failure(.methodNotFound(req.method)))
            return
        }
        guard role >= entry.access else {
            Log.clientWarning(
                "permission denied",
                [
                    "method": req.method, "user": user, "uid": String(peer.uid),
                    "pid": String(peer.pid), "role": role.rawValue
                ])
            let refusal = RPCError.permissionDenied(
                "\(req.method) needs the \(entry.access.rawValue) role; uid \(peer.uid) has \(role.rawValue)")
            // Answered after `permissionDeniedDelayMilliseconds`: a client looping on a refused method gets at
            // most 100 refusals a second per connection instead of keeping its event loop busy answering them.
            guard let eventLoop = context?.eventLoop else { return }
            let bound = NIOLoopBound(reply, eventLoop: eventLoop)
            eventLoop.scheduleTask(in: .milliseconds(Int64(RPCConnection.permissionDeniedDelayMilliseconds))) {
                bound.value(.failure(refusal))
            }
            return
        }
        if let p = req.params, case .object(let o) = p, case .array(let lines)? = o["lines"] ?? o["counts"],
            lines.count > core.limits.maxJournalLines
        {
            reply(
                .failure(
                    .limitExceeded(
                        "a journal request holds at most \(core.limits.maxJournalLines) lines; this one has \(lines.count)",
                        limit: "maxJournalLines", value: core.limits.maxJournalLines)))
            return
        }
        if req.method == EntriesFollowParams.method {
            startFollowing(req, batch: batch, reply: reply)
            return
        }
        if req.method == "server.checkpoint" || req.method == "server.backup" {
            do {
                // The same rules as every method: an object (or nothing), here an empty one.
                _ = try ParamsCatalogue.decode(method: req.method, params: req.params)
            } catch {
                reply(.failure(error))
                return
            }
        }
        if req.method == "server.checkpoint" {
            guard let eventLoop = context?.eventLoop else { return }
            let bound = NIOLoopBound(replyResult, eventLoop: eventLoop)
            if !core.writer.requestCheckpoint({ outcome in eventLoop.execute { bound.value(outcome) } }) {
                reply(.failure(.shuttingDown()))
            }
            return
        }
        if req.method == "server.backup" {
            guard let eventLoop = context?.eventLoop else { return }
            let bound = NIOLoopBound(reply, eventLoop: eventLoop)
            let accepted = core.writer.requestBackup { sequence, outcome in
                let bytes: [UInt8]
                switch outcome {
                case .success(let b): bytes = b
                case .failure(let error):
                    let message = "the backup failed: \(error)"
                    eventLoop.execute { bound.value(.failure(.internalError(message))) }
                    return
                }
                let encoded = Data(bytes).base64EncodedString()
                let format = "whsed-state-\(LedgerState.snapshotVersion)"
                let result = ServerBackupResult(
                    sequence: sequence, format: format, bytes: bytes.count,
                    snapshot: encoded
                ).encoded()
                eventLoop.execute { bound.value(.success(result)) }
            }
            if !accepted { reply(.failure(.shuttingDown())) }
            return
        }
        if !entry.mutates && ServerCore.offLoopMethods.contains(req.method) {
            guard let eventLoop = context?.eventLoop else { return }
            // The read and its reply's encoding both run on the read pool: a whole journal's reply is megabytes of
            // JSON, and encoding it on the event loop would hold up every connection of that loop.
            let (core, method, params) = (self.core, req.method, req.params)
            let bound = NIOLoopBound((done: done, batch: batch), eventLoop: eventLoop)
            let started = DispatchTime.now().uptimeNanoseconds  // the wait for a pool thread counts
            core.offLoop(on: eventLoop) { () -> (bytes: [UInt8]?, tooLarge: Bool) in
                defer { metrics.read(method, startedAt: started) }
                if method.hasPrefix("server.") {
                    var outcome: Result<JSON, RPCError> = .failure(.internalError("no reply"))
                    core.serverMethod(method, params: params) { outcome = $0 }
                    return encode(outcome)
                }
                if let answer = core.readSerialized(method, params: params) { return encodeSerialized(answer) }
                return encode(core.read(method, params: params))
            } done: { bytes, tooLarge in
                if tooLarge { bound.value.batch?.full = true }
                if (bytes?.count ?? 0) >= ServerCore.trimAfterBytes { core.trimMemorySoon(on: eventLoop) }
                bound.value.done(bytes)
            } stopped: {
                bound.value.done(id.map { Replies.failure(id: $0, .shuttingDown(), metrics) })
            }
            return
        }
        if req.method.hasPrefix("server.") {
            let started = DispatchTime.now().uptimeNanoseconds
            core.serverMethod(req.method, params: req.params, reply: reply)
            metrics.read(req.method, startedAt: started)
            return
        }
        if !entry.mutates {
            let started = DispatchTime.now().uptimeNanoseconds
            if let answer = core.readSerialized(req.method, params: req.params) {
                let (bytes, tooLarge) = encodeSerialized(answer)
                if tooLarge { batch?.full = true }
                done(bytes)
            } else {
                reply(core.read(req.method, params: req.params))
            }
            metrics.read(req.method, startedAt: started)
            return
        }
        guard let eventLoop = context?.eventLoop else { return }
        // Decoded and checked here, on the event loop and outside any lock: the writer gets a typed command, and a
        // request with bad params never reaches it. The idempotency key is the writer's to check (a repeat is
        // answered from what was remembered).
        // So is the record's encoding of the command, which the writer would otherwise compute on its own thread.
        let command: any RPCParams
        let key: String?
        let lines: Int
        if let fast {
            command = fast.command
            key = fast.idempotencyKey
            lines = fast.lines
        } else {
            do {
                key = try StateMachine.idempotencyKey(req.params)
                command = try ParamsCatalogue.decode(method: req.method, params: req.params)
            } catch {
                reply(.failure(error))
                return
            }
            lines = Writer.lineCount(req.params)
        }
        let encoded = StateMachine.recordParams(command, idempotencyKey: key)
        let bound = NIOLoopBound(replyResult, eventLoop: eventLoop)
        let context = core.context(user: user)
        let accepted = core.writer.submit(
            method: req.method, params: req.params, command: command, encoded: encoded,
            idempotencyKey: .some(key), lines: lines, context: context,
            on: eventLoop
        ) { outcome in
            bound.value(outcome)
        }
        if !accepted { reply(.failure(.shuttingDown())) }
    }

    /// `entries.follow` (protocol.md 13.9): checks the cursor, answers, and turns the connection into a stream once
    /// the answer is written (`send`).
    private func startFollowing(_ req: RPCRequest, batch: BatchReply?, reply: (Result<JSON, RPCError>) -> Void) {
        guard batch == nil else {
            reply(.failure(.invalidRequest("entries.follow cannot be part of a batch: send it alone")))
            return
        }
        guard req.id != nil else {
            reply(.failure(.invalidRequest("entries.follow needs an id")))
            return
        }
        guard let context else { return }
        let p: EntriesFollowParams
        do {
            p = try EntriesFollowParams(decoding: try Params(req.params))
        } catch {
            reply(.failure(error))
            return
        }
        let journal = core.follow
        let durable = core.writer.committed.sequence
        let oldest = journal.oldestSeq
        let after = UInt64(p.afterSeq)
        if let e = p.logEpoch, UInt64(e) != journal.logEpoch {
            reply(.failure(.logEpochChanged(given: e, current: journal.logEpoch, siteId: journal.siteId)))
            return
        }
        if after > durable {
            reply(
                .failure(
                    .cursorAhead(
                        afterSeq: after, durableSeq: durable, logEpoch: journal.logEpoch,
                        siteId: journal.siteId)))
            return
        }
        if after + 1 < oldest {
            reply(
                .failure(
                    .cursorTooOld(
                        afterSeq: after, oldestSeq: oldest, logEpoch: journal.logEpoch,
                        siteId: journal.siteId)))
            return
        }
        let heartbeat = p.heartbeatMillis ?? EntriesFollowParams.defaultHeartbeatMillis
        follow = FollowStream(core: core, context: context, afterSeq: after, heartbeatMillis: heartbeat)
        reply(
            .success(
                EntriesFollowResult(
                    siteId: journal.siteId, logEpoch: journal.logEpoch, afterSeq: after, durableSeq: durable,
                    oldestSeq: oldest, heartbeatMillis: heartbeat,
                    maxFollowerPendingBytes: core.limits.maxFollowerPendingBytes
                ).encoded()))
    }
}
