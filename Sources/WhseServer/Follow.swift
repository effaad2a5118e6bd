import NIOConcurrencyHelpers
import NIOCore
import Warehouse
import WhseProtocol

/// The connections following the change feed; the writer wakes them after each publish.
final class FollowHub: @unchecked Sendable {
    private struct Follower {
        let loop: any EventLoop
        let wake: @Sendable () -> Void
        var queued = false
        /// The last sequence written to the follower (its cursor), for the lag in server.metrics.
        var sent: UInt64
    }
    private let lock = NIOLock()
    private var followers: [ObjectIdentifier: Follower] = [:]

    func add(_ id: ObjectIdentifier, loop: any EventLoop, from cursor: UInt64, wake: @escaping @Sendable () -> Void) {
        lock.withLock { followers[id] = Follower(loop: loop, wake: wake, sent: cursor) }
    }

    /// A follower's cursor moved (it has been sent every record up to `sent`).
    func progress(_ id: ObjectIdentifier, sent: UInt64) {
        lock.withLock { followers[id]?.sent = sent }
    }

    /// How many follow, and how many records the one furthest behind has still to be sent, at `durable`.
    func lag(durable: UInt64) -> (followers: Int, maxRecords: UInt64) {
        lock.withLock {
            let behind = followers.values.map { durable > $0.sent ? durable - $0.sent : 0 }
            return (followers.count, behind.max() ?? 0)
        }
    }

    func remove(_ id: ObjectIdentifier) {
        lock.withLock { followers[id] = nil }
    }

    var count: Int { lock.withLock { followers.count } }

    /// Called by the writer after a publish: one hop per follower, not one per batch while a hop is queued.
    func wake(_ sequence: UInt64) {
        lock.withLock {
            for (id, f) in followers where !f.queued {
                followers[id]!.queued = true
                let wake = f.wake
                f.loop.execute { [self] in
                    lock.withLock { followers[id]?.queued = false }
                    wake()
                }
            }
        }
    }
}

/// One connection following the change feed (protocol.md 13.9), on its event loop. It sends each committed record
/// after its cursor, read from the index (FollowJournal) and the committed view, so catching up and following live
/// are the same code. While it catches up, it writes while less than half of `maxFollowerPendingBytes` is unread and
/// waits for the rest to go out; once it has caught up, a follower with `maxFollowerPendingBytes` unread when new
/// records come is dropped (`follower_too_slow`): it resumes from its cursor on a new connection.
final class FollowStream {
    let core: ServerCore
    let context: ChannelHandlerContext
    /// The last sequence written to the connection.
    private(set) var cursor: UInt64
    let heartbeatMillis: Int
    private(set) var started = false
    private var live = false
    private var ended = false
    private var flushWatch = false
    /// A `pump` queued on the event loop after this one yielded it.
    private var pumpQueued = false
    private var heartbeat: RepeatedTask?
    private let maxPending: Int
    private let siteId: JSON
    private let logEpoch: JSON
    /// The availability rows read at the committed sequence `cachedAt`: while catching up, the records of one view
    /// touch the same keys again and again, and each key is read once per view (not once per record).
    private var availabilityCache: [FollowAvailabilityKey: FollowAvailability?] = [:]
    private var cachedAt: UInt64 = 0
    /// Records encoded per turn of the event loop (and per look at the buffered bytes).
    static let recordsPerTurn = 64
    /// How long a dropped follower's last notification may take to go out before the connection closes.
    static let closeAfterEndMillis: Int64 = 5000

    init(core: ServerCore, context: ChannelHandlerContext, afterSeq: UInt64, heartbeatMillis: Int) {
        self.core = core
        self.context = context
        self.cursor = afterSeq
        self.heartbeatMillis = heartbeatMillis
        self.maxPending = max(1, core.limits.maxFollowerPendingBytes)
        self.siteId = .string(core.follow.siteId)
        self.logEpoch = .number(String(core.follow.logEpoch))
    }

    private var id: ObjectIdentifier { ObjectIdentifier(self) }

