#if canImport(Glibc)
    import Glibc
#endif

/// The durable journal: segments of checksummed records plus snapshots, in one directory.
/// docs/on-disk-format.md describes the files and the recovery rules.
///
/// Used from one thread at a time (the writer). After any `.io` error every call throws that error again: the
/// caller must exit and let recovery run on restart (RELIABILITY rule 10).
public final class WriteAheadLog: @unchecked Sendable {
    /// The log's directory, as given to `open`.
    public let directory: String
    /// Sequence of the last appended record, pending ones included; 0 when empty.
    public private(set) var lastSequence: UInt64
    /// Sequence of the last record made durable by `commit`.
    public private(set) var lastCommittedSequence: UInt64
    /// Sequence covered by the newest snapshot, nil without one.
    public private(set) var snapshotSequence: UInt64?
    /// Bytes written to segments by `commit` since open: frames, commit markers and the headers of new segments.
    public private(set) var bytesWritten = 0

    private let options: WALOptions
    private let fs: any WALFileSystem
    private var lockHandle: WALFileHandle?
    /// Segments on disk, in order; the last one is the active segment.
    private var segments: [SegmentRef]
    private var activeHandle: WALFileHandle
    /// End of the committed records in the active segment.
    private var activeEnd: Int
    /// Framed records waiting for `commit`, for the active segment.
    private var pendingActive: [UInt8] = []
    /// Segments to create at `commit` (header and framed records), when appends rotated past the active one.
    private var pendingSegments: [(firstSequence: UInt64, bytes: [UInt8])] = []
    private var failure: WALError?
    private var isClosed = false

    private init(
        directory: String, options: WALOptions, fileSystem: any WALFileSystem, lockHandle: WALFileHandle,
        segments: [SegmentRef], activeHandle: WALFileHandle, activeEnd: Int, lastSequence: UInt64,
        snapshotSequence: UInt64?
    ) {
        self.directory = directory
        self.options = options
        self.fs = fileSystem
        self.lockHandle = lockHandle
        self.segments = segments
        self.activeHandle = activeHandle
        self.activeEnd = activeEnd
        self.lastSequence = lastSequence
        self.lastCommittedSequence = lastSequence
        self.snapshotSequence = snapshotSequence
    }

    deinit { close() }

    // MARK: open

    /// Opens (creating if needed) the log in `directory`: takes an exclusive flock on DIR/lock, loads the newest
    /// valid snapshot and hands it to `onSnapshot`, then scans the segments and hands every record with
    /// sequence > snapshot's to `onRecord` in order. A torn tail in the last segment (damage that no later record
    /// or commit marker follows) is cut and reported, its bytes first kept in `<segment>.cut-<offset>`;
    /// corruption anywhere else throws `.corrupt`. Leftover temporary files, older snapshots and segments the
    /// snapshot covers are removed. When `open` returns, everything it delivered is durable: the last segment is
    /// rewritten from what was read (temporary file, fsync, rename over it, directory fsync), which is also how
    /// the torn tail is cut. Without room for that copy `open` throws `.noSpace` (nothing is changed).
    ///
    /// When `open` throws after calling the callbacks, whatever they built must be thrown away.
    public static func open(
        directory: String, options: WALOptions = WALOptions(), fileSystem: any WALFileSystem = PosixFileSystem(),
        onSnapshot: (_ sequence: UInt64, _ payload: [UInt8]) throws -> Void,
        onRecord: (_ sequence: UInt64, _ payload: UnsafeRawBufferPointer) throws -> Void
    ) throws -> (WriteAheadLog, WALRecoveryReport) {
        validate(options)
        let fs = fileSystem
        if try fs.createDirectory(directory) {
            do { try syncDirectory(parentDirectory(of: directory), options: options, fileSystem: fs) } catch let fatal
                as FatalIO
            { throw fatal.error }
        }
        let lock = try takeLock(directory: directory, fileSystem: fs, exclusive: true, create: true, options: options)!
        do {
            let out: RecoveryOutcome
            do {
                out = try Recovery.run(
                    directory: directory, fileSystem: fs, options: options, onSnapshot: onSnapshot, onRecord: onRecord)
            } catch let failure as RecoveryFailure {
                throw failure.error
            }
            return try finishOpen(directory: directory, options: options, fileSystem: fs, lock: lock, recovered: out)
        } catch let fatal as FatalIO {
            fs.close(lock)
            throw fatal.error
        } catch {
            fs.close(lock)
            throw error
        }
    }

