import Foundation
import NIOConcurrencyHelpers
import Warehouse
import WhseProtocol

#if canImport(Glibc)
    import Glibc
#endif

/// One logged record as the change feed sees it: its sequence, the entries it wrote (as index ranges of the three
/// ledgers: entry no. n is at index n - 1) and its method; a master-data change also keeps who made it and its params.
public struct FollowRecord: Sendable, Equatable {
    public var seq: UInt64
    public var warehouse: Range<Int>
    public var itemLedger: Range<Int>
    public var physInventory: Range<Int>
    public var method: String
    public var masterData: FollowMasterData?
    /// The (location, item, lot) whose availability it changed without entries (reservations, lot / serial blocks).
    public var availability: [FollowAvailabilityKey] = []

    public var hasEntries: Bool { !warehouse.isEmpty || !itemLedger.isEmpty || !physInventory.isEmpty }

    public init(
        seq: UInt64, warehouse: Range<Int>, itemLedger: Range<Int>, physInventory: Range<Int>,
        method: String, masterData: FollowMasterData? = nil, availability: [FollowAvailabilityKey] = []
    ) {
        self.seq = seq
        self.warehouse = warehouse
        self.itemLedger = itemLedger
        self.physInventory = physInventory
        self.method = method
        self.masterData = masterData
        self.availability = availability
    }

    /// The record a posting just wrote: the entries from `before` to the ledger's counts now; a master-data change
    /// keeps its params as logged (read back from the record, the idempotency key left out).
    init(
        ledger: Ledger, sequence: UInt64, before: (Int, Int, Int), method: String, context: PostingContext,
        params logged: () -> JSON?
    ) {
        let after = ledger.entryCounts
        var md: FollowMasterData? = nil
        if FollowJournal.masterDataMethods.contains(method) {
            var params = logged() ?? .object([:])
            if case .object(var o) = params {
                o[Params.idempotencyKey] = nil
                params = .object(o)
            }
            md = FollowMasterData(user: context.user, timestamp: context.timestamp, params: params)
        }
        self.init(
            seq: sequence, warehouse: before.0..<after.0, itemLedger: before.1..<after.1,
            physInventory: before.2..<after.2, method: method, masterData: md,
            availability: ledger.followTouched.sorted())
    }
}

/// Who changed master data, when, and the command as logged (its idempotency key left out).
public struct FollowMasterData: Sendable, Equatable {
    public var user: String
    public var timestamp: String
    public var params: JSON
}

/// The change feed's index of the log (protocol.md 13.9, docs/on-disk-format.md 11): for each of the last
/// `retainRecords` committed records, the entries it wrote. The entries themselves stay in the ledger (they are never
/// removed), so a follower that catches up reads them from the committed view; this index only says which belong to
/// which record. The log itself cannot say it once a snapshot has retired its segments.
///
/// It lives in memory and in `follow-<16 hex>.jsonl` files in the state folder, one JSON line per record, written by
/// the writer after each fdatasync of the log (never before), without an fdatasync of their own except before a
/// snapshot is written: a crash loses at most lines whose records are still in the log after the newest snapshot,
/// and start-up rebuilds those from the replay. `follow-epoch` holds the log epoch.
public final class FollowJournal: @unchecked Sendable {
    /// The master-data methods: their events carry the command.
    public static let masterDataMethods: Set<String> = [
        "location.create", "location.convertToDirected", "location.update", "zone.create", "bin.create", "bin.update",
        "binContent.setup", "item.create", "item.setCountingPeriod", "itemTracking.setBlocked",
        "countingPeriod.create"
    ]
    public static let epochFile = "follow-epoch"
    static let filePrefix = "follow-"
    static let fileSuffix = ".jsonl"

    public let siteId: String
    public private(set) var logEpoch: UInt64
    public let retainRecords: Int
    let directory: String

    private struct Mark {
        var warehouseEnd: Int
        var itemLedgerEnd: Int
        var physInventoryEnd: Int
        var method: UInt16
    }
    private static let methodNames: [String] = MethodCatalogue.all.map(\.name)
    private static let methodIndex: [String: UInt16] = Dictionary(
        uniqueKeysWithValues: MethodCatalogue.all.enumerated().map { ($1.name, UInt16($0)) })

