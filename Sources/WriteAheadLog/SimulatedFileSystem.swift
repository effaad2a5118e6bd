#if canImport(Glibc)
    import Glibc
#endif

/// An in-memory `WALFileSystem` with a crash and fault model, driven by a seed (SQLite test6.c and
/// TigerBeetle's testing storage are the models). Single-threaded.
///
/// Durability model:
/// - Each file has durable contents plus a list of operations (writes, truncates, allocations) done since its
///   last successful `sync`. Reads see everything.
/// - Directory entries (creates, renames, removes) become durable only through `syncDirectory` of their
///   directory; `sync` of a file does not make its name durable.
/// - `crashAndRestart()` is a power loss: each pending directory operation survives or is lost on its own
///   (a surviving rename moves the inode it renamed); each pending write is applied, dropped (the size may
///   still grow, as zeros), or torn at a sector boundary with possibly one sector of garbage after the kept
///   prefix; each pending truncate or allocation is applied or dropped. Handles and locks are gone afterwards.
/// - A failed `sync` drops the file's pending operations for good (Linux marks the pages clean after a
///   write-back error), while reads still see the data: a retried sync "succeeds" and the data is lost at the
///   next crash.
/// - Directories themselves are durable at once.
///
/// Faults: `injectError` fails the Nth matching call; `powerFailAtCall` makes the log lose power inside a call
/// (a write in flight leaves a random prefix as pending) after which every call fails with EIO until
/// `crashAndRestart()`; `capacityBytes` makes writes and allocations past it fail with ENOSPC (a short write
/// keeps what fit).
public final class SimulatedFileSystem: WALFileSystem, @unchecked Sendable {
    /// Every call holds it: the log writes a snapshot file on another thread than its commits (`prepareSnapshot`).
    private let mutex = RecursiveMutex()
    /// The calls that faults can be aimed at.
    public enum Operation: Hashable, Sendable {
        case createDirectory, listDirectory, fileSize, readFile, openFile, write, sync, truncate, allocate
        case syncDirectory, rename, remove, lock
    }

    /// Granularity of torn writes.
    public var sectorSize = 512
    /// Total bytes all files may hold; nil is unlimited.
    public var capacityBytes: Int?
    /// The global call number (1-based) at which power fails; nil for never.
    public var powerFailAtCall: Int?
    /// Calls made so far (close is not counted).
    public private(set) var callCount = 0
    /// True between a power failure and `crashAndRestart()`.
    public private(set) var isPoweredOff = false
    /// Successful syncs so far (file and directory), for tests that want to know a barrier happened.
    public private(set) var syncCount = 0
    /// Called with a line per call and per crash, for replaying a failing seed.
    public var trace: ((String) -> Void)?

    private var rng: SplitMix64
    private var faults: [(operations: Set<Operation>, remaining: Int, errno: Int32)] = []

    private final class Inode {
        var current: [UInt8] = []
        var durable: [UInt8] = []
        var pending: [DataOp] = []
    }
    private enum DataOp { case write(offset: Int, bytes: [UInt8]), truncate(Int), allocate(Int) }
    /// A rename moves the inode it renamed (not whatever a crash left under the old name).
    private enum DirOp { case link(String, Inode), rename(String, String, Inode), unlink(String) }
    private struct Handle {
        var inode: Inode
        var path: String
        var writable: Bool
        var lock: Bool?
    }

    private var names: [String: Inode] = [:]
    private var durableNames: [String: Inode] = [:]
    private var pendingDirOps: [DirOp] = []
    private var directories: Set<String> = ["/"]
    private var handles: [WALFileHandle: Handle] = [:]
    private var nextHandle: WALFileHandle = 3

    public init(seed: UInt64) {
        rng = SplitMix64(seed: seed)
    }

    // MARK: fault control

    /// The `nth` (1-based) call from now on among `operations` fails with `errno` (a failing write may leave a
    /// prefix behind; a failing sync drops the file's pending data).
    public func injectError(_ errno: Int32, onNth nth: Int, of operations: Set<Operation>) {
        mutex.lock()
        defer { mutex.unlock() }
        precondition(nth >= 1)
        faults.append((operations, nth, errno))
    }

    /// Removes injected errors that have not fired yet.
    public func clearInjectedErrors() {
        mutex.lock()
        defer { mutex.unlock() }
        faults.removeAll()
    }

