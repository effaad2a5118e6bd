import CSystemd
import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import Warehouse
@_exported import WhseCore
import WhseProtocol
import WriteAheadLog

#if canImport(Glibc)
    import Glibc
#endif

/// What the daemon shares across connections: the writer, the limits, the access rules, counters.
public final class ServerCore: @unchecked Sendable {
    public let writer: Writer
    public let limits: Limits
    public let access: AccessRules
    let startedAt = Date()
    let connections = NIOLockedValueBox(0)
    /// Bytes held by all connections (`maxTotalBufferBytes`).
    let budget: BufferBudget
    /// Connections per user that is not admin (`maxConnectionsPerUser`, `adminReservedConnections`).
    let slots = ConnectionSlots()
    let recovery: WALRecoveryReport
    let log: WriteAheadLog
    /// The change feed: its index of the log, and the connections following it (protocol.md 13.9).
    public let follow: FollowJournal
    let followers = FollowHub()
    /// What server.metrics reports (Metrics.swift).
    public let metrics: ServerMetrics
    public static let version = "0.1.0"
    /// Threads that run the reads that can take long (`ServerCore.offLoopMethods`) off the event loops, so that no
    /// connection waits behind another connection's scan (protocol.md 10). Fixed at two: the machine the targets are
    /// set for has two cores, and the writer and the event loops need theirs.
    public static let readPoolThreads = 2
    let readPool = NIOThreadPool(numberOfThreads: ServerCore.readPoolThreads)
    /// The on-disk entry index behind filtered `entries.*` reads (EntryIndex.swift); nil with `--no-index`.
    public let index: EntryIndex?

    init(
        writer: Writer, limits: Limits, access: AccessRules, recovery: WALRecoveryReport, log: WriteAheadLog,
        index: EntryIndex?, metrics: ServerMetrics, follow: FollowJournal
    ) {
        self.follow = follow
        self.writer = writer
        self.index = index
        self.metrics = metrics
        self.limits = limits
        self.budget = BufferBudget(max: limits.maxTotalBufferBytes)
        self.access = access
        self.recovery = recovery
        self.log = log
    }

    /// Reads write nothing, so they need no clock.
    static let readContext = PostingContext(user: "", timestamp: "", today: "")

    /// Open connections now.
    public var connectionCount: Int { connections.withLockedValue { $0 } }

    /// The context stamped on a posting at acceptance.
    func context(user: String) -> PostingContext {
        let now = utcNow()
        return PostingContext(user: user, timestamp: now.timestamp, today: now.date)
    }

    /// Reads that can take long: scans of the ledgers, whole journals, verify. They run on `readPool`.
    static let offLoopMethods: Set<String> = [
        "entries.warehouse", "entries.item", "entries.physInventory", "itemJournal.get", "whsePhysInventory.get",
        "physInventory.get", "server.verify"
    ]

    /// A read-only method, on the latest committed view (never the writer's lock, never an unsynced posting).
    func read(_ method: String, params: JSON?) -> Result<JSON, RPCError> {
        guard let handler = Handlers.table[method] else { return .failure(.methodNotFound(method)) }
        let view = writer.committed
        if let index, let answer = Handlers.indexedEntries(method, params: params, view: view, index: index) {
            return answer
        }
        let ledger = view.ledger()
        do {
            let p = try Params(params)
            return .success(try handler(ledger, p, ServerCore.readContext))
        } catch let e as RPCError {
            return .failure(e)
        } catch {
            return .failure(.internalError("\(error)"))
        }
    }

    /// `read` for the requests answered straight as bytes (`Handlers.serializedRead`: lean bin content rows; lean
    /// `entries.warehouse` pages the entry index answers); nil for the others, which `read` answers.
    func readSerialized(_ method: String, params: JSON?) -> Result<[UInt8], RPCError>? {
        if method == WarehouseEntriesParams.method, let index {
            return Handlers.indexedEntriesSerialized(method, params: params, view: writer.committed, index: index)
        }
        guard method == BinContentsParams.method || method == ItemBinsParams.method else { return nil }
        let p: Params
        do { p = try Params(params) } catch { return nil }  // `read` gives the error
        return Handlers.serializedRead(method, ledger: writer.committed.ledger(), params: p)
    }