    /// The part of `open` that changes files: removes what recovery no longer needs, cuts a torn tail, creates
    /// the first segment when there is none.
    private static func finishOpen(
        directory: String, options: WALOptions, fileSystem fs: any WALFileSystem, lock: WALFileHandle,
        recovered out: RecoveryOutcome
    ) throws -> (WriteAheadLog, WALRecoveryReport) {
        let covered = out.snapshotSequence ?? 0
        var stale = out.staleNames
        var segments = out.segments
        var cutFiles = out.cutFiles
        var keptIn: String?
        if let torn = out.tornTailFile, !out.tornTailContents.isEmpty {
            // Never lose bytes: what is about to be cut goes to a file beside the segment first.
            let name = try keepCutBytes(
                directory: directory, segmentPath: torn, offset: out.tornTailOffset,
                bytes: out.tornTailContents, existing: cutFiles, options: options,
                fileSystem: fs)
            keptIn = join(directory, name)
            if !cutFiles.contains(name) { cutFiles = (cutFiles + [name]).sorted() }
        }
        var newFirstSequence: UInt64?
        if segments.isEmpty {
            newFirstSequence = covered + 1
        } else if out.lastRecordSequence < covered {
            // The snapshot reaches past the end of the log: every segment is covered; start after the snapshot.
            stale += segments.map(\.name)
            segments = []
            newFirstSequence = covered + 1
        }
        for name in stale { try removeIfPresent(join(directory, name), fs) }
        if !stale.isEmpty { try syncDirectory(directory, options: options, fileSystem: fs) }

        let log: WriteAheadLog
        if let first = newFirstSequence {
            let header = WALFormat.segmentHeader(firstSequence: first)
            let handle: WALFileHandle
            do {
                handle = try createSegment(
                    directory: directory, firstSequence: first, contents: header, options: options, fileSystem: fs)
            } catch let e as WALError where e.isOutOfSpace {
                throw WALError.noSpace("cannot create the first segment in \(directory)")
            }
            segments.append(SegmentRef(firstSequence: first, name: WALFormat.segmentName(firstSequence: first)))
            log = WriteAheadLog(
                directory: directory, options: options, fileSystem: fs, lockHandle: lock, segments: segments,
                activeHandle: handle, activeEnd: header.count, lastSequence: first - 1,
                snapshotSequence: out.snapshotSequence)
        } else {
            // The active segment is written anew (temporary file, fsync, rename over it, directory fsync) from the
            // bytes recovery read, which also cuts a torn tail. After a failed fsync in the previous process the
            // page cache may show records whose pages the kernel dropped (marked clean, never written); copying
            // makes everything delivered durable before anything is built on it, without rewriting acknowledged
            // data in place.
            // The copy is written in the current format: a version-1 segment gets the version-2 header (its records
            // are framed alike), and records that no commit marker covers yet (the rest of a torn write, or every
            // record of a version-1 segment) get one: they were checked and are now made durable, and later writes
            // rely on every earlier record being covered (section 5 of the format document).
            let last = segments.last!
            let path = join(directory, last.name)
            var contents = out.lastSegmentContents
            if out.lastSegmentVersion != WALFormat.segmentVersion {
                let header = WALFormat.segmentHeader(firstSequence: last.firstSequence)
                contents.replaceSubrange(0..<WALFormat.segmentHeaderBytes, with: header)
            }
            if out.lastRecordSequence > out.lastCertifiedThrough {
                WALFormat.appendMarker(to: &contents, first: out.lastCertifiedThrough + 1, last: out.lastRecordSequence)
            }
            let handle: WALFileHandle
            do {
                handle = try createSegment(
                    directory: directory, firstSequence: last.firstSequence, contents: contents,
                    options: options, fileSystem: fs)
            } catch let e as WALError where e.isOutOfSpace {
                // Cutting in place would keep records that may not be on disk; refuse until there is room.
                throw WALError.noSpace(
                    "cannot rewrite \(path) (\(contents.count) bytes) at start-up; free space and "
                        + "start again")
            }
            log = WriteAheadLog(
                directory: directory, options: options, fileSystem: fs, lockHandle: lock, segments: segments,
                activeHandle: handle, activeEnd: contents.count, lastSequence: out.lastRecordSequence,
                snapshotSequence: out.snapshotSequence)
        }
        var report = report(of: out, segments: segments.count)
        report.tornTailKeptIn = keptIn
        report.cutFiles = cutFiles
        return (log, report)
    }

