import CSQLite
import CSystemd
import Foundation
import NIOConcurrencyHelpers
import Warehouse
import WhseProtocol

#if canImport(Glibc)
    import Glibc
#endif

/// The on-disk index of the ledgers' entries, `<state-dir>/index/entries.sqlite` (docs/on-disk-format.md 10,
/// protocol.md 13.6): per ledger a table of entry numbers and filter columns, indexed so that a filtered
/// `entries.*` page is a seek instead of a scan of the history.
///
/// Derived from the log, never the truth: SQLite runs with `synchronous=OFF` and nothing on the posting path waits
/// for it. One indexer thread (at nice 10) follows the committed views the writer publishes and inserts the new
/// entries in transactions of at most `batchEntries`; a table's watermark (the entries it holds: 1...watermark)
/// moves in the same transaction. Readers ask the index for entries up to the watermark and scan the rest of the
/// committed view (the lag) in memory, so a lagging index never hides a committed entry.
///
/// At start-up the file is checked (schema, `PRAGMA quick_check`, each table's watermark against the entries
/// replayed and a fingerprint of its first and last entry); a missing, damaged, stale or foreign file is deleted and
/// rebuilt in the background. Until the index is ready, reads take the linear path.
public final class EntryIndex: @unchecked Sendable {
    /// `<state-dir>/index`.
    public let directory: String
    public var path: String { directory + "/entries.sqlite" }
    /// The committed view to follow.
    private let latest: @Sendable () -> CommittedView
    /// The layout of the file; another value makes start-up rebuild it.
    static let schemaVersion = "3"
    /// Most entries inserted per transaction while following the log, and by a rebuild. Large transactions are
    /// what makes posting lists short to write: at 65,536 entries over 2,000 items, about 33 numbers per row.
    static let batchEntries = 65536
    static let rebuildBatchEntries = 65536
    /// The indexer waits this long after each catch-up (microseconds), so that a transaction takes the postings of
    /// 50 ms at once instead of one group commit's; readers scan at most that much of the log in memory meanwhile.
    static let followIntervalMicros: UInt32 = 50_000
    /// SQLite's page cache of the indexer's connection (KiB) and its WAL size before a checkpoint (pages): the
    /// posting lists' last pages stay in the cache, and a page written by several transactions is copied back to
    /// the database once per checkpoint.
    static let cacheKiB = 65536
    static let walCheckpointPages = 10000
    /// Test hook (debug builds only): with WHSED_DEBUG_INDEX=pause the indexer opens or rebuilds the file but
    /// indexes nothing newer, so reads must take the lag from memory; `slow` inserts 100 entries per transaction and
    /// sleeps 50 ms after each.
    static let debugVariable = "WHSED_DEBUG_INDEX"
    /// Test hook (debug builds only): the boot id to use instead of the kernel's, so that a test can simulate the
    /// machine's restart after a power loss.
    static let debugBootVariable = "WHSED_DEBUG_BOOT_ID"

    /// The kernel's boot id: another value at start-up means the machine restarted since.
    let bootID: String

    private let mutex = NSCondition()
    private var pending = true
    private var stopping = false
    private var running = false
    private var thread: Thread?
    private let debugMode: String

    /// What readers and `server.status` see.
    struct Shared {
        var ready = false
        /// Bumped when the file is replaced: pooled reader connections of an older generation are closed.
        var generation = 0
        var watermarks = [Int](repeating: 0, count: IndexedLedger.allCases.count)
        var state = "opening"
        var rebuilds = 0
        var lastRebuildReason: String?
        var lastRebuildMillis = 0
        var lastError: String?
        var readers: [(generation: Int, connection: SQLiteConnection)] = []
        var queries = 0
    }
    let shared = NIOLockedValueBox(Shared())
    /// The indexer's connection (indexer thread only).
    private var db: SQLiteConnection?
    /// The flock on `<dir>/lock` held while this process uses the index.
    private var lockFD: Int32 = -1