    /// Runs `body` on the read pool (at nice 10) and hands what it returns to `done` on `eventLoop`, or calls
    /// `stopped` there when the pool no longer runs work; the connection waits, its event loop does not.
    func offLoop<T: Sendable>(
        on eventLoop: any EventLoop, _ body: @escaping @Sendable () -> T,
        done: @escaping (T) -> Void, stopped: @escaping () -> Void
    ) {
        let bound = NIOLoopBound((done: done, stopped: stopped), eventLoop: eventLoop)
        readPool.runIfActive(
            eventLoop: eventLoop,
            { () -> T in
                ServerCore.lowerReadThreadPriority()
                return body()
            }
        ).whenComplete { outcome in
            switch outcome {
            case .success(let r): bound.value.done(r)
            case .failure: bound.value.stopped()
            }
        }
    }

    /// Allocations of at least this many bytes get their own mappings, given back when freed (`mallopt`).
    public static let mmapThresholdBytes: Int32 = 1 << 20
    /// Freed memory of at least this many bytes at once (a connection's buffers, a large reply) schedules a trim.
    static let trimAfterBytes = 1 << 20
    private let trimScheduled = NIOLockedValueBox(false)

    /// Gives freed heap memory back to the kernel a moment from now, on the read pool (at nice 10), at most one
    /// trim pending at a time: after an attack of many large lines or replies, RSS falls back instead of staying
    /// at its peak (glibc keeps freed heap memory otherwise).
    func trimMemorySoon(on loop: any EventLoop) {
        let first = trimScheduled.withLockedValue { scheduled -> Bool in
            if scheduled { return false }
            scheduled = true
            return true
        }
        guard first else { return }
        let (pool, flag) = (readPool, trimScheduled)
        loop.scheduleTask(in: .milliseconds(200)) {
            pool.submit { _ in
                flag.withLockedValue { $0 = false }  // memory freed during the trim schedules the next one
                ServerCore.lowerReadThreadPriority()
                _ = whsed_malloc_trim()
            }
        }
    }

    /// Nice value of the read pool's threads: a long read (a verify, a scan of millions of entries) takes the CPU
    /// the writer and the event loops leave, so a loop of them cannot hold up postings on a two-core machine.
    public static let readPoolNice: Int32 = 10

    /// Sets the calling thread's nice value to `readPoolNice` (Linux: per thread).
    /// Cheap, and idempotent.
    static func lowerReadThreadPriority() {
        _ = whsed_nice_this_thread(readPoolNice)
    }

    func serverMethod(_ method: String, params: JSON?, reply: (Result<JSON, RPCError>) -> Void) {
        do {
            let p = try Params(params)
            switch method {
            case ServerStatusParams.method:
                _ = try ServerStatusParams(decoding: p)
                reply(.success(status()))
            case ServerMetricsParams.method:
                _ = try ServerMetricsParams(decoding: p)
                reply(.success(ServerMetricsResult(text: metricsText()).encoded()))
            case ServerVerifyParams.method:
                _ = try ServerVerifyParams(decoding: p)
                let problems = writer.committed.ledger().verify()
                reply(.success(ServerVerifyResult(violations: problems).encoded()))
            default:
                reply(.failure(.methodNotFound(method)))
            }
        } catch let e as RPCError {
            reply(.failure(e))
        } catch {
            reply(.failure(.internalError("\(error)")))
        }
    }

    /// The Prometheus text of server.metrics, with the gauges that are read when asked brought up to date first.
    func metricsText() -> String {
        let view = writer.committed
        let c = view.ledger().counts
        let usage = log.diskUsageByKind()
        metrics.logSegmentBytes.record(usage.segments)
        metrics.snapshotBytes.record(usage.snapshots)
        metrics.lastSequence.record(Double(view.sequence))
        metrics.queued.record(writer.statistics.queued)
        metrics.ledgerEntries["warehouse"]?.record(c.warehouseEntries)
        metrics.ledgerEntries["item"]?.record(c.itemLedgerEntries)
        metrics.ledgerEntries["physInventory"]?.record(c.physInventoryEntries)
        let lag = followers.lag(durable: view.sequence)
        metrics.followers.record(lag.followers)
        metrics.followerLag.record(Double(lag.maxRecords))
        return metrics.text()
    }