    private static func report(of out: RecoveryOutcome, segments: Int) -> WALRecoveryReport {
        WALRecoveryReport(
            snapshotSequence: out.snapshotSequence, recordsReplayed: out.recordsReplayed,
            tornTailBytesDropped: out.tornTailBytes, tornTailFile: out.tornTailFile,
            tornTailOffset: out.tornTailFile == nil ? nil : out.tornTailOffset,
            segments: segments, cutFiles: out.cutFiles)
    }

    /// Offline check for `whsed --verify`: the same scan as `open`, modifying nothing. Reports what `open` would
    /// do with a torn tail (`tornTailKeptIn` stays nil: nothing is kept yet) and the `.cut-` files of earlier
    /// starts; throws `.corrupt` or `.unsupportedVersion` where `open` would. The callbacks, when
    /// given, receive what `open` would deliver. Fails with `.locked` while a writer holds the directory.
    public static func verify(
        directory: String, options: WALOptions = WALOptions(), fileSystem: any WALFileSystem = PosixFileSystem(),
        onSnapshot: ((_ sequence: UInt64, _ payload: [UInt8]) throws -> Void)? = nil,
        onRecord: ((_ sequence: UInt64, _ payload: UnsafeRawBufferPointer) throws -> Void)? = nil
    ) throws -> WALRecoveryReport {
        validate(options)
        let lock = try takeLock(
            directory: directory, fileSystem: fileSystem, exclusive: false, create: false, options: options)
        defer { if let lock { fileSystem.close(lock) } }
        do {
            let out = try Recovery.run(
                directory: directory, fileSystem: fileSystem, options: options,
                onSnapshot: onSnapshot ?? { _, _ in }, onRecord: onRecord ?? { _, _ in })
            return report(of: out, segments: out.segments.count)
        } catch let failure as RecoveryFailure {
            throw failure.error
        }
    }

    // MARK: writing

    /// Frames the payload into the pending buffer (no I/O; a segment rotation is only planned here and carried
    /// out by `commit`); returns its sequence. The payload must not be empty (length 0 marks the end of the log).
    @discardableResult
    public func append(_ payload: UnsafeRawBufferPointer) throws -> UInt64 {
        try checkUsable()
        precondition(
            payload.count > 0,
            "WriteAheadLog.append: empty payloads are not allowed (length 0 marks the end of the log)")
        guard payload.count <= options.maxRecordBytes else {
            throw WALError.recordTooLarge(bytes: payload.count, max: options.maxRecordBytes)
        }
        let sequence = lastSequence + 1
        let frame = WALFormat.frameBytes(payload: payload.count)
        // Room is kept for the commit marker that ends the write.
        let needed = frame + WALFormat.markerBytes
        if pendingSegments.isEmpty {
            let end = activeEnd + pendingActive.count
            if end + needed > options.segmentBytes, end > WALFormat.segmentHeaderBytes {
                pendingSegments.append((sequence, WALFormat.segmentHeader(firstSequence: sequence)))
            }
        } else if pendingSegments[pendingSegments.count - 1].bytes.count + needed > options.segmentBytes {
            pendingSegments.append((sequence, WALFormat.segmentHeader(firstSequence: sequence)))
        }
        if pendingSegments.isEmpty {
            WALFormat.appendFrame(to: &pendingActive, sequence: sequence, payload: payload)
        } else {
            WALFormat.appendFrame(
                to: &pendingSegments[pendingSegments.count - 1].bytes, sequence: sequence, payload: payload)
        }
        lastSequence = sequence
        return sequence
    }

