import Foundation
import NIOConcurrencyHelpers
import NIOCore
import Warehouse
import WhseProtocol
import WriteAheadLog

#if canImport(Glibc)
    import Glibc
#endif

/// The single writer: validates and applies postings in arrival order, appends their records, and makes them durable
/// with one fdatasync per batch (group commit). No reply leaves before its record is synced; after a write or sync
/// error the process exits without replying (RELIABILITY.md A.1 rule 10).
public final class Writer: @unchecked Sendable {
    public typealias Completion = @Sendable (Result<MethodResult, RPCError>) -> Void

    struct Job {
        var method: String
        var params: JSON?
        /// The params decoded and checked on the event loop (nil: the writer decodes them, as at replay).
        var command: (any RPCParams)?
        /// `StateMachine.recordParams` of `command`, computed on the event loop (nil: the writer computes them).
        var encoded: [UInt8]?
        /// The idempotency key read with `command` (`.some(nil)`: none); nil: the writer reads it from `params`.
        var idempotencyKey: String??
        /// The lines (or counts) the request carries, for the metrics.
        var lines: Int
        var context: PostingContext
        var complete: Completion
        /// Where `complete` must run; nil runs it on the writer thread.
        var eventLoop: (any EventLoop)?
    }

    /// Guards the state machine's live state. Only the writer thread (and the snapshot code it starts) touches the
    /// live state; reads never take this lock: they read the committed view.
    public let stateLock = NIOLock()
    /// The latest committed view: the state as of the last fdatasync, published by the writer after each group
    /// commit and before its replies leave (protocol.md 10). A value of persistent structures, so publishing is O(1)
    /// and the writer's next mutation copies only the paths it changes.
    private let published: NIOLockedValueBox<CommittedView>
    public let machine: StateMachine
    let log: WriteAheadLog
    /// Most postings applied per fdatasync.
    public static let maxBatch = 4096

    private let mutex = NSCondition()
    private var queue: [Job] = []
    private var stopping = false
    private var stopped = false
    private var thread: Thread?
    private var checkpointWaiters: [Completion] = []
    private var backupWaiters: [@Sendable (UInt64, Result<[UInt8], any Error>) -> Void] = []
    /// A snapshot being encoded on a background thread (from a copy-on-write copy of the state).
    private var snapshotEncoding = false
    /// Snapshots encoded and written to their temporary file (or failed) on the snapshot thread, for the writer to
    /// put in place between two batches.
    private var encodedSnapshots:
        [(
            sequence: UInt64, prepared: Result<WriteAheadLog.PreparedSnapshot, any Error>,
            history: HistoryCounts, started: UInt64, waiters: [Completion]
        )] = []
    /// The history files (HistoryStore.swift): each checkpoint appends the entries up to its sequence to them before
    /// the snapshot, which leaves those out. nil (tests): snapshots hold every entry.
    public var history: HistoryStore?
    /// The entries per ledger the entry index holds; entries below both these and the history files' counts leave
    /// memory. nil (`--no-index`): every entry stays in memory while the process runs.
    public var indexWatermarks: (@Sendable () -> HistoryCounts)?
    /// Chunks (4,096 entries) per ledger that leave memory after one batch at most.
    static let dropChunksPerBatch = 4
    /// The history counts of the snapshot in force (writer thread only).
    private var installedHistory = HistoryCounts()
    /// Open count journals allowed (`maxOpenCountJournals`); checked before a calculation, never at replay.
    public var maxOpenCountJournals = 64
    /// Records after which the writer writes a snapshot by itself (`autoCheckpointRecords`); 0 turns it off.
    public var autoCheckpointRecords = 100_000
    /// Records since the last snapshot (writer thread only).
    private var recordsSinceCheckpoint = 0
    private(set) var checkpoints = 0
    private(set) var lastCheckpointMillis = 0