    /// `server.status`'s `history` member: the entries the history files hold, the first entry no. each ledger still
    /// holds in memory in the committed view, and the files' bytes (docs/on-disk-format.md 12).
    func historyStatus(_ state: LedgerState) -> JSON {
        guard let history = writer.history else { return .null }
        let c = history.counts
        return .object([
            "entries": .object([
                "warehouse": JSON(c.warehouse), "item": JSON(c.item), "physInventory": JSON(c.physInventory)
            ]),
            "firstInMemory": .object([
                "warehouse": JSON(state.warehouseEntries.firstInMemory + 1),
                "item": JSON(state.itemLedgerEntries.firstInMemory + 1),
                "physInventory": JSON(state.physInventoryEntries.firstInMemory + 1)
            ]),
            "fileBytes": JSON(history.bytes)
        ])
    }

    func status() -> JSON {
        let view = writer.committed
        let c = view.ledger().counts
        let s = writer.statistics
        let log = ServerStatusResult.Log(
            directory: self.log.directory, lastSequence: view.sequence, syncs: s.syncs, recordsWritten: s.records,
            lastSyncMicroseconds: s.lastSyncMicros, maxSyncMicroseconds: s.maxSyncMicros, queued: s.queued,
            snapshotSequence: self.log.snapshotSequence ?? 0, checkpoints: s.checkpoints,
            lastCheckpointMilliseconds: s.lastCheckpointMillis, diskBytes: self.log.diskUsage(),
            recoveredRecords: recovery.recordsReplayed, tornTailBytesDropped: recovery.tornTailBytesDropped,
            cutTail: cutTail(), cutFiles: self.log.cutFiles())
        let limits = ServerStatusResult.Limits([
            .maxLineBytes: self.limits.maxLineBytes, .maxJournalLines: self.limits.maxJournalLines,
            .maxPipelinedRequests: self.limits.maxPipelinedRequests, .maxConnections: self.limits.maxConnections,
            .maxBatchRequests: self.limits.maxBatchRequests, .maxJsonDepth: self.limits.maxJsonDepth,
            .idleTimeoutSeconds: self.limits.idleTimeoutSeconds,
            .maxOpenCountJournals: self.limits.maxOpenCountJournals, .maxReplyBytes: self.limits.maxReplyBytes,
            .maxConnectionBufferBytes: self.limits.effectiveConnectionBufferBytes,
            .maxTotalBufferBytes: self.limits.maxTotalBufferBytes,
            .maxConnectionsPerUser: self.limits.maxConnectionsPerUser,
            .adminReservedConnections: self.limits.adminReservedConnections,
            .maxIdempotencyKeys: StateMachine.maxIdempotencyKeys
        ])
        return ServerStatusResult(
            version: ServerCore.version, pid: Int(getpid()), uptimeSeconds: Int(Date().timeIntervalSince(startedAt)),
            connections: connections.withLockedValue { $0 }, bufferedBytes: budget.total, locations: c.locations,
            bins: c.bins, items: c.items, warehouseEntries: c.warehouseEntries, itemLedgerEntries: c.itemLedgerEntries,
            physInventoryEntries: c.physInventoryEntries, openCountJournals: c.openCountJournals,
            index: index?.status(view.state), history: historyStatus(view.state), log: log, limits: limits
        ).encoded()
    }

    /// What start-up cut from a torn tail, or nil: the segment, the offset, the byte count and the file that keeps
    /// the bytes.
    func cutTail() -> ServerStatusResult.CutTail? {
        guard recovery.tornTailBytesDropped > 0, let file = recovery.tornTailFile else { return nil }
        return ServerStatusResult.CutTail(
            file: file, offset: recovery.tornTailOffset ?? 0, bytes: recovery.tornTailBytesDropped,
            keptIn: recovery.tornTailKeptIn)
    }

    /// The name a posting records for a peer: the user name when known, else "uid:N".
    static func userName(uid: UInt32) -> String {
        var pwd = passwd()
        var result: UnsafeMutablePointer<passwd>? = nil
        var buffer = [CChar](repeating: 0, count: 4096)
        if getpwuid_r(uid, &pwd, &buffer, buffer.count, &result) == 0, result != nil {
            return String(cString: pwd.pw_name)
        }
        return "uid:\(uid)"
    }
}