    public init(stateDirectory: String, latest: @escaping @Sendable () -> CommittedView) {
        let state = stateDirectory.hasSuffix("/") ? String(stateDirectory.dropLast()) : stateDirectory
        directory = state + "/index"
        self.latest = latest
        #if DEBUG
            debugMode = ProcessInfo.processInfo.environment[EntryIndex.debugVariable] ?? ""
            let debugBoot = ProcessInfo.processInfo.environment[EntryIndex.debugBootVariable]
        #else
            debugMode = ""
            let debugBoot: String? = nil
        #endif
        bootID =
            debugBoot
            ?? (try? String(contentsOfFile: "/proc/sys/kernel/random/boot_id", encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines) ?? "unknown"
    }

    // MARK: Life cycle

    /// Starts the indexer thread: it opens (or rebuilds) the file, then follows the log.
    public func start() {
        if !debugMode.isEmpty {
            Log.warning("test hook: \(EntryIndex.debugVariable)=\(debugMode) (debug build only)")
        }
        mutex.lock()
        running = true
        mutex.unlock()
        let t = Thread { [self] in
            // Foundation's name does not reach the kernel's: `whsed-indexer` in /proc/PID/task/*/comm.
            _ = whsed_name_this_thread("whsed-indexer")
            _ = whsed_nice_this_thread(ServerCore.readPoolNice)
            self.run()
            mutex.lock()
            running = false
            mutex.broadcast()
            mutex.unlock()
        }
        t.name = "whsed-indexer"
        thread = t
        t.start()
    }

    /// Called by the writer after each publish: wakes the indexer. Cheap: one uncontended lock and a signal.
    public func published() {
        mutex.lock()
        pending = true
        mutex.signal()
        mutex.unlock()
    }

    /// Stops the indexer after its current transaction and closes the file.
    public func stop() {
        mutex.lock()
        stopping = true
        mutex.broadcast()
        while running { mutex.wait() }
        mutex.unlock()
        shared.withLockedValue { s in
            s.ready = false
            s.readers.removeAll()
        }
        if let db { markClean(db) }
        db = nil
        if lockFD >= 0 {
            close(lockFD)
            lockFD = -1
        }
    }

    private var isStopping: Bool {
        mutex.lock()
        defer { mutex.unlock() }
        return stopping
    }

    private func run() {
        do {
            try takeLock()
            try openOrRebuild(latest().state)
        } catch {
            fail("the entry index cannot be opened or rebuilt: \(error); entries.* queries scan the ledgers")
            return
        }
        if debugMode == "pause" {
            shared.withLockedValue { $0.state = "paused" }
        }
        while true {
            mutex.lock()
            while !pending && !stopping { mutex.wait() }
            if stopping {
                mutex.unlock()
                return
            }
            pending = false
            mutex.unlock()
            if debugMode == "pause" { continue }
            do {
                try catchUp(latest().state, batch: EntryIndex.batchEntries)
            } catch {
                // A damaged file or a full disk: rebuild from memory; reads scan the ledgers meanwhile.
                Log.error("the entry index failed: \(error); rebuilding it", ["file": path])
                do {
                    try rebuild(latest().state, reason: "write failed: \(error)")
                } catch {
                    fail("rebuilding the entry index failed: \(error); entries.* queries scan the ledgers")
                    return
                }
            }
            // Coalesce wake-ups: under load a publish comes every few hundred microseconds.
            usleep(EntryIndex.followIntervalMicros)
        }
    }

    private func fail(_ message: String) {
        Log.error(message, ["file": path])
        shared.withLockedValue { s in
            s.ready = false
            s.state = "failed"
            s.lastError = message
            s.readers.removeAll()
        }
        db = nil
    }

    /// An exclusive flock on `<dir>/lock`, so that `whsed --rebuild-index` and a running whsed never share the file.
    func takeLock() throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let fd = Glibc.open(directory + "/lock", O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw SQLiteError(code: -1, message: "cannot open \(directory)/lock: errno \(errno)") }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            close(fd)
            throw SQLiteError(code: -1, message: "\(directory)/lock is held by another process")
        }
        lockFD = fd
    }

    // MARK: Opening, checking, rebuilding

    /// Opens the file and checks it against `state`; rebuilds it when it is missing or does not pass.
    func openOrRebuild(_ state: LedgerState) throws {
        guard access(path, F_OK) == 0 else {
            try rebuild(state, reason: "no index file")
            return
        }
        let started = DispatchTime.now().uptimeNanoseconds
        do {
            let (conn, watermarks) = try open(checkingAgainst: state)
            try markDirty(conn)
            db = conn
            let millis = (DispatchTime.now().uptimeNanoseconds - started) / 1_000_000
            Log.info("opened the entry index at watermarks \(watermarks) (checked in \(millis) ms)", ["file": path])
            shared.withLockedValue { s in
                s.watermarks = watermarks
                s.generation += 1
                s.readers.removeAll()
            }
        } catch let reason as IndexMismatch {
            try rebuild(state, reason: reason.text)
            return
        } catch {
            try rebuild(state, reason: "\(error)")
            return
        }
        // Checked: it serves reads from now on; what the log holds beyond its watermarks is the lag, scanned in
        // memory until the catch-up below (and the indexer afterwards) inserts it.
        shared.withLockedValue { s in
            s.ready = true
            s.state = "ready"
        }
        try catchUp(latest().state, batch: EntryIndex.rebuildBatchEntries)
    }

    struct IndexMismatch: Error { var text: String }

    /// Before this run's first unsynced write: `dirty` = this boot, committed with a sync of the WAL.
    private func markDirty(_ conn: SQLiteConnection) throws(SQLiteError) {
        try conn.exec("PRAGMA synchronous=FULL")
        let s = try conn.statement("INSERT OR REPLACE INTO info VALUES('dirty', ?1)")
        s.bind(1, bootID)
        try s.run()
        try conn.exec("PRAGMA synchronous=OFF")
    }

    /// At a clean stop: everything copied into the database file and synced, then `dirty` = `''` (synced too), so
    /// that the next start trusts the file even after a restart of the machine. Left dirty when that fails.
    private func markClean(_ conn: SQLiteConnection) {
        do {
            try conn.exec("PRAGMA synchronous=FULL")
            let c = try conn.statement("PRAGMA wal_checkpoint(TRUNCATE)")
            guard try c.step(), c.int(0) == 0 else {
                c.reset()
                return
            }
            c.reset()
            try conn.exec("UPDATE info SET value = '' WHERE key = 'dirty'")
        } catch {
            Log.warning("cannot sync the entry index at the stop: \(error)", ["file": path])
        }
    }

    /// Opens the file and checks it; throws `IndexMismatch` (or SQLite's error) when it cannot serve `state`.
    private func open(checkingAgainst state: LedgerState) throws -> (SQLiteConnection, [Int]) {
        let conn = try SQLiteConnection(path: path, readOnly: false)
        try configure(conn)
        guard try conn.text("SELECT value FROM info WHERE key = 'schema'") == EntryIndex.schemaVersion else {
            throw IndexMismatch(text: "the file has another layout")
        }
        // Written without syncs, the file is consistent after a crash of whsed (the kernel has every write) but not
        // after a crash of the machine: `dirty` names the boot during which it was last written, `''` after a clean
        // stop that synced it (docs/on-disk-format.md 10).
        let dirty = try conn.text("SELECT value FROM info WHERE key = 'dirty'")
        guard let dirty, dirty.isEmpty || dirty == bootID else {
            throw IndexMismatch(
                text: "the machine restarted while the index was written without syncs (a power loss?)")
        }
        let check = try conn.text("PRAGMA quick_check")
        guard check == "ok" else { throw IndexMismatch(text: "quick_check: \(check ?? "no answer")") }
        var watermarks: [Int] = []
        for ledger in IndexedLedger.allCases {
            let s = try conn.statement("SELECT watermark, first, last FROM ledgers WHERE name = ?1")
            s.bind(1, ledger.name)
            guard try s.step() else { throw IndexMismatch(text: "no watermark for \(ledger.name)") }
            let (w, first, last) = (s.int(0), s.text(1), s.text(2))
            s.reset()
            let count = ledger.count(state)
            guard w >= 0, w <= count else {
                throw IndexMismatch(text: "\(ledger.name) watermark \(w) is above the \(count) entries in the log")
            }
            if w > 0 {
                guard try first == ledger.fingerprint(state, 1), try last == ledger.fingerprint(state, w) else {
                    throw IndexMismatch(text: "\(ledger.name) entries differ from the log's (another state folder?)")
                }
            }
            let top = try conn.statement("SELECT coalesce(max(entry_no), 0) FROM \(ledger.table)")
            _ = try top.step()
            let highest = top.int(0)
            top.reset()
            guard highest == w else {
                throw IndexMismatch(text: "\(ledger.name) holds entries up to \(highest), watermark \(w)")
            }
            watermarks.append(w)
        }
        return (conn, watermarks)
    }

    /// `synchronous=OFF` first: switching to WAL mode would otherwise sync the file (the index never syncs).
    private func configure(_ conn: SQLiteConnection) throws(SQLiteError) {
        try conn.exec(
            "PRAGMA synchronous=OFF; PRAGMA cache_size=-\(EntryIndex.cacheKiB); "
                + "PRAGMA wal_autocheckpoint=\(EntryIndex.walCheckpointPages)")
        _ = try conn.text("PRAGMA journal_mode=WAL")
    }

    /// Deletes the file and builds it again from `state` (in transactions of `rebuildBatchEntries`), then follows
    /// the log from there. Reads scan the ledgers until it is done.
    func rebuild(_ state: LedgerState, reason: String) throws {
        let started = DispatchTime.now().uptimeNanoseconds
        Log.warning("rebuilding the entry index: \(reason)", ["file": path, "reason": reason])
        shared.withLockedValue { s in
            s.ready = false
            s.state = "rebuilding"
            s.generation += 1
            s.readers.removeAll()
            s.watermarks = [Int](repeating: 0, count: IndexedLedger.allCases.count)
        }
        db = nil
        for suffix in ["", "-wal", "-shm", ".new", ".new-journal"] { unlink(path + suffix) }
        let building = path + ".new"
        do {
            let conn = try SQLiteConnection(path: building, readOnly: false)
            try conn.exec("PRAGMA synchronous=OFF; PRAGMA journal_mode=OFF; PRAGMA cache_size=-16384")
            try createTables(conn)
            db = conn
            try catchUp(state, batch: EntryIndex.rebuildBatchEntries)
            guard !isStopping else {
                db = nil
                unlink(building)
                return
            }
            db = nil
        }
        guard rename(building, path) == 0 else {
            throw SQLiteError(code: -1, message: "cannot rename \(building): errno \(errno)")
        }
        let conn = try SQLiteConnection(path: path, readOnly: false)
        try configure(conn)
        try markDirty(conn)
        db = conn
        let millis = Int((DispatchTime.now().uptimeNanoseconds - started) / 1_000_000)
        let watermarks = shared.withLockedValue { s in
            s.rebuilds += 1
            s.lastRebuildReason = reason
            s.lastRebuildMillis = millis
            s.generation += 1
            return s.watermarks
        }
        Log.info("rebuilt the entry index in \(millis) ms, watermarks \(watermarks)", ["file": path])
        shared.withLockedValue { s in
            s.ready = true
            s.state = "ready"
        }
        try catchUp(latest().state, batch: EntryIndex.batchEntries)
    }

    /// Per ledger, the table of rows (one per entry) and, per filter column, a table of posting lists: for each
    /// value, the numbers of its entries, one row per value and transaction (the numbers varint-coded as
    /// differences). A batch of 65,536 entries over 2,000 items adds about 2,000 rows to the item table instead of
    /// 65,536 index entries: the B-tree work per entry is what limited the indexer (docs/on-disk-format.md 10).
    private func createTables(_ conn: SQLiteConnection) throws(SQLiteError) {
        var sql =
            "CREATE TABLE info(key TEXT PRIMARY KEY, value TEXT NOT NULL);"
            + "INSERT INTO info VALUES('schema', '\(EntryIndex.schemaVersion)');"
            + "INSERT INTO info VALUES('dirty', '\(bootID.filter { $0.isLetter || $0.isNumber || $0 == "-" })');"
            + "CREATE TABLE ledgers(name TEXT PRIMARY KEY, watermark INTEGER NOT NULL, first TEXT, last TEXT);"
        for ledger in IndexedLedger.allCases {
            sql += "INSERT INTO ledgers VALUES('\(ledger.name)', 0, NULL, NULL);"
            sql +=
                "CREATE TABLE \(ledger.table)(entry_no INTEGER PRIMARY KEY, location TEXT NOT NULL, bin TEXT, "
                + "item TEXT NOT NULL, entry_type INTEGER NOT NULL, document_no TEXT NOT NULL, lot TEXT, serial TEXT, "
                + "posting_date TEXT NOT NULL);"
            for column in ledger.indexedColumns {
                sql +=
                    "CREATE TABLE \(EntryIndex.postingTable(ledger, column))(key TEXT NOT NULL, "
                    + "last INTEGER NOT NULL, first INTEGER NOT NULL, nos BLOB NOT NULL, PRIMARY KEY(key, last)) "
                    + "WITHOUT ROWID;"
            }
        }
        try conn.exec(sql)
    }

    /// The posting lists of one filter column (`warehouse_entries_by_item`, …).
    static func postingTable(_ ledger: IndexedLedger, _ column: IndexColumn) -> String {
        "\(ledger.table)_by_\(column.rawValue)"
    }

    // MARK: Following the log

    /// Inserts the entries of `state` above each table's watermark, at most `batch` per transaction.
    func catchUp(_ state: LedgerState, batch: Int) throws {
        guard let db else { return }
        let batch = debugMode == "slow" ? 100 : batch
        for ledger in IndexedLedger.allCases {
            var w = shared.withLockedValue { $0.watermarks[ledger.rawValue] }
            let count = ledger.count(state)
            while w < count {
                if isStopping { return }
                let upTo = min(count, w + batch)
                try insert(db, ledger, state, from: w + 1, through: upTo)
                w = upTo
                shared.withLockedValue { $0.watermarks[ledger.rawValue] = upTo }
                onProgress?()
                if debugMode == "slow" { usleep(50_000) }
            }
        }
    }

    private func insert(
        _ db: SQLiteConnection, _ ledger: IndexedLedger, _ state: LedgerState,
        from: Int, through: Int
    ) throws {
        let columns = ledger.indexedColumns
        // Per column, the entries of each value in this batch (ascending: rows are read in entry-no. order).
        var lists = [[String: [Int]]](repeating: [:], count: columns.count)
        // Entries no longer in memory come from the history files (a rebuild, an index behind them).
        let rows = try ledger.rows(state, from...through)
        let fingerprints = (
            first: from == 1 ? try ledger.fingerprint(state, 1) : nil,
            last: try ledger.fingerprint(state, through)
        )
        try db.exec("BEGIN")
        do {
            let s = try db.statement("INSERT INTO \(ledger.table) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)")
            for (i, no) in (from...through).enumerated() {
                let r = rows[i]
                let location = IndexRow.key(r.location, nullIfEmpty: false)
                let bin = IndexRow.key(r.bin, nullIfEmpty: true)
                let item = IndexRow.key(r.item, nullIfEmpty: false)
                let documentNo = IndexRow.key(r.documentNo, nullIfEmpty: false)
                let lot = IndexRow.key(r.lot, nullIfEmpty: true)
                let serial = IndexRow.key(r.serial, nullIfEmpty: true)
                s.reset()
                s.bind(1, no)
                s.bind(2, location)
                s.bind(3, bin)
                s.bind(4, item)
                s.bind(5, IndexRow.typeCodes[r.entryType] ?? 0)
                s.bind(6, documentNo)
                s.bind(7, lot)
                s.bind(8, serial)
                s.bind(9, r.postingDate)
                try s.run()
                for (c, column) in columns.enumerated() {
                    let value: String? =
                        switch column {
                        case .location: location
                        case .bin: bin
                        case .item: item
                        case .documentNo: documentNo
                        case .lot: lot
                        case .serial: serial
                        case .entryType: r.entryType.rawValue
                        case .postingDate: r.postingDate
                        }
                    if let value { lists[c][value, default: []].append(no) }
                }
            }
            for (c, column) in columns.enumerated() {
                let p = try db.statement(
                    "INSERT INTO \(EntryIndex.postingTable(ledger, column)) VALUES(?1, ?2, ?3, ?4)")
                var blob: [UInt8] = []
                // In key order: neighbouring rows share pages.
                for (key, nos) in lists[c].sorted(by: { $0.key < $1.key }) {
                    blob.removeAll(keepingCapacity: true)
                    var previous = 0
                    for no in nos {
                        PostingList.append(no - previous, to: &blob)
                        previous = no
                    }
                    p.reset()
                    p.bind(1, key)
                    p.bind(2, nos[nos.count - 1])
                    p.bind(3, nos[0])
                    p.bind(4, blob)
                    try p.run()
                }
            }
            let m = try db.statement(
                from == 1
                    ? "UPDATE ledgers SET watermark = ?2, first = ?3, last = ?4 WHERE name = ?1"
                    : "UPDATE ledgers SET watermark = ?2, last = ?4 WHERE name = ?1")
            m.bind(1, ledger.name)
            m.bind(2, through)
            if let first = fingerprints.first { m.bind(3, first) }
            m.bind(4, fingerprints.last)
            try m.run()
            try db.exec("COMMIT")
        } catch {
            try? db.exec("ROLLBACK")
            throw error
        }
    }

    // MARK: Status

    /// `server.status`'s `index` member for a view with these entry counts.
    func status(_ state: LedgerState) -> JSON {
        let s = shared.withLockedValue { $0 }
        var watermarks: [String: JSON] = [:]
        var lag: [String: JSON] = [:]
        for ledger in IndexedLedger.allCases {
            watermarks[ledger.name] = JSON(s.watermarks[ledger.rawValue])
            lag[ledger.name] = JSON(max(0, ledger.count(state) - s.watermarks[ledger.rawValue]))
        }
        var bytes = 0
        for suffix in ["", "-wal"] {
            var st = stat()
            if stat(path + suffix, &st) == 0 { bytes += Int(st.st_size) }
        }
        return .object([
            "state": .string(s.state), "file": .string(path), "fileBytes": JSON(bytes),
            "watermarks": .object(watermarks), "lagEntries": .object(lag),
            "rebuilds": JSON(s.rebuilds), "lastRebuildMilliseconds": JSON(s.lastRebuildMillis),
            "lastRebuildReason": s.lastRebuildReason.map { .string($0) } ?? .null,
            "indexedQueries": JSON(s.queries)
        ])
    }

    /// Called on the indexer thread after each transaction that moved a watermark (the writer lets entries that the
    /// index and the history files hold leave memory); set before `start`.
    public var onProgress: (@Sendable () -> Void)?

    /// The watermarks now (tests).
    var watermarks: [Int] { shared.withLockedValue { $0.watermarks } }
    var isReady: Bool { shared.withLockedValue { $0.ready } }
}

extension EntryIndex {
    /// `whsed --rebuild-index DIR`: deletes the index of `stateDirectory` and builds it from `state` (the log
    /// replayed), on this thread. Fails while a whsed serves the folder (it holds `index/lock`).
    public static func rebuildOffline(stateDirectory: String, state: LedgerState) throws -> String {
        let view = CommittedView(state: state, sequence: 0)
        let index = EntryIndex(stateDirectory: stateDirectory, latest: { view })
        try index.takeLock()
        defer { index.stop() }
        try index.rebuild(state, reason: "whsed --rebuild-index")
        return String(decoding: index.status(state).serialized(), as: UTF8.self)
    }
}
