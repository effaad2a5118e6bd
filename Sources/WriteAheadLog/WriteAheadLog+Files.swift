#if canImport(Glibc)
    import Glibc
#endif

/// A sync failed: never survivable, whatever its errno (RELIABILITY rule 10).
struct FatalIO: Error {
    var error: WALError
}

/// File steps shared by `open`, `commit`, `writeSnapshot` and `repair`.
extension WriteAheadLog {
    static func validate(_ options: WALOptions) {
        // UInt32.max is the commit marker's length field, which no record may have.
        precondition(
            options.maxRecordBytes >= 1 && options.maxRecordBytes < Int(WALFormat.markerLength),
            "WALOptions.maxRecordBytes must be in 1..<UInt32.max")
        precondition(options.segmentBytes >= 1, "WALOptions.segmentBytes must be positive")
    }

    static func join(_ directory: String, _ name: String) -> String { Recovery.join(directory, name) }

    static func parentDirectory(of path: String) -> String {
        var p = Substring(path)
        while p.count > 1, p.hasSuffix("/") { p.removeLast() }
        guard let slash = p.lastIndex(of: "/") else { return "." }
        return slash == p.startIndex ? "/" : String(p[..<slash])
    }

    /// Runs a file-handle operation and names `path` in its error (the file system only knows the handle).
    static func onFile<T>(_ path: String, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let WALError.io(operation, _, code) {
            throw WALError.io(operation: operation, path: path, errno: code)
        }
    }

    func onFile<T>(_ path: String, _ body: () throws -> T) throws -> T { try Self.onFile(path, body) }

    /// fsync or fdatasync; any failure is `FatalIO`.
    static func syncFile(
        _ handle: WALFileHandle, _ path: String, metadata: Bool, options: WALOptions, fileSystem fs: any WALFileSystem
    ) throws {
        guard options.syncEnabled else { return }
        do {
            try onFile(path) { try fs.sync(handle, metadata: metadata) }
        } catch let e as WALError {
            throw FatalIO(error: e)
        }
    }

    /// fsync of a directory; any failure is `FatalIO`.
    static func syncDirectory(_ path: String, options: WALOptions, fileSystem fs: any WALFileSystem) throws {
        guard options.syncEnabled else { return }
        do {
            try fs.syncDirectory(path)
        } catch let e as WALError {
            throw FatalIO(error: e)
        }
    }

    static func removeIfPresent(_ path: String, _ fs: any WALFileSystem) throws {
        do {
            try fs.remove(path)
        } catch let e as WALError where e.errnoValue == ENOENT {
            return
        }
    }

    /// flock on DIR/lock. With `create` (a writer: `open`, `repair`) the file is made when missing and the directory
    /// is fsynced once the lock is held: a previous process may have died after a failed directory fsync, and its
    /// creates, renames and removes must be durable before anything is built on them. Without `create` (`verify`)
    /// a missing lock file means nobody holds it, and nil is returned.
    static func takeLock(
        directory: String, fileSystem fs: any WALFileSystem, exclusive: Bool, create: Bool,
        options: WALOptions
    ) throws -> WALFileHandle? {
        let path = join(directory, WALFormat.lockFileName)
        let existed = try fs.listDirectory(directory).contains(WALFormat.lockFileName)
        if !existed, !create { return nil }
        let handle = try fs.openFile(path, writable: create, create: create, truncate: false)
        do {
            guard try onFile(path, { try fs.lock(handle, exclusive: exclusive) }) else { throw WALError.locked(path) }
            if create { try syncDirectory(directory, options: options, fileSystem: fs) }
        } catch let fatal as FatalIO {
            fs.close(handle)
            throw fatal.error
        } catch {
            fs.close(handle)
            throw error
        }
        return handle
    }

