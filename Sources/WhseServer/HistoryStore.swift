import Foundation
import NIOConcurrencyHelpers
import Warehouse
import WriteAheadLog

#if canImport(Glibc)
    import Glibc
#endif

/// The history files, `<state-dir>/history/<ledger>-<first entry no.>.ent` (docs/on-disk-format.md 11): the posted
/// entries of the three ledgers, appended at each checkpoint by the snapshot thread and synced before the snapshot
/// that leaves them out is written. Truth, like a snapshot: the snapshot records how many entries of each ledger they
/// hold and the length of every block (its manifest), and at start-up bytes past that length (an append cut short
/// by a crash) are cut, while a file shorter than recorded or a block whose checksum fails is refused.
///
/// Entries are kept in blocks of `blockEntries`, each with its own string table and a CRC-32C; a block's offset is
/// found in a table held in memory (one offset per 64 entries), so any entry is one `pread` and a walk over at most
/// 63 others away, and a block kept in the cache (`CheckedBlock`) is not checked again. Only whole chunks of
/// `ChunkedArray` (4,096 entries) are written: the snapshot keeps the rest.
public final class HistoryStore: @unchecked Sendable {
    /// Entries per block.
    public static let blockEntries = 64
    /// A new file is started when the last one reaches this size.
    nonisolated(unsafe) public static var rotateBytes = 64 << 20
    static let magic = Array("WHSEHIST".utf8)
    static let formatVersion: UInt32 = 1
    static let headerBytes = 32
    static let blockHeaderBytes = 12
    /// Bytes of checked blocks kept for readers (about 2,000 blocks of 64 entries per 8 MiB).
    nonisolated(unsafe) static var cacheBytes = 32 << 20

    /// The three ledgers, in the order of the manifest.
    public enum Kind: Int, CaseIterable, Sendable {
        case warehouse, item, physInventory
        public var name: String {
            switch self {
            case .warehouse: "warehouse"
            case .item: "item"
            case .physInventory: "physInventory"
            }
        }
    }

    struct File {
        /// Index (entry no. - 1) of the file's first entry: a multiple of `blockEntries`.
        var first: Int
        var path: String
        var fd: Int32
        /// Offset of each block in the file, and the end of the last one.
        var offsets: [Int]
        var end: Int
        var entries: Int { offsets.count * HistoryStore.blockEntries }
    }

    struct Ledger {
        var files: [File] = []
        var count: Int { files.last.map { $0.first + $0.entries } ?? 0 }
    }

    /// `<state-dir>/history`.
    public let directory: String
    let readOnly: Bool
    private let lock = NIOLock()
    /// Guarded by `lock`: the snapshot thread appends, readers copy.
    private var ledgers = [Ledger](repeating: Ledger(), count: Kind.allCases.count)
    /// Guarded by `lock`: checked blocks by `key(kind, block)`, and the order they came in (from `cacheHead`).
    private var cache: [Int: CheckedBlock] = [:]
    private var cacheOrder: [Int] = []
    private var cacheHead = 0
    private var cachedBytes = 0
    /// What `open` cut or removed (logged by the caller).
    public private(set) var notes: [String] = []