    // Counters for server.status (read under `mutex`).
    private(set) var syncs: Int = 0
    private(set) var recordsWritten: Int = 0
    private(set) var lastSyncMicros: Int = 0
    private(set) var maxSyncMicros: Int = 0
    /// Called with the error that made the writer stop the process (tests replace it to observe).
    let onFatal: @Sendable (String) -> Never
    /// Updated once per group commit and per snapshot (server.metrics).
    let metrics: ServerMetrics
    /// `log.bytesWritten` when the writer last counted it (writer thread only).
    private var bytesCounted = 0
    /// The change feed's index (protocol.md 13.9): the writer adds each batch's records once they are synced.
    public var follow: FollowJournal?
    /// Called on the writer thread with the committed sequence after each publish (wakes the followers).
    public var onPublishFollow: (@Sendable (UInt64) -> Void)?

    public init(
        machine: StateMachine, log: WriteAheadLog, metrics: ServerMetrics = ServerMetrics(),
        onFatal: @escaping @Sendable (String) -> Never
    ) {
        self.machine = machine
        self.log = log
        self.metrics = metrics
        self.onFatal = onFatal
        bytesCounted = log.bytesWritten
        // At start-up the replayed state is exactly the committed log.
        published = NIOLockedValueBox(CommittedView(state: machine.ledger.state, sequence: log.lastCommittedSequence))
        installedHistory = machine.restoredHistory.counts
    }

    /// The latest committed view, for reads: taking it holds a tiny lock for one reference copy, never the writer's.
    public var committed: CommittedView { published.withLockedValue { $0 } }

    /// Publishes the live state as the committed view. Writer thread only, and only when every applied posting's
    /// record is synced (after `log.commit()` returned, or between batches).
    /// Returns the view it replaced: whoever drops the last reference to it frees the tree nodes the writer has
    /// copied since, so `process` hands it to an event loop with the replies instead of freeing them here.
    @discardableResult
    private func publish() -> CommittedView {
        let view = CommittedView(state: machine.ledger.state, sequence: log.lastCommittedSequence)
        let old = published.withLockedValue { current in
            let old = current
            current = view
            return old
        }
        onPublish?()
        onPublishFollow?(view.sequence)
        return old
    }

    /// Called on the writer thread after each publish (the entry index's wake-up); set before `start`.
    public var onPublish: (@Sendable () -> Void)?

    public func start() {
        let t = Thread { [self] in self.run() }
        t.name = "whsed-writer"
        thread = t
        t.start()
    }

    /// Queues a posting; false when the writer is shutting down.
    public func submit(
        method: String, params: JSON?, command: (any RPCParams)? = nil, encoded: [UInt8]? = nil,
        idempotencyKey: String?? = nil, lines: Int? = nil,
        context: PostingContext, on eventLoop: (any EventLoop)? = nil, complete: @escaping Completion
    ) -> Bool {
        let lines = lines ?? Writer.lineCount(params)
        mutex.lock()
        defer { mutex.unlock() }
        if stopping { return false }
        // Time spent idle is not a stall: the clock starts when work arrives.
        if queue.isEmpty && !inBatch { lastProgressNanos = DispatchTime.now().uptimeNanoseconds }
        queue.append(
            Job(
                method: method, params: params, command: command, encoded: encoded,
                idempotencyKey: idempotencyKey, lines: lines, context: context, complete: complete,
                eventLoop: eventLoop))
        mutex.signal()
        return true
    }

    /// Asks for a snapshot; the writer takes it between batches.
    public func requestCheckpoint(_ complete: @escaping Completion) -> Bool {
        mutex.lock()
        defer { mutex.unlock() }
        if stopping { return false }
        checkpointWaiters.append(complete)
        mutex.signal()
        return true
    }

    /// Asks for the state as snapshot bytes at the last committed sequence (a consistent backup while serving).
    /// The bytes hold every entry: those no longer in memory are read from the history files (a failure to read them
    /// is the `Result`'s error).
    public func requestBackup(_ complete: @escaping @Sendable (UInt64, Result<[UInt8], any Error>) -> Void) -> Bool {
        mutex.lock()
        defer { mutex.unlock() }
        if stopping { return false }
        backupWaiters.append(complete)
        mutex.signal()
        return true
    }