    /// Power loss and reboot: keeps only what the fault model lets survive. Every handle becomes invalid.
    public func crashAndRestart() {
        mutex.lock()
        defer { mutex.unlock() }
        var survivors = durableNames
        trace?("crash: \(pendingDirOps.count) pending directory operations")
        for op in pendingDirOps where rng.chance(1, in: 2) {
            trace?("  kept \(op)")
            switch op {
            case .link(let path, let inode): survivors[path] = inode
            case .rename(let from, let to, let inode):
                if survivors[from] === inode { survivors.removeValue(forKey: from) }
                survivors[to] = inode
            case .unlink(let path): survivors.removeValue(forKey: path)
            }
        }
        var seen = Set<ObjectIdentifier>()
        for inode in survivors.values where seen.insert(ObjectIdentifier(inode)).inserted {
            var d = inode.durable
            for op in inode.pending { applyAfterCrash(op, to: &d) }
            inode.durable = d
            inode.current = d
            inode.pending = []
        }
        names = survivors
        durableNames = survivors
        pendingDirOps = []
        handles = [:]
        faults = []
        powerFailAtCall = nil
        isPoweredOff = false
    }

    private func applyAfterCrash(_ op: DataOp, to d: inout [UInt8]) {
        switch op {
        case .truncate(let length):
            if rng.chance(1, in: 2) { resize(&d, to: length) }
        case .allocate(let length):
            if rng.chance(1, in: 2), d.count < length { resize(&d, to: length) }
        case .write(let offset, let bytes):
            switch rng.next() % 10 {
            case 0..<4:  // applied
                put(bytes[...], at: offset, into: &d)
            case 4..<7:  // dropped; the size may have grown anyway (ext4 extends before the data lands)
                if rng.chance(1, in: 2), d.count < offset + bytes.count { resize(&d, to: offset + bytes.count) }
            default:  // torn at a sector boundary, maybe with a sector of garbage after the kept prefix
                let cut = Int(rng.next() % UInt64(bytes.count + 1))
                let keep = max(0, ((offset + cut) / sectorSize) * sectorSize - offset)
                put(bytes[..<keep], at: offset, into: &d)
                if keep < bytes.count, rng.chance(1, in: 2) {
                    let n = min(sectorSize - (offset + keep) % sectorSize, bytes.count - keep)
                    put((0..<n).map { _ in UInt8(truncatingIfNeeded: rng.next()) }[...], at: offset + keep, into: &d)
                }
            }
        }
    }

    // MARK: inspection helpers for tests

    /// Current contents of a file as reads see them (nil when missing).
    public func contents(of path: String) -> [UInt8]? {
        mutex.lock()
        defer { mutex.unlock() }
        return names[path]?.current
    }

    /// Replaces a file's contents durably, as if written and synced long ago (for corruption tests).
    public func setDurableContents(of path: String, _ bytes: [UInt8]) {
        mutex.lock()
        defer { mutex.unlock() }
        let inode = names[path] ?? Inode()
        inode.current = bytes
        inode.durable = bytes
        inode.pending = []
        names[path] = inode
        durableNames[path] = inode
        directories.insert(parent(of: path))
    }

    /// Bytes held by all files.
    public var usedBytes: Int {
        var seen = Set<ObjectIdentifier>()
        var total = 0
        for inode in names.values where seen.insert(ObjectIdentifier(inode)).inserted { total += inode.current.count }
        return total
    }

    // MARK: WALFileSystem

    public func createDirectory(_ path: String) throws -> Bool {
        mutex.lock()
        defer { mutex.unlock() }
        try enter(.createDirectory, "mkdir", path)
        guard directories.contains(parent(of: path)) else {
            throw WALError.io(operation: "mkdir", path: path, errno: ENOENT)
        }
        if names[path] != nil { throw WALError.io(operation: "mkdir", path: path, errno: EEXIST) }
        return directories.insert(path).inserted
    }

    public func listDirectory(_ path: String) throws -> [String] {
        mutex.lock()
        defer { mutex.unlock() }
        try enter(.listDirectory, "opendir", path)
        guard directories.contains(path) else { throw WALError.io(operation: "opendir", path: path, errno: ENOENT) }
        return names.keys.filter { parent(of: $0) == path }.map { String($0.dropFirst(path.count + 1)) }.sorted()
    }

    public func fileSize(_ path: String) throws -> Int {
        mutex.lock()
        defer { mutex.unlock() }
        try enter(.fileSize, "stat", path)
        guard let inode = names[path] else { throw WALError.io(operation: "stat", path: path, errno: ENOENT) }
        return inode.current.count
    }