    @discardableResult
    public func append(_ payload: [UInt8]) throws -> UInt64 {
        try payload.withUnsafeBytes { try append($0) }
    }

    /// Writes every pending record with one write(2) per segment, each write ending with a commit marker, and
    /// fdatasyncs; only after it returns may the caller acknowledge them (group commit). On ENOSPC it cuts the files
    /// back to the last committed offset, drops the pending records (`lastSequence` goes back) and throws
    /// `.noSpace`. Any other write or sync error (ENOSPC from a sync included) throws `.io`: the caller must exit,
    /// never retry.
    public func commit() throws {
        try checkUsable()
        guard !pendingActive.isEmpty || !pendingSegments.isEmpty else { return }
        appendCommitMarkers()
        let activePath = join(directory, segments.last!.name)
        var created: [(ref: SegmentRef, handle: WALFileHandle, end: Int)] = []
        do {
            if !pendingActive.isEmpty {
                try pendingActive.withUnsafeBytes { b in
                    try onFile(activePath) { try fs.write(activeHandle, b, at: activeEnd) }
                }
            }
            if pendingSegments.isEmpty {
                try syncFile(activeHandle, activePath, metadata: false)
            } else {
                // The active segment is finished: give back its unused reservation, make data and size durable,
                // and only then let the next segment appear (a later segment never follows an incomplete one).
                try onFile(activePath) { try fs.truncate(activeHandle, to: activeEnd + pendingActive.count) }
                try syncFile(activeHandle, activePath, metadata: true)
                for (i, segment) in pendingSegments.enumerated() {
                    let handle = try Self.createSegment(
                        directory: directory, firstSequence: segment.firstSequence,
                        contents: segment.bytes, reserve: i == pendingSegments.count - 1,
                        options: options, fileSystem: fs)
                    created.append(
                        (
                            SegmentRef(
                                firstSequence: segment.firstSequence,
                                name: WALFormat.segmentName(firstSequence: segment.firstSequence)),
                            handle, segment.bytes.count
                        ))
                }
            }
        } catch let fatal as FatalIO {
            throw fail(fatal.error)
        } catch let e as WALError where e.isOutOfSpace {
            let records = "\(lastCommittedSequence + 1)...\(lastSequence)"
            try rollBack(created: created, activePath: activePath)
            throw WALError.noSpace("records \(records) were not committed to \(directory) (\(e))")
        } catch {
            throw fail(error)
        }
        if let newest = created.last {
            fs.close(activeHandle)
            for c in created.dropLast() { fs.close(c.handle) }
            segments += created.map(\.ref)
            activeHandle = newest.handle
            activeEnd = newest.end
        } else {
            activeEnd += pendingActive.count
        }
        bytesWritten += pendingActive.count + pendingSegments.reduce(0) { $0 + $1.bytes.count }
        lastCommittedSequence = lastSequence
        pendingActive.removeAll(keepingCapacity: true)
        pendingSegments.removeAll()
    }

    /// Ends each segment's pending frames with the commit marker of this commit, written in the same pwrite: a
    /// reader that finds the marker knows the write before it was complete (docs/on-disk-format.md 3.2).
    private func appendCommitMarkers() {
        if !pendingActive.isEmpty {
            let last = pendingSegments.first.map { $0.firstSequence - 1 } ?? lastSequence
            WALFormat.appendMarker(to: &pendingActive, first: lastCommittedSequence + 1, last: last)
        }
        for i in pendingSegments.indices {
            let last = i + 1 < pendingSegments.count ? pendingSegments[i + 1].firstSequence - 1 : lastSequence
            WALFormat.appendMarker(to: &pendingSegments[i].bytes, first: pendingSegments[i].firstSequence, last: last)
        }
    }

    /// Drops pending (uncommitted) records, e.g. when the caller rolls back.
    public func discardPending() {
        pendingActive.removeAll(keepingCapacity: true)
        pendingSegments.removeAll()
        lastSequence = lastCommittedSequence
    }