    /// Creates segment `firstSequence` with `contents` (header and records) the etcd way: a temporary file is
    /// reserved, written and fsynced, renamed into place, and the directory fsynced. Returns a handle open for
    /// writing. A file under the final name is therefore always complete. `reserve` preallocates
    /// `segmentBytes` (when the options ask for it); a segment created already finished does not need it.
    static func createSegment(
        directory: String, firstSequence: UInt64, contents: [UInt8], reserve: Bool = true,
        options: WALOptions, fileSystem fs: any WALFileSystem
    ) throws -> WALFileHandle {
        let header = contents.withUnsafeBytes { WALFormat.checkSegmentHeader($0) }
        precondition(
            header == .valid(firstSequence: firstSequence, version: WALFormat.segmentVersion),
            "segment \(firstSequence) would be written without its header")
        let path = join(directory, WALFormat.segmentName(firstSequence: firstSequence))
        let temporary = path + WALFormat.temporarySuffix
        let handle = try fs.openFile(temporary, writable: true, create: true, truncate: true)
        do {
            if reserve, options.preallocate, options.segmentBytes > contents.count {
                do {
                    try onFile(temporary) { try fs.allocate(handle, length: options.segmentBytes) }
                } catch let e as WALError where e.isOutOfSpace {
                    // Go on without the reservation: the records themselves may still fit.
                    try onFile(temporary) { try fs.truncate(handle, to: 0) }
                }
            }
            try contents.withUnsafeBytes { b in try onFile(temporary) { try fs.write(handle, b, at: 0) } }
            try syncFile(handle, temporary, metadata: true, options: options, fileSystem: fs)
            try fs.rename(temporary, to: path)
            try syncDirectory(directory, options: options, fileSystem: fs)
            return handle
        } catch {
            fs.close(handle)
            if !(error is FatalIO) { try? fs.remove(temporary) }
            throw error
        }
    }

    /// Keeps the bytes of a torn tail in `<segment>.cut-<offset>` before `open` cuts them: written to a temporary
    /// file, fsynced, renamed, directory fsynced. A file of that name holding the same bytes (left by a start that
    /// stopped before the cut) is reused; one holding other bytes is never overwritten (`.1`, `.2`, … are tried).
    /// Returns the name. On ENOSPC throws `.noSpace` and leaves nothing behind (`open` then changes nothing).
    static func keepCutBytes(
        directory: String, segmentPath: String, offset: Int, bytes: [UInt8], existing: [String],
        options: WALOptions, fileSystem fs: any WALFileSystem
    ) throws -> String {
        let segment = String(segmentPath.split(separator: "/", omittingEmptySubsequences: false).last!)
        var n = 0
        var name = WALFormat.cutName(segment: segment, offset: offset)
        while existing.contains(name) {
            if (try? fs.readFile(join(directory, name))) == bytes { return name }
            n += 1
            name = WALFormat.cutName(segment: segment, offset: offset, n: n)
        }
        let path = join(directory, name)
        let temporary = path + WALFormat.temporarySuffix
        do {
            let handle = try fs.openFile(temporary, writable: true, create: true, truncate: true)
            do {
                try bytes.withUnsafeBytes { b in try onFile(temporary) { try fs.write(handle, b, at: 0) } }
                try syncFile(handle, temporary, metadata: true, options: options, fileSystem: fs)
            } catch {
                fs.close(handle)
                throw error
            }
            fs.close(handle)
            try fs.rename(temporary, to: path)
            try syncDirectory(directory, options: options, fileSystem: fs)
        } catch let e as WALError where e.isOutOfSpace {
            try? fs.remove(temporary)
            throw WALError.noSpace(
                "cannot keep the \(bytes.count) bytes cut from the torn tail of \(segmentPath) "
                    + "at offset \(offset) in \(name) (\(e)); nothing was changed: free space and "
                    + "start again")
        }
        return name
    }
}

extension WriteAheadLog {
    /// The name of the snapshot file covering `sequence` (`snapshot-<16 hex>.snap`), for messages about it.
    public static func snapshotFileName(sequence: UInt64) -> String { WALFormat.snapshotName(sequence: sequence) }
}
