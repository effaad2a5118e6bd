#if canImport(Glibc)
import Glibc
#endif
import Foundation
import NIOCore
import Warehouse
import WhseProtocol

/// Peer credentials of a Unix socket connection (SO_PEERCRED; the layout of `struct ucred`).
public struct PeerCredentials: Sendable {
    public var pid: Int32 = 0
    public var uid: UInt32 = 0
    public var gid: UInt32 = 0
    public init() {}
}

/// One client connection: requests are handled in order, one at a time, and answered in order.
final class RPCConnection: ChannelInboundHandler {
    typealias InboundIn = Frame
    typealias OutboundOut = ByteBuffer

    let core: ServerCore
    let peer: PeerCredentials
    let role: Access
    let user: String
    private var pending: CircularBuffer<Frame> = []
    private var busy = false
    private var readPaused = false
    private var inputDone = false
    private var context: ChannelHandlerContext?

    init(core: ServerCore, peer: PeerCredentials, role: Access, user: String) {
        self.core = core
        self.peer = peer
        self.role = role
        self.user = user
    }

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }
    func handlerRemoved(context: ChannelHandlerContext) { self.context = nil }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        pending.append(unwrapInboundIn(data))
        if pending.count >= core.limits.maxPipelinedRequests && !readPaused {
            readPaused = true
            context.channel.setOption(ChannelOptions.autoRead, value: false).whenFailure { _ in }
        }
        drain()
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable { drain() }
        context.fireChannelWritabilityChanged()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is IdleStateHandler.IdleStateEvent, !busy, pending.isEmpty {
            context.close(promise: nil)
            return
        }
        if let e = event as? ChannelEvent, e == .inputClosed {
            // The client finished sending; answer what it sent, then close.
            inputDone = true
            drain()
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        context.close(promise: nil)
    }

    /// Handles queued frames while the previous one is answered and the peer keeps reading.
    private func drain() {
        guard let context else { return }
        while !busy, context.channel.isWritable, let frame = pending.popFirst() {
            busy = true
            var finishedInline = false
            var inlineResponse: JSON?? = nil
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
                return   // an asynchronous posting; `finish` continues
            }
        }
        if readPaused && pending.count <= core.limits.maxPipelinedRequests / 2 {
            readPaused = false
            context.channel.setOption(ChannelOptions.autoRead, value: true).whenFailure { _ in }
            context.read()
        }
        if pending.isEmpty && !busy && inputDone { context.close(promise: nil) }
    }

    private func finish(_ response: JSON?) {
        send(response)
        busy = false
        drain()
    }

    private func send(_ response: JSON?) {
        guard let context, let response else { return }
        var bytes = response.serialized()
        bytes.append(UInt8(ascii: "\n"))
        var buffer = context.channel.allocator.buffer(capacity: bytes.count)
        buffer.writeBytes(bytes)
        context.writeAndFlush(wrapOutboundOut(buffer), promise: nil)
    }

    // MARK: requests

    /// Produces the response to one frame (nil: nothing to send). `done` runs on this event loop.
    private func handle(_ frame: Frame, done: @escaping (JSON?) -> Void) {
        let line: ByteBuffer
        switch frame {
        case .tooLong:
            done(RPCResponse.failure(id: nil, error: .limitExceeded(
                "request line longer than \(core.limits.maxLineBytes) bytes; it was discarded",
                limit: "maxLineBytes", value: core.limits.maxLineBytes)))
            return
        case .line(let l):
            line = l
        }
        if line.readableBytes == 0 || line.readableBytesView.allSatisfy({ $0 == 32 || $0 == 9 || $0 == 13 }) {
            done(nil)   // blank lines are ignored
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
                done(RPCResponse.failure(id: nil, error: .limitExceeded(
                    "request nested deeper than \(core.limits.maxJsonDepth) levels", limit: "maxJsonDepth",
                    value: core.limits.maxJsonDepth)))
            } else {
                done(RPCResponse.failure(id: nil, error: .parseError(error.description)))
            }
            return
        }
        switch parsed {
        case .array(let elements):
            guard !elements.isEmpty else {
                done(RPCResponse.failure(id: nil, error: .invalidRequest("an empty batch")))
                return
            }
            guard elements.count <= core.limits.maxBatchRequests else {
                done(RPCResponse.failure(id: nil, error: .limitExceeded(
                    "a batch holds at most \(core.limits.maxBatchRequests) requests", limit: "maxBatchRequests",
                    value: core.limits.maxBatchRequests)))
                return
            }
            runBatch(elements[...], responses: [], done: done)
        default:
            request(parsed, done: done)
        }
    }

    private func runBatch(_ rest: ArraySlice<JSON>, responses: [JSON], done: @escaping (JSON?) -> Void) {
        guard let first = rest.first else {
            done(responses.isEmpty ? nil : .array(responses))
            return
        }
        request(first) { [weak self] response in
            var r = responses
            if let response { r.append(response) }
            guard let self else { return }
            self.runBatch(rest.dropFirst(), responses: r, done: done)
        }
    }

    /// One request object: validated, authorized, then read here or posted through the writer.
    private func request(_ value: JSON, done: @escaping (JSON?) -> Void) {
        let req: RPCRequest
        switch RPCRequest.validate(value) {
        case .failure(let e):
            // Echo the id only when it is a valid one (string or integer); otherwise null.
            done(RPCResponse.failure(id: value["id"].flatMap { v -> JSON? in
                switch v {
                case .string: return v
                case .number: return v.intValue != nil ? v : nil
                default: return nil
                }
            }, error: e))
            return
        case .success(let r): req = r
        }
        let reply: (Result<JSON, RPCError>) -> Void = { outcome in
            guard let id = req.id else { done(nil); return }   // notifications get no response
            switch outcome {
            case .success(let result): done(RPCResponse.success(id: id, result: result))
            case .failure(let error): done(RPCResponse.failure(id: id, error: error))
            }
        }
        guard let entry = MethodCatalogue.byName[req.method] else {
            reply(.failure(.methodNotFound(req.method)))
            return
        }
        guard role >= entry.access else {
            Log.warning("permission denied", ["method": req.method, "uid": String(peer.uid), "pid": String(peer.pid),
                                              "role": role.rawValue])
            reply(.failure(.permissionDenied("\(req.method) needs the \(entry.access.rawValue) role; uid \(peer.uid) has \(role.rawValue)")))
            return
        }
        if let p = req.params, case .object(let o) = p, case .array(let lines)? = o["lines"] ?? o["counts"],
           lines.count > core.limits.maxJournalLines {
            reply(.failure(.limitExceeded("a journal request holds at most \(core.limits.maxJournalLines) lines; this one has \(lines.count)",
                                          limit: "maxJournalLines", value: core.limits.maxJournalLines)))
            return
        }
        if req.method == "server.checkpoint" || req.method == "server.backup" {
            do {
                // The same rules as every method: an object (or nothing), here an empty one.
                if try !Params(req.params).object.isEmpty {
                    reply(.failure(.invalidParams("\(req.method) takes no params")))
                    return
                }
            } catch {
                reply(.failure(error))
                return
            }
        }
        if req.method == "server.checkpoint" {
            guard let eventLoop = context?.eventLoop else { return }
            let bound = NIOLoopBound(reply, eventLoop: eventLoop)
            if !core.writer.requestCheckpoint({ outcome in eventLoop.execute { bound.value(outcome) } }) {
                reply(.failure(.shuttingDown()))
            }
            return
        }
        if req.method == "server.backup" {
            guard let eventLoop = context?.eventLoop else { return }
            let bound = NIOLoopBound(reply, eventLoop: eventLoop)
            let accepted = core.writer.requestBackup { sequence, bytes in
                let encoded = Data(bytes).base64EncodedString()
                let result = JSON.object(["sequence": .string(String(sequence)), "format": .string("whsed-state-\(LedgerState.snapshotVersion)"),
                                          "bytes": JSON(bytes.count), "snapshot": .string(encoded)])
                eventLoop.execute { bound.value(.success(result)) }
            }
            if !accepted { reply(.failure(.shuttingDown())) }
            return
        }
        if ServerCore.offLoopMethods.contains(req.method) {
            guard let eventLoop = context?.eventLoop else { return }
            let (core, method, params) = (self.core, req.method, req.params)
            core.offLoop(on: eventLoop, reply: reply) {
                if method.hasPrefix("server.") {
                    var outcome: Result<JSON, RPCError> = .failure(.internalError("no reply"))
                    core.serverMethod(method, params: params) { outcome = $0 }
                    return outcome
                }
                return core.read(method, params: params)
            }
            return
        }
        if req.method.hasPrefix("server.") {
            core.serverMethod(req.method, params: req.params, reply: reply)
            return
        }
        if !entry.mutates {
            reply(core.read(req.method, params: req.params))
            return
        }
        guard let eventLoop = context?.eventLoop else { return }
        let bound = NIOLoopBound(reply, eventLoop: eventLoop)
        let context = core.context(user: user)
        let accepted = core.writer.submit(method: req.method, params: req.params, context: context, on: eventLoop) { outcome in
            bound.value(outcome)
        }
        if !accepted { reply(.failure(.shuttingDown())) }
    }
}