    /// Stops taking postings, finishes (and syncs) those queued, then returns.
    public func drainAndStop() {
        mutex.lock()
        stopping = true
        mutex.broadcast()
        while !stopped { mutex.wait() }
        mutex.unlock()
    }

    public var statistics:
        (
            syncs: Int, records: Int, lastSyncMicros: Int, maxSyncMicros: Int, queued: Int, checkpoints: Int,
            lastCheckpointMillis: Int
        )
    {
        mutex.lock()
        defer { mutex.unlock() }
        return (syncs, recordsWritten, lastSyncMicros, maxSyncMicros, queue.count, checkpoints, lastCheckpointMillis)
    }

    /// How long the writer has gone without progress, for the watchdog (Watchdog.swift): 0 while it is idle with
    /// nothing queued; otherwise the time since it last took a batch, finished one, or was handed work while idle.
    /// A batch stuck in fdatasync counts from the moment it was taken, even when nothing else is queued.
    public func stalledNanoseconds(now: UInt64 = DispatchTime.now().uptimeNanoseconds) -> UInt64 {
        mutex.lock()
        defer { mutex.unlock() }
        guard inBatch || !queue.isEmpty else { return 0 }
        return now > lastProgressNanos ? now - lastProgressNanos : 0
    }
    /// When the writer last made progress (under `mutex`).
    private var lastProgressNanos: UInt64 = DispatchTime.now().uptimeNanoseconds
    /// True from taking a batch until its replies are handed out (under `mutex`).
    private var inBatch = false

    private func run() {
        while true {
            mutex.lock()
            while queue.isEmpty && (checkpointWaiters.isEmpty || snapshotEncoding) && backupWaiters.isEmpty
                && encodedSnapshots.isEmpty && !stopping && !dropWanted
            {
                mutex.wait()
            }
            if queue.isEmpty && dropWanted && encodedSnapshots.isEmpty && !stopping {
                dropWanted = false
                mutex.unlock()
                // One step of at most `dropChunksPerBatch` chunks; postings that arrive meanwhile come first.
                if dropOldEntries() { entriesMayLeave() }
                continue
            }
            if !encodedSnapshots.isEmpty {
                let ready = encodedSnapshots
                encodedSnapshots.removeAll()
                mutex.unlock()
                for r in ready {
                    finishCheckpoint(r.sequence, r.prepared, history: r.history, started: r.started, waiters: r.waiters)
                }
                continue
            }
            if queue.isEmpty && !backupWaiters.isEmpty {
                let waiters = backupWaiters
                backupWaiters.removeAll()
                mutex.unlock()
                // Between batches nothing is applied but not yet synced, so the state is exactly the committed log.
                // It is copied here (persistent maps: cheap) and encoded on a thread of its own, while postings go on.
                let (state, keys, sequence) = stateLock.withLock {
                    (machine.ledger.state, machine.rememberedList(), log.lastCommittedSequence)
                }
                let encoder = Thread { [machine] in
                    let bytes = Result {
                        try machine.snapshot(of: state, keys: keys, history: HistoryCounts(), manifest: [])
                    }
                    for w in waiters { w(sequence, bytes) }
                }
                encoder.name = "whsed-backup"
                encoder.start()
                continue
            }
            if queue.isEmpty && !checkpointWaiters.isEmpty && !snapshotEncoding {
                let waiters = checkpointWaiters
                checkpointWaiters.removeAll()
                mutex.unlock()
                startCheckpoint(waiters: waiters)
                continue
            }
            if queue.isEmpty && stopping {
                // Let a snapshot being encoded finish first.
                while snapshotEncoding { mutex.wait() }
                if !encodedSnapshots.isEmpty {
                    mutex.unlock()
                    continue
                }
                mutex.unlock()
                // A snapshot at a clean stop makes the next start-up read no log tail.
                if autoCheckpointRecords > 0 && log.lastCommittedSequence != (log.snapshotSequence ?? 0) {
                    _ = checkpoint()
                }
                mutex.lock()
                stopped = true
                mutex.broadcast()
                mutex.unlock()
                return
            }
            if queue.isEmpty {
                mutex.unlock()
                continue
            }
            let n = min(queue.count, Writer.maxBatch)
            let batch = Array(queue.prefix(n))
            queue.removeFirst(n)
            lastProgressNanos = DispatchTime.now().uptimeNanoseconds
            inBatch = true
            mutex.unlock()
            process(batch)
            mutex.lock()
            inBatch = false
            lastProgressNanos = DispatchTime.now().uptimeNanoseconds
            mutex.unlock()
            dropOldEntries()
            if autoCheckpointRecords > 0 && recordsSinceCheckpoint >= autoCheckpointRecords {
                mutex.lock()
                let busy = snapshotEncoding
                mutex.unlock()
                if !busy { startCheckpoint(waiters: []) }
            }
        }
    }