    /// Opens the files the manifest lists (`manifest` from the snapshot; empty: none yet). Cuts bytes past a file's
    /// recorded end and removes files the manifest does not know, unless `readOnly`. Throws `HistoryError` for a file
    /// that is missing, shorter than recorded, or whose header is not the one expected.
    public init(stateDirectory: String, manifest: [UInt8], readOnly: Bool = false) throws {
        let state = stateDirectory.hasSuffix("/") ? String(stateDirectory.dropLast()) : stateDirectory
        directory = state + "/history"
        self.readOnly = readOnly
        let listed = try HistoryStore.parse(manifest)
        var known: Set<String> = []
        for kind in Kind.allCases {
            var expected = 0
            for (first, lengths) in listed[kind.rawValue] {
                guard first == expected else {
                    throw HistoryError("the snapshot's history manifest has a gap in \(kind.name) before \(first + 1)")
                }
                let name = HistoryStore.fileName(kind, first: first)
                known.insert(name)
                let path = directory + "/" + name
                let fd = Glibc.open(path, (readOnly ? O_RDONLY : O_RDWR) | O_CLOEXEC)
                guard fd >= 0 else {
                    throw HistoryError(
                        "history file \(path) is missing (errno \(errno)); the snapshot needs its entries "
                            + "\(first + 1)...\(first + lengths.count * HistoryStore.blockEntries): restore the state "
                            + "folder from a backup")
                }
                var offsets: [Int] = []
                offsets.reserveCapacity(lengths.count)
                var end = HistoryStore.headerBytes
                for l in lengths {
                    offsets.append(end)
                    end += l
                }
                var st = stat()
                fstat(fd, &st)
                let size = Int(st.st_size)
                guard size >= end else {
                    close(fd)
                    throw HistoryError(
                        "history file \(path) is \(size) bytes, but the snapshot records \(end): it was cut or "
                            + "damaged; restore the state folder from a backup")
                }
                try HistoryStore.checkHeader(fd: fd, path: path, kind: kind, first: first)
                if size > end && !readOnly {
                    // An append the snapshot never recorded: a checkpoint cut short by a crash.
                    guard ftruncate(fd, off_t(end)) == 0 else {
                        throw HistoryError("cannot cut \(path) to \(end) bytes: errno \(errno)")
                    }
                    _ = fdatasync(fd)
                    notes.append("cut \(size - end) bytes past the recorded end of \(path) (an interrupted checkpoint)")
                }
                ledgers[kind.rawValue].files.append(
                    File(first: first, path: path, fd: fd, offsets: offsets, end: end))
                expected = first + lengths.count * HistoryStore.blockEntries
            }
        }
        if !readOnly, let names = try? FileManager.default.contentsOfDirectory(atPath: directory) {
            for name in names.sorted() where !known.contains(name) && name.hasSuffix(".ent") {
                // A file a checkpoint started but whose snapshot was never written.
                unlink(directory + "/" + name)
                notes.append("removed \(directory)/\(name), which no snapshot records (an interrupted checkpoint)")
            }
        }
    }

    deinit {
        for l in ledgers { for f in l.files { close(f.fd) } }
    }

    static func fileName(_ kind: Kind, first: Int) -> String {
        let no = String(first + 1)
        return "\(kind.name)-" + String(repeating: "0", count: max(0, 12 - no.count)) + no + ".ent"
    }

    /// Entries per ledger the files hold.
    public var counts: HistoryCounts {
        lock.withLock {
            HistoryCounts(
                warehouse: ledgers[0].count, item: ledgers[1].count, physInventory: ledgers[2].count)
        }
    }

    /// Bytes in the files.
    public var bytes: Int {
        lock.withLock { ledgers.reduce(0) { $0 + $1.files.reduce(0) { $0 + $1.end } } }
    }

    // MARK: Manifest

    /// The manifest a snapshot carries (docs/on-disk-format.md 11.4).
    public var manifest: [UInt8] {
        let copy = lock.withLock { ledgers }
        var w = SnapshotWriter()
        w.uint(UInt64(HistoryStore.formatVersion))
        for l in copy {
            w.uint(UInt64(l.files.count))
            for f in l.files {
                w.uint(UInt64(f.first))
                w.uint(UInt64(f.offsets.count))
                for (i, o) in f.offsets.enumerated() {
                    w.uint(UInt64((i + 1 < f.offsets.count ? f.offsets[i + 1] : f.end) - o))
                }
            }
        }
        return w.finishBlock()
    }

    static func parse(_ manifest: [UInt8]) throws -> [[(Int, [Int])]] {
        var out = [[(Int, [Int])]](repeating: [], count: Kind.allCases.count)
        if manifest.isEmpty { return out }
        var r = try SnapshotReader(block: manifest)
        guard try r.uint() == UInt64(formatVersion) else { throw HistoryError("unknown history manifest version") }
        for k in Kind.allCases {
            for _ in 0..<(try r.count()) {
                let first = try r.count()
                let n = try r.count()
                var lengths: [Int] = []
                lengths.reserveCapacity(n)
                for _ in 0..<n { lengths.append(try r.count()) }
                out[k.rawValue].append((first, lengths))
            }
        }
        guard r.atEnd else { throw HistoryError("trailing bytes after the history manifest") }
        return out
    }

    // MARK: Files