    func start() {
        guard !started else { return }
        started = true
        let loop = context.eventLoop
        let bound = NIOLoopBound(self, eventLoop: loop)
        core.followers.add(id, loop: loop, from: cursor) { bound.value.pump() }
        let every = TimeAmount.milliseconds(Int64(heartbeatMillis))
        heartbeat = loop.scheduleRepeatedTask(initialDelay: every, delay: every) { _ in bound.value.beat() }
        pump()
    }

    /// The connection is gone.
    func stop() {
        ended = true
        heartbeat?.cancel()
        heartbeat = nil
        core.followers.remove(id)
    }

    private var buffered: Int {
        (try? context.channel.syncOptions?.getOption(.bufferedWritableBytes)) ?? 0
    }

    /// Writes what is committed after the cursor, as far as the budget allows.
    func pump() {
        guard started, !ended, context.channel.isActive else { return }
        let view = core.writer.committed
        let durable = view.sequence
        var ledger: Ledger? = nil
        while cursor < durable {
            let held = buffered
            if live && held >= maxPending {
                Log.warning(
                    "dropped a follower of the change feed: \(held) bytes unread (maxFollowerPendingBytes "
                        + "\(maxPending)) at sequence \(cursor) of \(durable)",
                    ["reason": "follower_too_slow", "pendingBytes": String(held)])
                end(
                    reason: "follower_too_slow",
                    message: "this follower left \(held) bytes of events unread (maxFollowerPendingBytes is "
                        + "\(maxPending)) while new records were committed; follow again from the last sequence you "
                        + "processed",
                    details: ["pendingBytes": JSON(held), "maxFollowerPendingBytes": JSON(maxPending)])
                return
            }
            if !live && held * 2 >= maxPending {
                waitForFlush()
                return
            }
            let records = core.follow.records(from: cursor + 1, through: durable, limit: FollowStream.recordsPerTurn)
            guard let first = records.first, first.seq == cursor + 1 else {
                let oldest = core.follow.oldestSeq
                end(
                    reason: "cursor_too_old",
                    message: "sequence \(cursor + 1) is no longer retained (the oldest is \(oldest)); reseed from a "
                        + "snapshot", details: ["oldestSeq": .number(String(oldest))])
                return
            }
            let l = ledger ?? view.ledger()
            ledger = l
            for r in records {
                let lines: [[UInt8]]
                do {
                    lines = try encode(r, state: view.state, ledger: l, asOf: durable)
                } catch {
                    // An old cursor's entries come from the history files (docs/on-disk-format.md 11).
                    end(
                        reason: "history_unreadable",
                        message: "the entries of sequence \(r.seq) cannot be read: \(error)", details: [:])
                    return
                }
                for line in lines { write(line) }
                cursor = r.seq
            }
            context.flush()
            core.followers.progress(id, sent: cursor)
            if cursor < durable {
                // One chunk per turn: the event loop serves its other connections (postings) in between.
                if !pumpQueued {
                    pumpQueued = true
                    let bound = NIOLoopBound(self, eventLoop: context.eventLoop)
                    context.eventLoop.execute {
                        bound.value.pumpQueued = false
                        bound.value.pump()
                    }
                }
                return
            }
        }
        live = true
    }

    private func waitForFlush() {
        guard !flushWatch else { return }
        flushWatch = true
        let promise = context.eventLoop.makePromise(of: Void.self)
        let bound = NIOLoopBound(self, eventLoop: context.eventLoop)
        promise.futureResult.whenComplete { _ in
            bound.value.flushWatch = false
            bound.value.pump()
        }
        context.writeAndFlush(NIOAny(context.channel.allocator.buffer(capacity: 0)), promise: promise)
    }

    private func beat() {
        guard !ended else { return }
        pump()
        guard !ended, buffered < maxPending else { return }
        write(
            FollowStream.notification(
                "entries.heartbeat",
                [
                    "siteId": siteId, "logEpoch": logEpoch,
                    "durableSeq": .number(String(core.writer.committed.sequence)),
                    "sentSeq": .number(String(cursor)), "oldestSeq": .number(String(core.follow.oldestSeq))
                ]))
        context.flush()
    }