    /// Starts a snapshot: the state is copied under the lock (copy-on-write, chunked entries: cheap), then encoded,
    /// written to its temporary file and fsynced on a background thread while postings go on; between two batches the
    /// writer only renames it into place and retires what it covers (`finishCheckpoint`), so a checkpoint holds
    /// postings up for a rename and a directory fsync, however large the state.
    private func startCheckpoint(waiters: [Completion]) {
        let started = DispatchTime.now().uptimeNanoseconds
        let (state, keys, sequence) = stateLock.withLock {
            (machine.ledger.state, machine.rememberedList(), log.lastCommittedSequence)
        }
        if sequence == 0 || sequence == (log.snapshotSequence ?? 0) {
            let r: Result<MethodResult, RPCError> = .success(
                .tree(
                    ServerCheckpointResult(
                        sequence: sequence, written: false, reason: "the newest snapshot already covers the log"
                    ).encoded()))
            for w in waiters { w(r) }
            return
        }
        recordsSinceCheckpoint = 0
        mutex.lock()
        snapshotEncoding = true
        mutex.unlock()
        let encoder = Thread { [self] in
            var history = HistoryCounts()
            let prepared = Result {
                let bytes: [UInt8]
                (history, bytes) = try self.snapshotBytes(state, keys: keys)
                return try self.log.prepareSnapshot(sequence: sequence, payload: bytes)
            }
            mutex.lock()
            encodedSnapshots.append((sequence, prepared, history, started, waiters))
            snapshotEncoding = false
            mutex.broadcast()
            mutex.unlock()
        }
        encoder.name = "whsed-snapshot"
        encoder.start()
    }

    /// The history files brought up to `state` (synced), then the snapshot bytes that leave their entries out.
    private func snapshotBytes(_ state: LedgerState, keys: [(String, StateMachine.Remembered)]) throws
        -> (HistoryCounts, [UInt8])
    {
        guard let history else { return (HistoryCounts(), machine.snapshot(of: state, keys: keys)) }
        let counts = try history.append(state)
        return (counts, try machine.snapshot(of: state, keys: keys, history: counts, manifest: history.manifest))
    }

    /// Lets the entries that both the installed snapshot's history files and the entry index hold leave memory
    /// (whole chunks; writer thread). Readers get them from the history files from then on.
    @discardableResult
    private func dropOldEntries() -> Bool {
        guard history != nil, let indexed = indexWatermarks?() else { return false }
        let h = installedHistory
        let first = machine.ledger.firstInMemory
        let chunk = ChunkedArray<WarehouseEntry>.chunkSize
        // At most `dropChunksPerBatch` chunks per ledger at a time: the last view to let a chunk go frees its
        // entries, often on this thread, and a checkpoint after 100,000 journals of 100 lines would free thousands.
        let most = Writer.dropChunksPerBatch * chunk
        let below = HistoryCounts(
            warehouse: min(h.warehouse, indexed.warehouse, first.warehouse + most),
            item: min(h.item, indexed.item, first.item + most),
            physInventory: min(h.physInventory, indexed.physInventory, first.physInventory + most))
        guard
            below.warehouse >= first.warehouse + chunk || below.item >= first.item + chunk
                || below.physInventory >= first.physInventory + chunk
        else { return false }
        stateLock.withLock { machine.ledger.dropEntries(below: below) }
        // Between batches the live state is the committed one: the view published last would keep the chunks.
        publish()
        onEntriesDropped?()
        return below.warehouse == first.warehouse + most || below.item == first.item + most
            || below.physInventory == first.physInventory + most
    }