    static func header(_ kind: Kind, first: Int) -> [UInt8] {
        var h = magic
        h.appendLE32(formatVersion)
        h.appendLE32(UInt32(kind.rawValue))
        h.appendLE64(UInt64(first + 1))
        h.appendLE32(UInt32(blockEntries))
        h.appendLE32(h.withUnsafeBytes { CRC32C.checksum($0) })
        return h
    }

    static func checkHeader(fd: Int32, path: String, kind: Kind, first: Int) throws {
        var h = [UInt8](repeating: 0, count: headerBytes)
        let n = h.withUnsafeMutableBytes { Glibc.pread(fd, $0.baseAddress, headerBytes, 0) }
        guard n == headerBytes, h == header(kind, first: first) else {
            throw HistoryError(
                "history file \(path) does not start with the header of \(kind.name) entries from \(first + 1) "
                    + "(damaged, or from another state folder); restore the state folder from a backup")
        }
    }

    // MARK: Appending (the snapshot thread)

    /// Appends the entries of `state` from each ledger's end in the files up to its last whole chunk, syncs the files
    /// (and the folder when a file is new), then makes them readable. Returns what the files then hold.
    /// ENOSPC throws `WALError.noSpace`; the bytes written are cut at the next start (no snapshot records them).
    public func append(_ state: LedgerState) throws -> HistoryCounts {
        precondition(!readOnly)
        let chunk = ChunkedArray<WarehouseEntry>.chunkSize
        let targets = [
            state.warehouseEntries.count, state.itemLedgerEntries.count, state.physInventoryEntries.count
        ].map { $0 / chunk * chunk }
        var created = false
        if access(directory, F_OK) != 0 {
            guard mkdir(directory, 0o755) == 0 || errno == EEXIST else {
                throw HistoryError("cannot create \(directory): errno \(errno)")
            }
            try HistoryStore.syncDirectory(String(directory[..<directory.lastIndex(of: "/")!]))
        }
        for kind in Kind.allCases {
            var l = lock.withLock { ledgers[kind.rawValue] }
            let target = targets[kind.rawValue]
            var at = l.count
            var touched: Set<Int> = []
            while at < target {
                if l.files.isEmpty || l.files[l.files.count - 1].end >= HistoryStore.rotateBytes {
                    let path = directory + "/" + HistoryStore.fileName(kind, first: at)
                    let fd = Glibc.open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
                    guard fd >= 0 else { throw HistoryError.io("cannot create \(path)", errno) }
                    let h = HistoryStore.header(kind, first: at)
                    try HistoryStore.write(fd, h, at: 0, path: path)
                    l.files.append(File(first: at, path: path, fd: fd, offsets: [], end: h.count))
                    created = true
                }
                let f = l.files.count - 1
                // Up to a chunk at a time, written with one pwrite.
                let upTo = min(target, at + chunk)
                var out: [UInt8] = []
                var offsets: [Int] = []
                var b = at
                while b < upTo {
                    let payload = try HistoryStore.encodeBlock(kind, state, b..<(b + HistoryStore.blockEntries))
                    offsets.append(l.files[f].end + out.count)
                    HistoryStore.appendBlock(payload, to: &out)
                    b += HistoryStore.blockEntries
                }
                try HistoryStore.write(l.files[f].fd, out, at: l.files[f].end, path: l.files[f].path)
                l.files[f].offsets.append(contentsOf: offsets)
                l.files[f].end += out.count
                touched.insert(f)
                at = upTo
            }
            for f in touched.sorted() {
                guard fdatasync(l.files[f].fd) == 0 else {
                    throw HistoryError.io("fdatasync \(l.files[f].path)", errno)
                }
            }
            let done = l
            lock.withLock { ledgers[kind.rawValue] = done }
        }
        if created { try HistoryStore.syncDirectory(directory) }
        return counts
    }

    static func encodeBlock(_ kind: Kind, _ state: LedgerState, _ range: Range<Int>) throws -> [UInt8] {
        var w = SnapshotWriter()
        switch kind {
        case .warehouse: for e in try state.warehouseEntries.elements(range) { w.warehouseEntry(e) }
        case .item: for e in try state.itemLedgerEntries.elements(range) { w.itemLedgerEntry(e) }
        case .physInventory: for e in try state.physInventoryEntries.elements(range) { w.physInventoryEntry(e) }
        }
        return w.finishBlock()
    }