    public func readFile(_ path: String) throws -> [UInt8] {
        mutex.lock()
        defer { mutex.unlock() }
        try enter(.readFile, "read", path)
        guard let inode = names[path] else { throw WALError.io(operation: "open", path: path, errno: ENOENT) }
        return inode.current
    }

    public func openFile(_ path: String, writable: Bool, create: Bool, truncate: Bool) throws -> WALFileHandle {
        mutex.lock()
        defer { mutex.unlock() }
        try enter(.openFile, "open", path)
        let inode: Inode
        if let existing = names[path] {
            inode = existing
        } else {
            guard create else { throw WALError.io(operation: "open", path: path, errno: ENOENT) }
            guard directories.contains(parent(of: path)) else {
                throw WALError.io(operation: "open", path: path, errno: ENOENT)
            }
            inode = Inode()
            names[path] = inode
            pendingDirOps.append(.link(path, inode))
        }
        if truncate, !inode.current.isEmpty {
            inode.current = []
            inode.pending.append(.truncate(0))
        }
        let h = nextHandle
        nextHandle += 1
        handles[h] = Handle(inode: inode, path: path, writable: writable, lock: nil)
        return h
    }

    public func close(_ file: WALFileHandle) {
        mutex.lock()
        defer { mutex.unlock() }
        handles.removeValue(forKey: file)
    }

    public func write(_ file: WALFileHandle, _ bytes: UnsafeRawBufferPointer, at offset: Int) throws {
        mutex.lock()
        defer { mutex.unlock() }
        let h = try handle(file, "write")
        var data = [UInt8](bytes)
        var error: Int32?
        do {
            try enter(.write, "write", h.path)
        } catch let e as WALError {
            // Power failed or an error was injected in the middle of the write: a prefix may have landed.
            guard let code = e.errnoValue else { throw e }
            error = code
            data = Array(data.prefix(Int(rng.next() % UInt64(data.count + 1))))
        }
        guard h.writable else { throw WALError.io(operation: "write", path: h.path, errno: EBADF) }
        if let cap = capacityBytes {
            let room = cap - usedBytes + h.inode.current.count - offset
            if data.count > room {
                data = Array(data.prefix(max(0, room)))
                error = error ?? ENOSPC
            }
        }
        if !data.isEmpty {
            put(data[...], at: offset, into: &h.inode.current)
            h.inode.pending.append(.write(offset: offset, bytes: data))
        }
        if let code = error { throw WALError.io(operation: "write", path: h.path, errno: code) }
    }

    public func sync(_ file: WALFileHandle, metadata: Bool) throws {
        mutex.lock()
        defer { mutex.unlock() }
        let h = try handle(file, "fsync")
        do {
            try enter(.sync, metadata ? "fsync" : "fdatasync", h.path)
        } catch {
            // An I/O error (not a power failure): the kernel dropped the dirty pages and marked them clean, so a
            // later sync will not bring them back.
            if !isPoweredOff { h.inode.pending = [] }
            throw error
        }
        for op in h.inode.pending {
            switch op {
            case .write(let offset, let bytes): put(bytes[...], at: offset, into: &h.inode.durable)
            case .truncate(let length): resize(&h.inode.durable, to: length)
            case .allocate(let length): if h.inode.durable.count < length { resize(&h.inode.durable, to: length) }
            }
        }
        h.inode.pending = []
        syncCount += 1
    }

    public func truncate(_ file: WALFileHandle, to length: Int) throws {
        mutex.lock()
        defer { mutex.unlock() }
        let h = try handle(file, "ftruncate")
        try enter(.truncate, "ftruncate", h.path)
        guard h.writable else { throw WALError.io(operation: "ftruncate", path: h.path, errno: EBADF) }
        if let cap = capacityBytes, length > h.inode.current.count, usedBytes + length - h.inode.current.count > cap {
            throw WALError.io(operation: "ftruncate", path: h.path, errno: ENOSPC)
        }
        resize(&h.inode.current, to: length)
        h.inode.pending.append(.truncate(length))
    }

    public func allocate(_ file: WALFileHandle, length: Int) throws {
        mutex.lock()
        defer { mutex.unlock() }
        let h = try handle(file, "posix_fallocate")
        try enter(.allocate, "posix_fallocate", h.path)
        guard h.writable else { throw WALError.io(operation: "posix_fallocate", path: h.path, errno: EBADF) }
        guard length > h.inode.current.count else { return }
        if let cap = capacityBytes, usedBytes + length - h.inode.current.count > cap {
            throw WALError.io(operation: "posix_fallocate", path: h.path, errno: ENOSPC)
        }
        resize(&h.inode.current, to: length)
        h.inode.pending.append(.allocate(length))
    }