    /// Tells the writer that entries may leave memory (the entry index moved on, a snapshot was installed): it
    /// drops them step by step while no posting waits.
    public func entriesMayLeave() {
        mutex.lock()
        dropWanted = true
        mutex.signal()
        mutex.unlock()
    }
    /// Called on the writer thread after entries left memory: the server returns the freed heap to the system
    /// (`malloc_trim` on the read pool: a chunk of entries is below glibc's mmap threshold).
    public var onEntriesDropped: (@Sendable () -> Void)?
    /// Set by `entriesMayLeave` (under `mutex`).
    private var dropWanted = false

    private func finishCheckpoint(
        _ sequence: UInt64, _ prepared: Result<WriteAheadLog.PreparedSnapshot, any Error>,
        history: HistoryCounts, started: UInt64, waiters: [Completion]
    ) {
        let outcome: Result<MethodResult, RPCError>
        if sequence <= (log.snapshotSequence ?? 0) {
            if case .success(let p) = prepared { log.discardSnapshot(p) }
            outcome = .success(
                .tree(
                    ServerCheckpointResult(
                        sequence: sequence, written: false, reason: "a newer snapshot was written meanwhile"
                    ).encoded()))
        } else {
            do {
                let p = try prepared.get()
                let payloadBytes = p.payloadBytes
                // The change feed's index up to the snapshot must be on disk before the log retires segments.
                follow?.syncForSnapshot()
                try log.installSnapshot(p)
                installedHistory = history
                entriesMayLeave()
                let millis = checkpointWritten(sequence: sequence, bytes: payloadBytes, started: started)
                outcome = .success(
                    .tree(
                        ServerCheckpointResult(
                            sequence: sequence, written: true, bytes: payloadBytes, milliseconds: millis
                        )
                        .encoded()))
            } catch WALError.noSpace(let message) {
                outcome = .failure(.storageFull(message))
            } catch {
                onFatal("writing a snapshot failed: \(error)")
            }
        }
        for w in waiters { w(outcome) }
    }

    /// Writes a snapshot of the state as of the last committed record, on this thread (at a clean stop). The state is copied under the lock (a
    /// copy-on-write value, so O(1)) and encoded outside it: reads go on meanwhile; postings wait for the writer.
    private func checkpoint() -> Result<MethodResult, RPCError> {
        let started = DispatchTime.now().uptimeNanoseconds
        let (state, keys, sequence) = stateLock.withLock {
            (machine.ledger.state, machine.rememberedList(), log.lastCommittedSequence)
        }
        if sequence == 0 || sequence == (log.snapshotSequence ?? 0) {
            return .success(
                .tree(
                    ServerCheckpointResult(
                        sequence: sequence, written: false, reason: "the newest snapshot already covers the log"
                    ).encoded()))
        }
        let bytes: [UInt8]
        do {
            let history: HistoryCounts
            (history, bytes) = try snapshotBytes(state, keys: keys)
            follow?.syncForSnapshot()
            try log.writeSnapshot(sequence: sequence, payload: bytes)
            installedHistory = history
        } catch WALError.noSpace(let message) {
            // Nothing is lost (the log holds every acknowledged posting), but the operator must hear of it: the disk
            // is full, and the next start replays the whole log after the previous snapshot.
            let previous = log.snapshotSequence ?? 0
            Log.error(
                "the snapshot at shutdown (sequence \(sequence)) was not written: no space left on device: "
                    + "\(message). Every acknowledged posting is in the log; the next start replays it from sequence "
                    + "\(previous + 1). Free space in \(log.directory)",
                ["sequence": String(sequence), "reason": "storage_full"], id: .checkpoint)
            return .failure(.storageFull(message))
        } catch {
            onFatal("writing a snapshot failed: \(error)")
        }
        recordsSinceCheckpoint = 0
        let millis = checkpointWritten(sequence: sequence, bytes: bytes.count, started: started)
        return .success(
            .tree(
                ServerCheckpointResult(sequence: sequence, written: true, bytes: bytes.count, milliseconds: millis)
                    .encoded()))
    }