/// Answers a connection over the limit with one error line and closes it.
final class RejectConnection: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer
    let message: JSON
    init(message: JSON) { self.message = message }

    func channelActive(context: ChannelHandlerContext) {
        var buffer = context.channel.allocator.buffer(capacity: 256)
        buffer.writeBytes(message.serialized() + [10])
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(buffer)).whenComplete { _ in channel.close(promise: nil) }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {}
    func errorCaught(context: ChannelHandlerContext, error: Error) { context.close(promise: nil) }
}

/// The running daemon: log opened and replayed, socket bound (or taken from systemd), serving.
public final class Server: @unchecked Sendable {
    public struct Options: Sendable {
        public var socketPath: String?
        public var stateDirectory: String
        public var limits = Limits()
        public var access = AccessRules()
        public var socketMode: mode_t = 0o660
        public var wal = WALOptions()
        public var autoCheckpointRecords = 100_000
        /// Names this site in every change-feed record (`--site-id`).
        public var siteId = "site"
        /// Records the change feed keeps for followers (`--follow-retain-records`).
        public var followRetainRecords = 1_000_000
        /// Starts a new log epoch (`--new-log-epoch`), after a restore that lost history.
        public var newLogEpoch = false
        /// Keep the on-disk entry index (`<state-dir>/index`); false: every `entries.*` page scans the ledgers.
        public var entryIndex = true
        /// Where the server's metrics go; whsed's main passes the one whose registry it bootstrapped MetricsSystem
        /// with. Each server of a process (the tests) has its own by default.
        public var metrics: ServerMetrics? = nil
        public init(socketPath: String?, stateDirectory: String) {
            self.socketPath = socketPath
            self.stateDirectory = stateDirectory
        }
    }

    public let core: ServerCore
    let group: MultiThreadedEventLoopGroup
    var channel: Channel?
    let options: Options
    /// Pings systemd while the writer and every event loop progress (Watchdog.swift); nil outside systemd's watchdog.
    var watchdog: Watchdog?