    public func syncDirectory(_ path: String) throws {
        mutex.lock()
        defer { mutex.unlock() }
        try enter(.syncDirectory, "fsync", path)
        guard directories.contains(path) else { throw WALError.io(operation: "open", path: path, errno: ENOENT) }
        // The directory's entries become durable as they are now; operations on other directories stay pending.
        pendingDirOps.removeAll { op in
            switch op {
            case .link(let p, _), .unlink(let p): return parent(of: p) == path
            case .rename(let from, let to, _): return parent(of: from) == path && parent(of: to) == path
            }
        }
        for (p, inode) in names where parent(of: p) == path { durableNames[p] = inode }
        for p in durableNames.keys where parent(of: p) == path && names[p] == nil {
            durableNames.removeValue(forKey: p)
        }
        syncCount += 1
    }

    public func rename(_ from: String, to: String) throws {
        mutex.lock()
        defer { mutex.unlock() }
        try enter(.rename, "rename", "\(from) -> \(to)")
        guard let inode = names.removeValue(forKey: from) else {
            throw WALError.io(operation: "rename", path: "\(from) -> \(to)", errno: ENOENT)
        }
        names[to] = inode
        pendingDirOps.append(.rename(from, to, inode))
    }

    public func remove(_ path: String) throws {
        mutex.lock()
        defer { mutex.unlock() }
        try enter(.remove, "unlink", path)
        guard names.removeValue(forKey: path) != nil else {
            throw WALError.io(operation: "unlink", path: path, errno: ENOENT)
        }
        pendingDirOps.append(.unlink(path))
    }

    public func lock(_ file: WALFileHandle, exclusive: Bool) throws -> Bool {
        mutex.lock()
        defer { mutex.unlock() }
        let h = try handle(file, "flock")
        try enter(.lock, "flock", h.path)
        for (other, o) in handles where other != file && o.inode === h.inode {
            if let held = o.lock, held || exclusive { return false }
        }
        handles[file]!.lock = exclusive
        return true
    }

    // MARK: internals

    /// Counts the call and fires power failure or an injected error.
    private func enter(_ op: Operation, _ name: String, _ path: String) throws {
        if isPoweredOff { throw WALError.io(operation: name, path: path, errno: EIO) }
        callCount += 1
        trace?("#\(callCount) \(name) \(path)")
        if let at = powerFailAtCall, callCount >= at {
            isPoweredOff = true
            throw WALError.io(operation: name, path: path, errno: EIO)
        }
        for i in faults.indices where faults[i].operations.contains(op) {
            faults[i].remaining -= 1
            if faults[i].remaining == 0 {
                let code = faults[i].errno
                faults.remove(at: i)
                throw WALError.io(operation: name, path: path, errno: code)
            }
        }
    }

    private func handle(_ file: WALFileHandle, _ op: String) throws -> Handle {
        guard let h = handles[file] else { throw WALError.io(operation: op, path: "fd \(file)", errno: EBADF) }
        return h
    }

    private func parent(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    private func resize(_ d: inout [UInt8], to length: Int) {
        if d.count > length {
            d.removeSubrange(length..<d.count)
        } else {
            d.appendZeros(length - d.count)
        }
    }

    private func put(_ bytes: ArraySlice<UInt8>, at offset: Int, into d: inout [UInt8]) {
        if d.count < offset + bytes.count { resize(&d, to: offset + bytes.count) }
        d.withUnsafeMutableBytes { dst in
            bytes.withUnsafeBytes { src in
                if src.count > 0 {
                    (dst.baseAddress! + offset).copyMemory(from: src.baseAddress!, byteCount: src.count)
                }
            }
        }
    }
}

/// Small, fast, seedable PRNG (Steele, Lea, Flood 2014).
struct SplitMix64 {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func chance(_ k: UInt64, in n: UInt64) -> Bool { next() % n < k }
}

/// A recursive pthread mutex (the simulated file system's calls may call each other).
final class RecursiveMutex: @unchecked Sendable {
    private var m = pthread_mutex_t()
    init() {
        var attr = pthread_mutexattr_t()
        pthread_mutexattr_init(&attr)
        pthread_mutexattr_settype(&attr, Int32(PTHREAD_MUTEX_RECURSIVE))
        pthread_mutex_init(&m, &attr)
        pthread_mutexattr_destroy(&attr)
    }
    func lock() { pthread_mutex_lock(&m) }
    func unlock() { pthread_mutex_unlock(&m) }
}