    /// Counts a snapshot just written (server.status, server.metrics) and logs it; returns its milliseconds.
    private func checkpointWritten(sequence: UInt64, bytes: Int, started: UInt64) -> Int {
        let nanos = DispatchTime.now().uptimeNanoseconds - started
        let millis = Int(nanos / 1_000_000)
        mutex.lock()
        checkpoints += 1
        lastCheckpointMillis = millis
        mutex.unlock()
        metrics.checkpointWritten(nanoseconds: nanos, payloadBytes: bytes)
        Log.info(
            "snapshot written at sequence \(sequence): \(bytes) bytes in \(millis) ms",
            ["sequence": String(sequence), "bytes": String(bytes), "milliseconds": String(millis)],
            id: .checkpoint)
        return millis
    }

    private func process(_ batch: [Job]) {
        var outcomes: [Result<MethodResult, RPCError>] = []
        outcomes.reserveCapacity(batch.count)
        var logged: [Int] = []  // indexes of jobs whose record is pending in the log
        var repeats: [Int] = []  // indexes of jobs answered from a posting of this batch (not yet synced)
        var pending = StateMachine.PendingKeys()
        // The change feed's view of the records of this batch (added once they are synced).
        var followed: [FollowRecord] = []
        let following = follow != nil
        stateLock.lock()
        let ledger = machine.ledger
        let before = ledger.counts
        let batchPoint = ledger.savepoint()
        for (index, job) in batch.enumerated() {
            do {
                let repeatsBefore = pending.repeatsInBatch
                let before = following ? ledger.entryCounts : (0, 0, 0)
                if !ledger.followTouched.isEmpty { ledger.followTouched = [] }
                var sequence: UInt64 = 0
                let (outcome, record) = try machine.apply(
                    method: job.method, params: job.params, command: job.command, encoded: job.encoded,
                    idempotencyKey: job.idempotencyKey, context: job.context,
                    maxOpenCountJournals: maxOpenCountJournals, pending: &pending,
                    append: { sequence = try log.append($0) })
                outcomes.append(outcome)
                if let record {
                    logged.append(index)
                    if following {
                        followed.append(
                            FollowRecord(
                                ledger: ledger, sequence: sequence, before: before,
                                method: job.method, context: job.context,
                                params: { (try? JSONParser.parse(record, maxDepth: 64))?["p"] }))
                    }
                }
                if pending.repeatsInBatch != repeatsBefore { repeats.append(index) }
            } catch {
                // Anything `apply` throws is a storage fault from append.
                stateLock.unlock()
                onFatal("appending to the log failed: \(error)")
            }
        }
        let after = ledger.counts
        stateLock.unlock()

        if !logged.isEmpty {
            let started = DispatchTime.now().uptimeNanoseconds
            do {
                try log.commit()
            } catch WALError.noSpace(let message) {
                stateLock.withLock { ledger.rollback(to: batchPoint) }
                // A repeat of a posting of this batch shares its fate: it was never durable either.
                for i in logged + repeats { outcomes[i] = .failure(.storageFull(message)) }
                deliver(batch, outcomes)
                return
            } catch {
                onFatal("writing or syncing the log failed: \(error); exiting without acknowledging")
            }
            let nanos = DispatchTime.now().uptimeNanoseconds - started
            let micros = Int(nanos / 1000)
            countGroupCommit(
                batch, logged: logged, syncNanoseconds: nanos,
                entries: (
                    after.warehouseEntries - before.warehouseEntries,
                    after.itemLedgerEntries - before.itemLedgerEntries,
                    after.physInventoryEntries - before.physInventoryEntries
                ))
            mutex.lock()
            syncs += 1
            recordsWritten += logged.count
            recordsSinceCheckpoint += logged.count
            lastSyncMicros = micros
            maxSyncMicros = max(maxSyncMicros, micros)
            mutex.unlock()
        }
        stateLock.withLock {
            ledger.release(batchPoint)
            machine.remember(pending)
        }
        follow?.append(followed)
        // The batch is synced: readers may see it now, and before its replies leave, so a client that reads after
        // its reply sees its own posting.
        let retired = logged.isEmpty ? nil : publish()
        deliver(batch, outcomes, retired: retired)
        if Log.debugEnabled { logPostings(batch, logged: logged, outcomes: outcomes) }
    }