    private let lock = NIOLock()
    // Under `lock`:
    /// The sequence of `marks[head]`.
    private var firstSeq: UInt64 = 1
    /// The entry counts before `firstSeq`.
    private var base = (0, 0, 0)
    private var marks: [Mark] = []
    private var head = 0
    private var masterData: [UInt64: FollowMasterData] = [:]
    private var touched: [UInt64: [FollowAvailabilityKey]] = [:]

    // Writer thread only:
    private var fd: Int32 = -1
    private var segments: [(first: UInt64, name: String)] = []
    private var linesInSegment = 0
    private var segmentRecords: Int { max(1024, retainRecords / 4) }
    private var directoryDirty = false
    private var broken = false

    init(directory: String, siteId: String, retainRecords: Int, logEpoch: UInt64) {
        self.directory = directory
        self.siteId = siteId
        self.retainRecords = max(1, retainRecords)
        self.logEpoch = logEpoch
    }

    // MARK: reading (any thread)

    /// The oldest sequence a follower can be sent (`lastSeq + 1` when nothing is retained).
    public var oldestSeq: UInt64 { lock.withLock { firstSeq } }
    /// The last sequence indexed.
    public var lastSeq: UInt64 { lock.withLock { firstSeq + UInt64(marks.count - head) - 1 } }

    /// Up to `limit` records from `from` through `through`; empty when `from` is no longer retained (or not yet there).
    public func records(from: UInt64, through: UInt64, limit: Int) -> [FollowRecord] {
        lock.withLock {
            let last = firstSeq + UInt64(marks.count - head) - 1
            guard from >= firstSeq, from <= min(through, last) else { return [] }
            let end = min(min(through, last), from + UInt64(limit) - 1)
            var out: [FollowRecord] = []
            out.reserveCapacity(Int(end - from + 1))
            var i = head + Int(from - firstSeq)
            var before =
                i == head
                ? base
                : (marks[i - 1].warehouseEnd, marks[i - 1].itemLedgerEnd, marks[i - 1].physInventoryEnd)
            for seq in from...end {
                let m = marks[i]
                out.append(
                    FollowRecord(
                        seq: seq, warehouse: before.0..<m.warehouseEnd,
                        itemLedger: before.1..<m.itemLedgerEnd,
                        physInventory: before.2..<m.physInventoryEnd,
                        method: FollowJournal.methodNames[Int(m.method)], masterData: masterData[seq],
                        availability: touched[seq] ?? []))
                before = (m.warehouseEnd, m.itemLedgerEnd, m.physInventoryEnd)
                i += 1
            }
            return out
        }
    }

    // MARK: writing (writer thread)

    /// Adds the records of a batch whose fdatasync returned: to memory, then to the current file (no fdatasync).
    func append(_ records: [FollowRecord]) {
        guard !records.isEmpty else { return }
        lock.withLock {
            for r in records { addLocked(r) }
            trimLocked()
        }
        write(records)
        removeRetiredFiles()
    }

    private func addLocked(_ r: FollowRecord) {
        if marks.count == head {
            firstSeq = r.seq
            base = (r.warehouse.lowerBound, r.itemLedger.lowerBound, r.physInventory.lowerBound)
        }
        marks.append(
            Mark(
                warehouseEnd: r.warehouse.upperBound, itemLedgerEnd: r.itemLedger.upperBound,
                physInventoryEnd: r.physInventory.upperBound,
                method: FollowJournal.methodIndex[r.method] ?? 0))
        if let m = r.masterData { masterData[r.seq] = m }
        if !r.availability.isEmpty { touched[r.seq] = r.availability }
    }

    private func trimLocked() {
        let excess = marks.count - head - retainRecords
        guard excess > 0 else { return }
        for _ in 0..<excess {
            let m = marks[head]
            masterData[firstSeq] = nil
            touched[firstSeq] = nil
            base = (m.warehouseEnd, m.itemLedgerEnd, m.physInventoryEnd)
            head += 1
            firstSeq += 1
        }
        if head > 65_536 && head * 2 > marks.count {
            marks.removeFirst(head)
            head = 0
        }
    }