    /// Opens and replays the log; throws on corruption (start-up must stop).
    public init(options: Options) throws {
        self.options = options
        Handlers.maxJournalLines = options.limits.maxJournalLines
        let machine = StateMachine()
        var replayed = 0
        var followed = FollowJournal.Replayed()
        let retain = max(1, options.followRetainRecords)
        let log: WriteAheadLog
        let report: WALRecoveryReport
        do {
            (log, report) = try WriteAheadLog.open(
                directory: options.stateDirectory, options: options.wal,
                onSnapshot: { sequence, payload in
                    // A newer state encoding is not damage: say which file and which versions this build reads.
                    let state = options.stateDirectory
                    let file =
                        (state.hasSuffix("/") ? state : state + "/")
                        + WriteAheadLog.snapshotFileName(sequence: sequence)
                    try NewerFormatError.checkStateVersion(of: payload, file: file)
                    do {
                        try machine.restore(payload)
                    } catch {
                        throw WALError.corrupt(
                            file: options.stateDirectory, offset: 0,
                            reason: "snapshot \(sequence) cannot be loaded: \(error)")
                    }
                    followed.snapshotSeq = sequence
                    followed.snapshotCounts = machine.ledger.entryCounts
                },
                onRecord: { sequence, bytes in
                    do {
                        let before = machine.ledger.entryCounts
                        if !machine.ledger.followTouched.isEmpty { machine.ledger.followTouched = [] }
                        let (method, params, context) = try machine.replay(bytes)
                        followed.records.append(
                            FollowRecord(
                                ledger: machine.ledger, sequence: sequence,
                                before: before, method: method, context: context,
                                params: { params }))
                        if followed.records.count >= 2 * retain {
                            followed.records.removeFirst(followed.records.count - retain)
                        }
                    } catch {
                        throw WALError.corrupt(
                            file: options.stateDirectory, offset: Int(sequence),
                            reason: "record \(sequence) does not replay: \(error)")
                    }
                    replayed += 1
                })
        } catch {
            throw NewerFormatError.from(error) ?? error
        }
        // The entries the snapshot leaves to the history files are read from them (docs/on-disk-format.md 11).
        let history = try HistoryStore.open(stateDirectory: options.stateDirectory, machine: machine)
        let metrics = options.metrics ?? ServerMetrics()
        let writer = Writer(machine: machine, log: log, metrics: metrics) { message in
            Log.error(message, id: .fatalStorageError)
            Systemd.notify("STATUS=fatal storage error: \(message)")
            _exit(74)
        }
        let follow = FollowJournal.open(
            directory: options.stateDirectory, siteId: options.siteId,
            retainRecords: retain, lastCommitted: log.lastCommittedSequence,
            replayed: followed, newEpoch: options.newLogEpoch)
        writer.follow = follow
        writer.history = history
        let index =
            options.entryIndex
            ? EntryIndex(stateDirectory: options.stateDirectory, latest: { [unowned writer] in writer.committed }) : nil
        if let index {
            writer.onPublish = { index.published() }
            index.onProgress = { [unowned writer] in writer.entriesMayLeave() }
            writer.indexWatermarks = {
                let w = index.watermarks
                return HistoryCounts(warehouse: w[0], item: w[1], physInventory: w[2])
            }
        }
        core = ServerCore(
            writer: writer, limits: options.limits, access: options.access, recovery: report, log: log,
            index: index, metrics: metrics, follow: follow)
        let followers = core.followers
        writer.onPublishFollow = { sequence in followers.wake(sequence) }
        // One event loop per core for framing, parsing and reads; the writer has its own thread.
        group = MultiThreadedEventLoopGroup(numberOfThreads: max(1, min(4, System.coreCount)))
        let (trimCore, trimLoop) = (core, group.next())
        writer.onEntriesDropped = { trimCore.trimMemorySoon(on: trimLoop) }
        if report.tornTailBytesDropped > 0, let file = report.tornTailFile {
            // Error level: bytes were cut, even if no acknowledged posting can be among them (on-disk format, 5).
            let offset = report.tornTailOffset ?? 0
            let kept = report.tornTailKeptIn ?? ""
            let bytes = report.tornTailBytesDropped
            Log.error(
                "cut a torn tail of \(bytes) bytes from \(file) at offset \(offset): no commit marker follows "
                    + "them, so they are the rest of a write cut short by a crash and were never acknowledged; the "
                    + "bytes are kept in \(kept)",
                ["file": file, "offset": String(offset), "bytes": String(bytes), "keptIn": kept],
                id: .tornTailCut)
        }
        let keptName = report.tornTailKeptIn?.split(separator: "/").last.map(String.init)
        let earlier = report.cutFiles.filter { $0 != keptName }
        if !earlier.isEmpty {
            Log.warning(
                "the state folder keeps bytes cut from torn tails at earlier starts: "
                    + "\(earlier.joined(separator: ", ")); inspect them, then remove them",
                ["files": earlier.joined(separator: ",")])
        }
        Log.info("recovered \(replayed) records", ["records": String(replayed)])
    }

    /// Binds (or adopts the systemd socket) and starts serving.
    public func start() throws {
        core.writer.autoCheckpointRecords = options.autoCheckpointRecords
        core.writer.maxOpenCountJournals = options.limits.maxOpenCountJournals
        core.writer.start()
        core.index?.start()
        DebugStall.install(on: group)
        core.readPool.start()
        _ = whsed_set_mmap_threshold(ServerCore.mmapThresholdBytes)
        let core = self.core
        let bootstrap = ServerBootstrap(group: group)
            // NIO reads this many times per wake-up even after a connection stops reading; 4 reads of at most
            // 64 KiB bound what a paused connection takes beyond its budget (protocol.md 9).
            .childChannelOption(ChannelOptions.maxMessagesPerRead, value: 4)
            .childChannelOption(ChannelOptions.allowRemoteHalfClosure, value: true)
            .childChannelInitializer { channel in
                Server.initialize(channel: channel, core: core)
            }
        // NIO listens again, with a backlog of 128, on a descriptor it adopts: both sockets get ours back after it.
        if let fd = Systemd.listenedSocket() {
            channel = try bootstrap.withBoundSocket(fd).wait()
            listen(fd, ListeningSocket.backlog)
            Log.info("serving on the socket passed by systemd", id: .started)
        } else {
            guard let path = options.socketPath else {
                throw RPCError.internalError(
                    "no socket: give --socket PATH or start whsed through systemd socket activation")
            }
            let fd = try ListeningSocket.bind(path: path, mode: options.socketMode)
            do {
                channel = try bootstrap.withBoundSocket(fd).wait()
            } catch {
                unlink(path)
                throw error
            }
            listen(fd, ListeningSocket.backlog)
            Log.info("serving on \(path)", ["socket": path, "mode": String(options.socketMode, radix: 8)], id: .started)
        }
        if let usec = Systemd.watchdogMicroseconds() {
            watchdog = Watchdog(group: group, writer: core.writer, intervalMicroseconds: usec)
            watchdog?.start()
        }
    }