    /// One debug line per synced posting, after the replies left: method, user and register no. (`--log-level
    /// debug`; never built otherwise).
    private func logPostings(_ batch: [Job], logged: [Int], outcomes: [Result<MethodResult, RPCError>]) {
        for i in logged {
            guard case .success(let result) = outcomes[i] else { continue }
            var fields = ["method": batch[i].method, "user": batch[i].context.user]
            if let no = result.json["registerNo"]?.intValue { fields["registerNo"] = String(no) }
            Log.debug("posted \(batch[i].method)", fields, id: .posted)
        }
    }

    /// The metrics of one group commit: a few atomic adds and one histogram sample each for the sync and the batch
    /// size, whatever the number of postings and lines. Postings are counted per run of the same method (a batch is
    /// mostly one method), so nothing is allocated.
    private func countGroupCommit(_ batch: [Job], logged: [Int], syncNanoseconds: UInt64, entries: (Int, Int, Int)) {
        var lines = 0
        var runMethod = ""
        var runCount = 0
        for i in logged {
            let job = batch[i]
            lines += job.lines
            if job.method == runMethod {
                runCount += 1
            } else {
                if runCount > 0 { metrics.posted(runMethod, count: runCount) }
                runMethod = job.method
                runCount = 1
            }
        }
        if runCount > 0 { metrics.posted(runMethod, count: runCount) }
        let bytes = log.bytesWritten - bytesCounted
        bytesCounted = log.bytesWritten
        metrics.groupCommit(
            lines: lines, entries: entries, syncNanoseconds: syncNanoseconds, bytes: bytes,
            postingCount: logged.count)
    }

    /// The lines (or counts) of a request's params, for the metrics.
    static func lineCount(_ params: JSON?) -> Int {
        guard let p = params, case .array(let l)? = p["lines"] ?? p["counts"] else { return 0 }
        return l.count
    }

    /// `retired` (the committed view this batch replaced) goes with the first event loop's replies and is released
    /// there, off the writer's thread.
    private func deliver(_ batch: [Job], _ outcomes: [Result<MethodResult, RPCError>], retired: CommittedView? = nil) {
        // One hop per event loop per batch, not one per reply.
        var byLoop: [ObjectIdentifier: (any EventLoop, [(Completion, Result<MethodResult, RPCError>)])] = [:]
        for (job, outcome) in zip(batch, outcomes) {
            guard let loop = job.eventLoop else {
                job.complete(outcome)
                continue
            }
            byLoop[ObjectIdentifier(loop), default: (loop, [])].1.append((job.complete, outcome))
        }
        var retired = retired
        for (_, (loop, replies)) in byLoop {
            let carried = retired
            retired = nil
            loop.execute {
                for (complete, outcome) in replies { complete(outcome) }
                withExtendedLifetime(carried) {}
            }
        }
    }
}

/// What reads see: the state as of the last fdatasync and the last sequence it covers. Immutable; sharing it across
/// threads is safe, and holding it costs the writer only the paths it changes afterwards.
public struct CommittedView: Sendable {
    public let state: LedgerState
    public let sequence: UInt64

    /// A read-only ledger over this view, for the read handlers (one per read: handlers never share it).
    public func ledger() -> Ledger { Ledger(state: state) }
}