    /// One line, written member by member with the keys in byte order (a, c, i, m, p, s, t, u, w), so the bytes are
    /// those `JSON.serialized()` gives for the same object; `a` only with availability keys, `c`, `t` and `u` only for
    /// a master-data change.
    static func line(_ r: FollowRecord) -> [UInt8] {
        var w = JSONObjectWriter(capacity: 96)
        if !r.availability.isEmpty {
            let a = r.availability
            w.member("a", rows: a.count, columns: 3) { row, column in
                column == 0 ? a[row].location : column == 1 ? a[row].item : a[row].lot
            }
        }
        if let m = r.masterData { w.member("c", m.params) }
        w.member("i", pair: r.itemLedger.lowerBound, r.itemLedger.upperBound)
        w.member("m", string: r.method)
        w.member("p", pair: r.physInventory.lowerBound, r.physInventory.upperBound)
        w.member("s", .number(String(r.seq)))
        if let m = r.masterData {
            w.member("t", string: m.timestamp)
            w.member("u", string: m.user)
        }
        w.member("w", pair: r.warehouse.lowerBound, r.warehouse.upperBound)
        var bytes = w.finish()
        bytes.append(UInt8(ascii: "\n"))
        return bytes
    }

    static func parse(line: ArraySlice<UInt8>) -> FollowRecord? {
        guard let v = try? JSONParser.parse(Array(line), maxDepth: 64),
            case .number(let s)? = v["s"], let seq = UInt64(s), case .string(let m)? = v["m"],
            let w = range(v["w"]), let i = range(v["i"]), let p = range(v["p"])
        else { return nil }
        var md: FollowMasterData? = nil
        if case .string(let u)? = v["u"], case .string(let t)? = v["t"], let c = v["c"] {
            md = FollowMasterData(user: u, timestamp: t, params: c)
        }
        var touched: [FollowAvailabilityKey] = []
        if case .array(let a)? = v["a"] {
            for k in a {
                guard case .array(let t) = k, t.count == 3, case .string(let l) = t[0], case .string(let i) = t[1],
                    case .string(let lot) = t[2]
                else { return nil }
                touched.append(FollowAvailabilityKey(location: l, item: i, lot: lot))
            }
        }
        return FollowRecord(
            seq: seq, warehouse: w, itemLedger: i, physInventory: p, method: m, masterData: md,
            availability: touched)
    }

    private static func range(_ v: JSON?) -> Range<Int>? {
        guard case .array(let a)? = v, a.count == 2, let lo = a[0].intValue, let hi = a[1].intValue, lo >= 0, lo <= hi
        else { return nil }
        return lo..<hi
    }

    private func write(_ records: [FollowRecord]) {
        guard !broken else { return }
        var bytes: [UInt8] = []
        for r in records {
            if fd < 0 || linesInSegment >= segmentRecords {
                flush(&bytes)
                startSegment(first: r.seq)
                if broken { return }
            }
            bytes.append(contentsOf: FollowJournal.line(r))
            linesInSegment += 1
        }
        flush(&bytes)
    }

    private func flush(_ bytes: inout [UInt8]) {
        guard fd >= 0, !bytes.isEmpty, !broken else {
            bytes.removeAll()
            return
        }
        let ok = bytes.withUnsafeBytes { raw -> Bool in
            var off = 0
            while off < raw.count {
                let n = Glibc.write(fd, raw.baseAddress! + off, raw.count - off)
                if n < 0 {
                    if errno == EINTR { continue }
                    return false
                }
                off += n
            }
            return true
        }
        bytes.removeAll(keepingCapacity: true)
        if !ok { giveUp("writing \(segments.last?.name ?? "?") failed: \(String(cString: strerror(errno)))") }
    }

    /// A file that cannot be written stops the files, not the feed: followers are served from memory, and the next
    /// start rebuilds what it can (a gap moves the oldest sequence forward).
    private func giveUp(_ why: String) {
        broken = true
        if fd >= 0 {
            Glibc.close(fd)
            fd = -1
        }
        Log.error(
            "the change feed's index files are no longer written: \(why); followers are still served until "
                + "the next start, which keeps only the records after the newest snapshot",
            ["reason": "follow_index"])
    }