    /// Block header: payload length, entry count, CRC-32C of those 8 bytes and the payload; then the payload.
    static func appendBlock(_ payload: [UInt8], to out: inout [UInt8]) {
        var h: [UInt8] = []
        h.appendLE32(UInt32(payload.count))
        h.appendLE32(UInt32(blockEntries))
        let crc = payload.withUnsafeBytes { p in CRC32C.checksum(p, seed: h.withUnsafeBytes { CRC32C.checksum($0) }) }
        h.appendLE32(crc)
        out.append(contentsOf: h)
        out.append(contentsOf: payload)
    }

    static func write(_ fd: Int32, _ bytes: [UInt8], at offset: Int, path: String) throws {
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeBytes {
                pwrite(fd, $0.baseAddress! + done, bytes.count - done, off_t(offset + done))
            }
            if n < 0 {
                if errno == EINTR { continue }
                throw HistoryError.io("write \(path)", errno)
            }
            done += n
        }
    }

    static func syncDirectory(_ path: String) throws {
        let fd = Glibc.open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw HistoryError.io("open \(path)", errno) }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw HistoryError.io("fsync \(path)", errno) }
    }

    // MARK: Reading

    /// Entries `range` (indices: entry no. - 1) of a ledger, decoded with `decode` (given the entry no.; `skip` moves
    /// past one entry of the same layout without decoding it). Each block
    /// is read and checked once while the cache keeps it; of a cached block only the entries asked are decoded.
    func read<E>(
        _ kind: Kind, _ range: Range<Int>, skip: (inout SnapshotReader) throws -> Void,
        decode: (inout SnapshotReader, Int) throws -> E
    ) throws -> [E] {
        if range.isEmpty { return [] }
        let l = lock.withLock { ledgers[kind.rawValue] }
        guard range.lowerBound >= 0, range.upperBound <= l.count else {
            throw HistoryError(
                "\(kind.name) entries \(range.lowerBound + 1)...\(range.upperBound) are not all in "
                    + "the history files (they hold 1...\(l.count))")
        }
        var out: [E] = []
        out.reserveCapacity(range.count)
        let per = HistoryStore.blockEntries
        // The positions of `range` in block `b`.
        func wanted(_ b: Int) -> Range<Int> {
            (max(range.lowerBound, b * per) - b * per)..<(min(range.upperBound, b * per + per) - b * per)
        }
        let lastBlock = (range.upperBound - 1) / per
        var b = range.lowerBound / per
        while b <= lastBlock {
            if let cached = lock.withLock({ cache[key(kind, b)] }) {
                try cached.decode(wanted(b), firstNo: b * per + 1, into: &out, decode)
                b += 1
                continue
            }
            // The uncached blocks from here on in the same file, with one pread.
            let f = l.files[l.files.lastIndex { $0.first <= b * per }!]
            let fileBlock = f.first / per
            var upTo = b
            while upTo < lastBlock && upTo + 1 - fileBlock < f.offsets.count
                && lock.withLock({ cache[key(kind, upTo + 1)] }) == nil
            {
                upTo += 1
            }
            let start = f.offsets[b - fileBlock]
            let end = upTo + 1 - fileBlock < f.offsets.count ? f.offsets[upTo + 1 - fileBlock] : f.end
            let bytes = try HistoryStore.pread(f, start, end - start)
            var at = 0
            for block in b...upTo {
                let (payload, next) = try HistoryStore.block(bytes, at, file: f, offset: start + at)
                let checked = try CheckedBlock(
                    payload, path: f.path, offset: start + at, wanted: wanted(block), firstNo: block * per + 1,
                    into: &out, skip: skip, decode)
                remember(key(kind, block), checked)
                at = next
            }
            b = upTo + 1
        }
        return out
    }

    private func key(_ kind: Kind, _ block: Int) -> Int { block * 4 + kind.rawValue }

    private func remember(_ key: Int, _ block: CheckedBlock) {
        lock.withLock {
            guard cache[key] == nil else { return }
            cache[key] = block
            cacheOrder.append(key)
            cachedBytes += block.bytes
            // Oldest first, within the budget.
            while cachedBytes > HistoryStore.cacheBytes && cacheHead < cacheOrder.count {
                if let old = cache.removeValue(forKey: cacheOrder[cacheHead]) { cachedBytes -= old.bytes }
                cacheHead += 1
            }
            if cacheHead >= 1024 && cacheHead * 2 >= cacheOrder.count {
                cacheOrder.removeFirst(cacheHead)
                cacheHead = 0
            }
        }
    }

    /// A block read from its file whose checksum passed and whose 64 entries were walked over once (their layout
    /// checked, where each starts noted): what the block cache keeps, so that a block is checked once while it is
    /// cached and one entry of it is decoded alone (with its own strings only).
    final class CheckedBlock: @unchecked Sendable {
        let payload: [UInt8]
        /// A lazy reader of the payload (SnapshotReader.init(lazyBlock:)).
        let reader: SnapshotReader
        /// Where each entry starts in the payload.
        let starts: [Int32]
        let path: String
        let offset: Int
        /// What the cache counts for it.
        var bytes: Int { payload.count + 4 * starts.count + 128 }

        /// Checks `payload` (the block at `offset` of `path`) and appends its entries at positions `wanted` to `out`
        /// (`firstNo`: the entry no. of its first entry). Many wanted: the block is decoded whole on the way; a few:
        /// the entries are walked over with `skip` (nothing decoded), then the wanted ones decoded alone.
        init<E>(
            _ payload: [UInt8], path: String, offset: Int, wanted: Range<Int>, firstNo: Int, into out: inout [E],
            skip: (inout SnapshotReader) throws -> Void, _ decode: (inout SnapshotReader, Int) throws -> E
        ) throws {
            self.payload = payload
            self.path = path
            self.offset = offset
            var starts: [Int32] = []
            starts.reserveCapacity(HistoryStore.blockEntries)
            do {
                var r = try SnapshotReader(lazyBlock: payload)
                if wanted.count > CheckedBlock.fewEntries {
                    var whole = try SnapshotReader(block: payload)
                    for j in 0..<HistoryStore.blockEntries {
                        starts.append(Int32(whole.position))
                        let e = try decode(&whole, firstNo + j)
                        if wanted.contains(j) { out.append(e) }
                    }
                    guard whole.atEnd else { throw SnapshotError("trailing bytes") }
                } else {
                    for _ in 0..<HistoryStore.blockEntries {
                        starts.append(Int32(r.position))
                        try skip(&r)
                    }
                    guard r.atEnd else { throw SnapshotError("trailing bytes") }
                }
                reader = r
            } catch {
                throw HistoryError("history file \(path): the block at offset \(offset) does not decode (\(error))")
            }
            self.starts = starts
            if wanted.count <= CheckedBlock.fewEntries { try self.decode(wanted, firstNo: firstNo, into: &out, decode) }
        }

        /// Up to this many entries of a block are decoded alone; more, with the block's string table.
        static let fewEntries = 8

        /// Appends entries `range` (positions in the block) to `out`; `firstNo` is the entry no. of the block's
        /// first. A few are decoded alone, with the strings they reference; more, with the string table decoded
        /// once.
        func decode<E>(
            _ range: Range<Int>, firstNo: Int, into out: inout [E], _ decode: (inout SnapshotReader, Int) throws -> E
        ) throws {
            if range.isEmpty { return }
            do {
                if range.count <= CheckedBlock.fewEntries {
                    for j in range {
                        var r = reader
                        r.position = Int(starts[j])
                        out.append(try decode(&r, firstNo + j))
                    }
                } else {
                    var r = try SnapshotReader(block: payload)
                    r.position = Int(starts[range.lowerBound])
                    for j in range { out.append(try decode(&r, firstNo + j)) }
                }
            } catch {
                throw HistoryError("history file \(path): the block at offset \(offset) does not decode (\(error))")
            }
        }
    }

    static func pread(_ f: File, _ offset: Int, _ count: Int) throws -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        var done = 0
        while done < count {
            let n = bytes.withUnsafeMutableBytes {
                Glibc.pread(f.fd, $0.baseAddress! + done, count - done, off_t(offset + done))
            }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else {
                throw HistoryError("history file \(f.path): cannot read \(count) bytes at \(offset) (errno \(errno))")
            }
            done += n
        }
        return bytes
    }

    /// The payload of the block at `at` in `bytes`, checked, and where the next block starts.
    static func block(_ bytes: [UInt8], _ at: Int, file f: File, offset: Int) throws -> ([UInt8], Int) {
        func damaged(_ why: String) -> HistoryError {
            HistoryError(
                "history file \(f.path) is damaged: the block at offset \(offset) \(why); restore the state folder "
                    + "from a backup")
        }
        guard at + blockHeaderBytes <= bytes.count else { throw damaged("is cut short") }
        let length = Int(bytes.le32(at))
        let n = Int(bytes.le32(at + 4))
        let crc = bytes.le32(at + 8)
        guard n == blockEntries, at + blockHeaderBytes + length <= bytes.count else {
            throw damaged("has a bad header")
        }
        let payload = Array(bytes[(at + blockHeaderBytes)..<(at + blockHeaderBytes + length)])
        let want = bytes.withUnsafeBytes { b in
            payload.withUnsafeBytes {
                CRC32C.checksum($0, seed: CRC32C.checksum(UnsafeRawBufferPointer(rebasing: b[at..<(at + 8)])))
            }
        }
        guard want == crc else { throw damaged("fails its checksum") }
        return (payload, at + blockHeaderBytes + length)
    }

    public func warehouseEntries(_ range: Range<Int>) throws -> [WarehouseEntry] {
        try read(.warehouse, range, skip: { try $0.skipWarehouseEntry() }, decode: { try $0.warehouseEntry($1) })
    }
    public func itemLedgerEntries(_ range: Range<Int>) throws -> [ItemLedgerEntry] {
        try read(.item, range, skip: { try $0.skipItemLedgerEntry() }, decode: { try $0.itemLedgerEntry($1) })
    }
    public func physInventoryEntries(_ range: Range<Int>) throws -> [PhysInventoryLedgerEntry] {
        try read(
            .physInventory, range, skip: { try $0.skipPhysInventoryEntry() }, decode: { try $0.physInventoryEntry($1) })
    }

    /// Opens the history files of the snapshot `machine` loaded and lets its ledger read them; logs what was cut.
    public static func open(stateDirectory: String, machine: StateMachine, readOnly: Bool = false) throws
        -> HistoryStore
    {
        let (counts, manifest) = machine.restoredHistory
        let store = try HistoryStore(stateDirectory: stateDirectory, manifest: manifest, readOnly: readOnly)
        guard store.counts == counts else {
            throw HistoryError(
                "the snapshot leaves \(counts) entries to the history files, but its manifest lists \(store.counts)")
        }
        for note in store.notes { Log.warning(note, ["directory": store.directory]) }
        store.attach(to: machine.ledger)
        return store
    }

    /// Lets `ledger` read the entries it no longer holds from these files.
    public func attach(to ledger: Warehouse.Ledger) {
        ledger.attachHistory(
            warehouse: { [self] in try warehouseEntries($0) }, item: { [self] in try itemLedgerEntries($0) },
            physInventory: { [self] in try physInventoryEntries($0) })
    }

    /// Reads and checks every block (`whsed --verify`); returns the entries checked per ledger.
    public func verifyAll() throws -> HistoryCounts {
        let c = counts
        var i = 0
        while i < c.warehouse {
            _ = try warehouseEntries(i..<min(c.warehouse, i + 4096))
            i += 4096
        }
        i = 0
        while i < c.item {
            _ = try itemLedgerEntries(i..<min(c.item, i + 4096))
            i += 4096
        }
        i = 0
        while i < c.physInventory {
            _ = try physInventoryEntries(i..<min(c.physInventory, i + 4096))
            i += 4096
        }
        return c
    }
}

/// A history file that cannot be used, with what to do about it.
public struct HistoryError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ d: String) { description = d }
    static func io(_ what: String, _ code: Int32) -> any Error {
        if code == ENOSPC { return WALError.noSpace("\(what): no space left on device") }
        return HistoryError("\(what): errno \(code)")
    }
}

extension [UInt8] {
    fileprivate mutating func appendLE32(_ v: UInt32) {
        for i in 0..<4 { append(UInt8(truncatingIfNeeded: v >> (8 * i))) }
    }
    fileprivate mutating func appendLE64(_ v: UInt64) {
        for i in 0..<8 { append(UInt8(truncatingIfNeeded: v >> (8 * i))) }
    }
    fileprivate func le32(_ at: Int) -> UInt32 {
        (0..<4).reduce(UInt32(0)) { $0 | UInt32(self[at + $1]) << (8 * $1) }
    }
}