    /// Undoes a commit that ran out of space: removes the segments it created, then cuts the active segment back
    /// to its committed end (in this order, so a crash in between never leaves a gap).
    private func rollBack(created: [(ref: SegmentRef, handle: WALFileHandle, end: Int)], activePath: String) throws {
        do {
            for c in created.reversed() {
                fs.close(c.handle)
                try Self.removeIfPresent(join(directory, c.ref.name), fs)
            }
            if !created.isEmpty { try syncDirectory() }
            try onFile(activePath) { try fs.truncate(activeHandle, to: activeEnd) }
            try syncFile(activeHandle, activePath, metadata: true)
        } catch let fatal as FatalIO {
            throw fail(fatal.error)
        } catch {
            throw fail(error)
        }
        discardPending()
    }

    // MARK: snapshots

    /// Atomic snapshot: DIR/snapshot-<seq 16 hex>.snap.tmp written, fsynced, renamed, directory fsynced; then older
    /// snapshots and every segment whose records are all <= sequence are deleted (never the active one).
    /// `sequence` must be committed. ENOSPC throws `.noSpace` and leaves the previous snapshot in force.
    /// In one go on the caller's thread: `prepareSnapshot`, then `installSnapshot`.
    public func writeSnapshot(sequence: UInt64, payload: [UInt8]) throws {
        try checkUsable()
        precondition(
            sequence <= lastCommittedSequence,
            "snapshot at \(sequence) beyond the committed log (\(lastCommittedSequence))")
        precondition(
            sequence >= (snapshotSequence ?? 0),
            "snapshot at \(sequence) older than the current one (\(snapshotSequence ?? 0))")
        let prepared: PreparedSnapshot
        do {
            prepared = try prepareSnapshot(sequence: sequence, payload: payload)
        } catch let e as WALError {
            if case .noSpace = e { throw e }
            throw fail(e)
        }
        _ = try installSnapshot(prepared)
    }

    /// A snapshot file written and synced under its temporary name, waiting for `installSnapshot`.
    public struct PreparedSnapshot: Sendable {
        public let sequence: UInt64
        /// The payload's size (the file is 40 bytes more).
        public let payloadBytes: Int
        let temporary: String
        let path: String
        let name: String
    }

    /// Steps 1 and 2 of writing a snapshot (docs/on-disk-format.md 4.2): header and payload go to
    /// `snapshot-<seq>.snap.tmp`, which is fsynced. This is the slow part (hundreds of megabytes for a large state), and
    /// it touches only that new file, so it may run on another thread while the log's owner goes on committing. It
    /// changes nothing in the log object; on failure the temporary file is removed and the error thrown: `.noSpace`
    /// for a full disk, any other error is fatal to the caller (it must not retry and go on).
    public func prepareSnapshot(sequence: UInt64, payload: [UInt8]) throws -> PreparedSnapshot {
        let name = WALFormat.snapshotName(sequence: sequence)
        let path = join(directory, name)
        let temporary = path + WALFormat.temporarySuffix
        let header = WALFormat.snapshotHeader(sequence: sequence, payload: payload)
        do {
            let handle = try fs.openFile(temporary, writable: true, create: true, truncate: true)
            do {
                // Two writes rather than one copy of a possibly large payload.
                try header.withUnsafeBytes { b in try onFile(temporary) { try fs.write(handle, b, at: 0) } }
                try payload.withUnsafeBytes { b in try onFile(temporary) { try fs.write(handle, b, at: header.count) } }
                try syncFile(handle, temporary, metadata: true)
            } catch {
                fs.close(handle)
                throw error
            }
            fs.close(handle)
        } catch let fatal as FatalIO {
            try? fs.remove(temporary)
            throw fatal.error
        } catch let e as WALError where e.isOutOfSpace {
            try? fs.remove(temporary)
            throw WALError.noSpace("snapshot \(name) not written (\(e))")
        } catch {
            try? fs.remove(temporary)
            throw (error as? WALError) ?? WALError.io(operation: "\(error)", path: temporary, errno: EIO)
        }
        return PreparedSnapshot(
            sequence: sequence, payloadBytes: payload.count, temporary: temporary,
            path: path, name: name)
    }

    /// Removes a prepared snapshot that will not be installed (a newer one is in place).
    public func discardSnapshot(_ prepared: PreparedSnapshot) {
        try? fs.remove(prepared.temporary)
    }