    static func initialize(channel: Channel, core: ServerCore) -> EventLoopFuture<Void> {
        let count = core.connections.withLockedValue { n -> Int in
            n += 1
            return n
        }
        channel.closeFuture.whenComplete { _ in core.connections.withLockedValue { $0 -= 1 } }
        if count > core.limits.maxConnections {
            // Over the limit: one error line once the channel is active, then close (which frees the slot).
            let refusal = RPCError.limitExceeded(
                "too many connections (at most \(core.limits.maxConnections)); try again later",
                limit: "maxConnections", value: core.limits.maxConnections)
            core.metrics.refused(refusal)
            return channel.eventLoop.makeCompletedFuture {
                try channel.pipeline.syncOperations.addHandler(
                    RejectConnection(message: RPCResponse.failure(id: nil, error: refusal)))
            }
        }
        let credentials: EventLoopFuture<PeerCredentials>
        if let provider = channel as? SocketOptionProvider {
            credentials = provider.unsafeGetSocketOption(
                level: SocketOptionLevel(SOL_SOCKET), name: SocketOptionName(SO_PEERCRED))
        } else {
            credentials = channel.eventLoop.makeSucceededFuture(PeerCredentials())
        }
        return credentials.flatMap { peer in
            var groups: [UInt32] = []
            var n: Int32 = 64
            var list = [gid_t](repeating: 0, count: 64)
            var pw = passwd()
            var res: UnsafeMutablePointer<passwd>? = nil
            var buf = [CChar](repeating: 0, count: 4096)
            if getpwuid_r(peer.uid, &pw, &buf, buf.count, &res) == 0, res != nil,
                getgrouplist(pw.pw_name, peer.gid, &list, &n) >= 0
            {
                groups = Array(list.prefix(Int(n)))
            }
            let role = core.access.role(uid: peer.uid, gid: peer.gid, groups: groups)
            let user = ServerCore.userName(uid: peer.uid)
            if role != .admin {
                if let refusal = core.slots.take(uid: peer.uid, open: core.connectionCount, limits: core.limits) {
                    core.metrics.refused(refusal)
                    return channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(
                            RejectConnection(message: RPCResponse.failure(id: nil, error: refusal)))
                    }
                }
                channel.closeFuture.whenComplete { _ in core.slots.give(uid: peer.uid) }
            }
            core.metrics.connectionOpened(role: role)
            channel.closeFuture.whenComplete { _ in core.metrics.connectionClosed(role: role) }
            return channel.eventLoop.makeCompletedFuture {
                let sync = channel.pipeline.syncOperations
                if core.limits.idleTimeoutSeconds > 0 {
                    try sync.addHandler(IdleStateHandler(readTimeout: .seconds(Int64(core.limits.idleTimeoutSeconds))))
                }
                // The connection frames its own input (LineFramer), so it knows the bytes it holds.
                try sync.addHandler(RPCConnection(core: core, peer: peer, role: role, user: user))
            }
        }
    }

    /// Graceful stop: stop accepting, finish and sync queued postings (their replies go out), close connections.
    public func shutdown() async {
        // systemd stops watching once the unit is stopping: no pings during the drain.
        watchdog?.stop()
        Systemd.notify("STOPPING=1\nSTATUS=draining in-flight postings")
        try? await channel?.close()
        core.writer.drainAndStop()
        // The writer hands each batch's replies to the event loops before it stops; a task queued on every loop
        // after that runs once those replies have been written to their sockets.
        for loop in group.makeIterator() {
            try? await loop.submit {}.get()
        }
        try? await group.shutdownGracefully()
        try? await core.readPool.shutdownGracefully()
        core.index?.stop()
        core.follow.close()
        core.log.close()
    }
}