    private func startSegment(first: UInt64) {
        if fd >= 0 {
            _ = fdatasync(fd)
            Glibc.close(fd)
            fd = -1
        }
        let name = FollowJournal.filePrefix + String(format: "%016llx", first) + FollowJournal.fileSuffix
        let path = join(name)
        let f = Glibc.open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_APPEND, 0o640)
        guard f >= 0 else { return giveUp("creating \(path): \(String(cString: strerror(errno)))") }
        fd = f
        segments.append((first, name))
        linesInSegment = 0
        directoryDirty = true
    }

    /// Before a snapshot at a sequence: the lines up to it must be on disk, since the log is retired up to it.
    func syncForSnapshot() {
        guard fd >= 0, !broken else { return }
        if fdatasync(fd) != 0 { return giveUp("fdatasync: \(String(cString: strerror(errno)))") }
        if directoryDirty {
            let d = Glibc.open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
            if d >= 0 {
                _ = fsync(d)
                Glibc.close(d)
            }
            directoryDirty = false
        }
    }

    /// Removes the files whose records are all older than the oldest retained.
    private func removeRetiredFiles() {
        let oldest = oldestSeq
        while segments.count > 1 && segments[1].first <= oldest {
            unlink(join(segments[0].name))
            segments.removeFirst()
        }
    }

    func close() {
        if fd >= 0 {
            _ = fdatasync(fd)
            Glibc.close(fd)
            fd = -1
        }
    }

    private func join(_ name: String) -> String { directory.hasSuffix("/") ? directory + name : directory + "/" + name }

    // MARK: start-up

    /// What replay saw: the snapshot's sequence and entry counts, and each record replayed after it.
    public struct Replayed {
        public var snapshotSeq: UInt64 = 0
        public var snapshotCounts = (0, 0, 0)
        public var records: [FollowRecord] = []
        public init() {}
    }

    /// Opens the index after the log was replayed: reads the files, keeps what agrees with the log, adds the records
    /// replayed, and writes what the files lack. The log epoch changes when the files (or the operator, with
    /// `newEpoch`) show the log lost history: records whose sequence numbers followers may already have seen.
    static func open(
        directory: String, siteId: String, retainRecords: Int, lastCommitted: UInt64,
        replayed: Replayed, newEpoch: Bool
    ) -> FollowJournal {
        let epochPath = (directory.hasSuffix("/") ? directory : directory + "/") + epochFile
        var epoch = readEpoch(epochPath)
        var (loaded, files) = load(directory: directory)
        var reason: String? = nil
        if newEpoch {
            reason = "asked for by --new-log-epoch"
        } else if epoch == nil {
            reason = files.isEmpty ? "a new state folder, or one restored from a backup" : "follow-epoch is missing"
        } else if let last = loaded.last, last.seq > lastCommitted {
            reason = "the index reaches sequence \(last.seq) but the log ends at \(lastCommitted): the log lost history"
        }
        if let reason {
            let old = epoch
            epoch = UInt64.random(in: 1...((1 << 53) - 1))
            writeEpoch(epochPath, epoch!)
            for f in files { unlink((directory.hasSuffix("/") ? directory : directory + "/") + f.name) }
            files = []
            loaded = []
            let text = "new log epoch \(epoch!)\(old.map { " (was \($0))" } ?? ""): \(reason)"
            if lastCommitted == 0 && old == nil {
                Log.info(text, ["logEpoch": String(epoch!)])
            } else {
                Log.warning(
                    text + "; followers must start again from a snapshot or from sequence 0",
                    ["logEpoch": String(epoch!), "reason": "log_epoch_changed"])
            }
        }
        let journal = FollowJournal(
            directory: directory, siteId: siteId, retainRecords: retainRecords,
            logEpoch: epoch!)
        let s = replayed.snapshotSeq
        var keep = loaded.filter { $0.seq <= s }
        var filesUsable = true
        if let last = loaded.last, last.seq < s {
            // The files stop before the snapshot: the records between are gone (the files could not be written).
            keep = []
            filesUsable = false
        } else if let k = keep.last,
            (k.warehouse.upperBound, k.itemLedger.upperBound, k.physInventory.upperBound)
                != replayed.snapshotCounts
        {
            keep = []
            filesUsable = false
        }
        if let first = replayed.records.first, first.seq != s + 1 { keep = [] }
        journal.lock.withLock {
            journal.firstSeq = s + 1
            journal.base = replayed.snapshotCounts
            for r in keep + replayed.records { journal.addLocked(r) }
            if keep.isEmpty && replayed.records.isEmpty { journal.firstSeq = lastCommitted + 1 }
            journal.trimLocked()
        }
        if filesUsable && !files.isEmpty {
            journal.segments = files.map { ($0.first, $0.name) }
            let lastName = files.last!.name
            let f = Glibc.open(journal.join(lastName), O_WRONLY | O_APPEND | O_CLOEXEC)
            if f >= 0 {
                journal.fd = f
                journal.linesInSegment = files.last!.lines
            }
            let written = loaded.last?.seq ?? 0
            journal.write(replayed.records.filter { $0.seq > written })
        } else {
            for f in files { unlink(journal.join(f.name)) }
            journal.write(journal.records(from: journal.oldestSeq, through: UInt64.max, limit: Int.max))
        }
        journal.removeRetiredFiles()
        journal.syncForSnapshot()
        return journal
    }

    /// The records of the files, in order, as far as they continue one another; a torn or damaged line ends them
    /// (the file is cut there, and later files are removed).
    static func load(directory: String) -> ([FollowRecord], [(first: UInt64, name: String, lines: Int)]) {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [])
            .filter { $0.hasPrefix(filePrefix) && $0.hasSuffix(fileSuffix) && $0 != epochFile }
        var files: [(first: UInt64, name: String)] = []
        for n in names {
            let hex = n.dropFirst(filePrefix.count).dropLast(fileSuffix.count)
            if let first = UInt64(hex, radix: 16) { files.append((first, n)) }
        }
        files.sort { $0.first < $1.first }
        var records: [FollowRecord] = []
        var kept: [(first: UInt64, name: String, lines: Int)] = []
        let dir = directory.hasSuffix("/") ? directory : directory + "/"
        var stopped = false
        for f in files {
            if stopped {
                unlink(dir + f.name)
                continue
            }
            guard let data = FileManager.default.contents(atPath: dir + f.name) else {
                stopped = true
                continue
            }
            let bytes = [UInt8](data)
            var start = 0
            var lines = 0
            var good = 0
            while start < bytes.count {
                guard let nl = bytes[start...].firstIndex(of: UInt8(ascii: "\n")),
                    let r = parse(line: bytes[start..<nl]),
                    records.isEmpty ? r.seq == f.first : r.seq == records.last!.seq + 1
                else {
                    stopped = true
                    break
                }
                records.append(r)
                lines += 1
                start = nl + 1
                good = start
            }
            if stopped {
                truncate(dir + f.name, off_t(good))
                if lines == 0 { unlink(dir + f.name) } else { kept.append((f.first, f.name, lines)) }
            } else if lines > 0 {
                kept.append((f.first, f.name, lines))
            } else {
                unlink(dir + f.name)
            }
        }
        return (records, kept)
    }

    static func readEpoch(_ path: String) -> UInt64? {
        guard let data = FileManager.default.contents(atPath: path),
            let text = String(data: data, encoding: .utf8)
        else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("logEpoch=") {
            return UInt64(line.dropFirst("logEpoch=".count))
        }
        return nil
    }

    static func writeEpoch(_ path: String, _ epoch: UInt64) {
        let tmp = path + ".tmp"
        let text = Array("logEpoch=\(epoch)\n".utf8)
        let f = Glibc.open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o640)
        guard f >= 0 else { return }
        _ = text.withUnsafeBytes { Glibc.write(f, $0.baseAddress!, $0.count) }
        _ = fsync(f)
        Glibc.close(f)
        rename(tmp, path)
        let dir = Glibc.open((path as NSString).deletingLastPathComponent, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dir >= 0 {
            _ = fsync(dir)
            Glibc.close(dir)
        }
    }
}