    private func write(_ line: [UInt8]) {
        var buffer = context.channel.allocator.buffer(capacity: line.count + 1)
        buffer.writeBytes(line)
        buffer.writeInteger(UInt8(ascii: "\n"))
        context.write(NIOAny(buffer), promise: nil)
    }

    /// Ends the stream: a last notification saying why, then the connection closes once it is out (or after
    /// `closeAfterEndMillis`).
    private func end(reason: String, message: String, details: [String: JSON]) {
        var params: [String: JSON] = [
            "siteId": siteId, "logEpoch": logEpoch, "reason": .string(reason),
            "message": .string(message), "sentSeq": .number(String(cursor))
        ]
        params.merge(details) { a, _ in a }
        stop()
        let line = FollowStream.notification("entries.followEnded", params)
        var buffer = context.channel.allocator.buffer(capacity: line.count + 1)
        buffer.writeBytes(line)
        buffer.writeInteger(UInt8(ascii: "\n"))
        let channel = context.channel
        let promise = context.eventLoop.makePromise(of: Void.self)
        promise.futureResult.whenComplete { _ in channel.close(promise: nil) }
        context.writeAndFlush(NIOAny(buffer), promise: promise)
        context.eventLoop.scheduleTask(in: .milliseconds(FollowStream.closeAfterEndMillis)) {
            channel.close(promise: nil)
        }
    }

    static func notification(_ method: String, _ params: [String: JSON]) -> [UInt8] {
        JSON.object(["jsonrpc": .string("2.0"), "method": .string(method), "params": .object(params)]).serialized()
    }

    /// The notifications of one record: `entries.committed`, then `entries.availability` when it wrote entries or
    /// changed availability otherwise (a reservation created or cancelled, a lot / serial no. blocked or unblocked).
    /// Entries no longer in memory are read from the history files (a thrown error: they cannot be).
    func encode(_ r: FollowRecord, state: LedgerState, ledger: Ledger, asOf: UInt64) throws -> [[UInt8]] {
        var keys: Set<FollowAvailabilityKey> = []
        func touch(_ location: String, _ item: String, _ lot: String) {
            keys.insert(FollowAvailabilityKey(location: location, item: item, lot: ""))
            if !lot.isEmpty { keys.insert(FollowAvailabilityKey(location: location, item: item, lot: lot)) }
        }
        let warehouse = try state.warehouseEntries.elements(r.warehouse)
        let itemLedger = try state.itemLedgerEntries.elements(r.itemLedger)
        let physInventory = try state.physInventoryEntries.elements(r.physInventory)
        for e in warehouse { touch(e.location, e.item, e.lot) }
        for e in itemLedger { touch(e.location, e.item, e.lot) }
        for e in physInventory { touch(e.location, e.item, e.lot) }
        keys.formUnion(r.availability)
        // Written straight to bytes (the entries are most of the feed's bytes): FollowCommitted.line.
        var lines = [
            FollowCommitted.line(
                siteId: siteId, logEpoch: logEpoch, seq: r.seq, method: r.method, warehouseEntries: warehouse,
                itemLedgerEntries: itemLedger, physInventoryLedgerEntries: physInventory,
                masterData: r.masterData.map { md in
                    .object(["user": .string(md.user), "timestamp": .string(md.timestamp), "params": md.params])
                }, availabilityFollows: !keys.isEmpty)
        ]
        if !keys.isEmpty {
            if cachedAt != asOf || availabilityCache.count > 100_000 {
                availabilityCache.removeAll(keepingCapacity: true)
                cachedAt = asOf
            }
            let rows: [FollowAvailability] = keys.sorted().compactMap { k in
                if let cached = availabilityCache[k] { return cached }
                let row = ledger.followAvailability(k)
                availabilityCache[k] = .some(row)
                return row
            }
            // Written straight to bytes too (FollowAvailabilityLine.line), not as a tree per row.
            lines.append(
                FollowAvailabilityLine.line(siteId: siteId, logEpoch: logEpoch, seq: r.seq, asOfSeq: asOf, rows: rows))
        }
        return lines
    }
}