    /// Steps 3 to 6 (docs/on-disk-format.md 4.2), on the log owner's thread: renames a prepared snapshot into place,
    /// fsyncs the directory, and retires the older snapshots and the segments it covers. Returns false, removing the
    /// temporary file, when a snapshot at least as new is already in place.
    @discardableResult
    public func installSnapshot(_ prepared: PreparedSnapshot) throws -> Bool {
        try checkUsable()
        let sequence = prepared.sequence
        let name = prepared.name
        precondition(
            sequence <= lastCommittedSequence,
            "snapshot at \(sequence) beyond the committed log (\(lastCommittedSequence))")
        if let current = snapshotSequence, current > sequence {
            try? fs.remove(prepared.temporary)
            return false
        }
        do {
            try fs.rename(prepared.temporary, to: prepared.path)
            try syncDirectory()
        } catch let fatal as FatalIO {
            throw fail(fatal.error)
        } catch let e as WALError where e.isOutOfSpace {
            try? fs.remove(prepared.temporary)
            throw WALError.noSpace("snapshot \(name) not written (\(e))")
        } catch {
            throw fail(error)
        }
        snapshotSequence = sequence

        var removed = false
        do {
            for other in try fs.listDirectory(directory) {
                if let s = WALFormat.snapshotSequence(fromName: other), s < sequence {
                    try Self.removeIfPresent(join(directory, other), fs)
                    removed = true
                }
            }
            while segments.count >= 2, segments[1].firstSequence <= sequence + 1 {
                try Self.removeIfPresent(join(directory, segments[0].name), fs)
                segments.removeFirst()
                removed = true
            }
            if removed { try syncDirectory() }
        } catch let fatal as FatalIO {
            throw fail(fatal.error)
        } catch let e as WALError where e.isOutOfSpace {
            throw WALError.noSpace("snapshot \(name) written, but old files were not removed (\(e))")
        } catch {
            throw fail(error)
        }
        return true
    }

    // MARK: status

    /// Bytes on disk in segments + snapshots, for status.
    public func diskUsage() -> Int {
        let usage = diskUsageByKind()
        return usage.segments + usage.snapshots
    }

    /// `diskUsage`, split into the log segments and the snapshot files.
    public func diskUsageByKind() -> (segments: Int, snapshots: Int) {
        guard let names = try? fs.listDirectory(directory) else { return (0, 0) }
        var usage = (segments: 0, snapshots: 0)
        for name in names {
            if WALFormat.segmentSequence(fromName: name) != nil {
                usage.segments += (try? fs.fileSize(join(directory, name))) ?? 0
            } else if WALFormat.snapshotSequence(fromName: name) != nil {
                usage.snapshots += (try? fs.fileSize(join(directory, name))) ?? 0
            }
        }
        return usage
    }

    /// Names of the `.cut-` files in the directory: bytes that `open` cut from torn tails, kept until an operator
    /// removes them (never removed by the log).
    public func cutFiles() -> [String] {
        ((try? fs.listDirectory(directory)) ?? []).filter(WALFormat.isCutName).sorted()
    }

    /// Closes the files and releases the lock. Pending records are dropped. Idempotent.
    public func close() {
        guard !isClosed else { return }
        isClosed = true
        discardPending()
        fs.close(activeHandle)
        if let lock = lockHandle { fs.close(lock) }
        lockHandle = nil
    }

    // MARK: internals

    private func checkUsable() throws {
        precondition(!isClosed, "WriteAheadLog used after close()")
        if let failure { throw failure }
    }

    /// Records a fatal error and returns it for throwing; the log refuses all further work.
    private func fail(_ error: any Error) -> WALError {
        // Only WALErrors come out of the file system.
        let e = (error as? WALError) ?? WALError.io(operation: "\(error)", path: directory, errno: EIO)
        failure = e
        return e
    }

    private func syncFile(_ handle: WALFileHandle, _ path: String, metadata: Bool) throws {
        try Self.syncFile(handle, path, metadata: metadata, options: options, fileSystem: fs)
    }

    private func syncDirectory() throws {
        try Self.syncDirectory(directory, options: options, fileSystem: fs)
    }

    private func join(_ directory: String, _ name: String) -> String { Recovery.join(directory, name) }
}
