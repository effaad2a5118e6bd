extension WriteAheadLog {
    /// `whsed --repair`: makes a log that `open` refuses openable again by cutting it at the first damage.
    /// The damaged segment is copied to `<name>.broken` before it is truncated at the damaged record; later
    /// segments are renamed to `<name>.broken`; a damaged newest snapshot is renamed to `<name>.broken` when an
    /// older snapshot or the log itself still covers what it held. Records after the cut are no longer part of
    /// the log (the report says from which sequence on). Throws the original error when the damage cannot be cut
    /// away (records missing at the start of the log, an unsupported version) and leaves the files as they were.
    /// A torn tail is left to `open`. Takes the directory's lock.
    public static func repair(
        directory: String, options: WALOptions = WALOptions(),
        fileSystem fs: any WALFileSystem = PosixFileSystem()
    ) throws -> WALRepairReport {
        validate(options)
        let lock = try takeLock(directory: directory, fileSystem: fs, exclusive: true, create: true, options: options)!
        defer { fs.close(lock) }
        var report = WALRepairReport()
        var movedSnapshot: (original: String, aside: String, error: WALError)?
        do {
            while true {
                let failure: RecoveryFailure
                do {
                    _ = try Recovery.run(
                        directory: directory, fileSystem: fs, options: options,
                        onSnapshot: { _, _ in }, onRecord: { _, _ in })
                    return report
                } catch let f as RecoveryFailure {
                    failure = f
                }
                guard let site = failure.site else { throw failure.error }
                switch site {
                case .logStart:
                    if let moved = movedSnapshot {
                        // Without the damaged snapshot the log does not reach back far enough: put it back.
                        try fs.rename(join(directory, moved.aside), to: join(directory, moved.original))
                        try syncDirectory(directory, options: options, fileSystem: fs)
                        throw moved.error
                    }
                    throw failure.error
                case .snapshot(let name):
                    guard movedSnapshot == nil else { throw failure.error }
                    let aside = try moveAside(name, directory: directory, fileSystem: fs)
                    try syncDirectory(directory, options: options, fileSystem: fs)
                    movedSnapshot = (name, aside, failure.error)
                    report.preservedFiles.append(aside)
                    report.actions.append("moved the damaged snapshot \(name) to \(aside) (\(failure.error))")
                case .gap(let index):
                    let segments = failure.segments
                    try moveAside(segments[index...], directory: directory, fileSystem: fs, report: &report)
                    try syncDirectory(directory, options: options, fileSystem: fs)
                    noteCut(at: segments[index].firstSequence, &report)
                case .segment(let index, let offset):
                    let segments = failure.segments
                    let name = segments[index].name
                    if offset < WALFormat.segmentHeaderBytes {
                        try moveAside(segments[index...], directory: directory, fileSystem: fs, report: &report)
                        try syncDirectory(directory, options: options, fileSystem: fs)
                        noteCut(at: segments[index].firstSequence, &report)
                    } else {
                        let path = join(directory, name)
                        let bytes = try fs.readFile(path)
                        let kept = bytes.withUnsafeBytes {
                            WALScan.scanDetailed(
                                UnsafeRawBufferPointer(rebasing: $0[0..<offset]),
                                expectedFirstSequence: segments[index].firstSequence,
                                maxRecordBytes: options.maxRecordBytes
                            ).records.count
                        }
                        let copy = try copyAside(
                            name, bytes: bytes, directory: directory, options: options, fileSystem: fs)
                        report.preservedFiles.append(copy)
                        try moveAside(segments[(index + 1)...], directory: directory, fileSystem: fs, report: &report)
                        try syncDirectory(directory, options: options, fileSystem: fs)
                        let handle = try fs.openFile(path, writable: true, create: false, truncate: false)
                        defer { fs.close(handle) }
                        try onFile(path) { try fs.truncate(handle, to: offset) }
                        try syncFile(handle, path, metadata: true, options: options, fileSystem: fs)
                        report.actions.append(
                            "copied \(name) to \(copy) and cut it at offset \(offset) (\(failure.error))")
                        noteCut(at: segments[index].firstSequence + UInt64(kept), &report)
                    }
                }
            }
        } catch let fatal as FatalIO {
            throw fatal.error
        }
    }

    private static func noteCut(at sequence: UInt64, _ report: inout WALRepairReport) {
        report.cutAtSequence = min(report.cutAtSequence ?? sequence, sequence)
    }

    private static func moveAside(
        _ segments: ArraySlice<SegmentRef>, directory: String, fileSystem fs: any WALFileSystem,
        report: inout WALRepairReport
    ) throws {
        for segment in segments {
            let aside = try moveAside(segment.name, directory: directory, fileSystem: fs)
            report.preservedFiles.append(aside)
            report.actions.append("moved \(segment.name) to \(aside)")
        }
    }

    /// Renames `name` to a free `<name>.broken[.n]`; returns the new name.
    private static func moveAside(_ name: String, directory: String, fileSystem fs: any WALFileSystem) throws -> String
    {
        let aside = try freeBrokenName(name, directory: directory, fileSystem: fs)
        try fs.rename(join(directory, name), to: join(directory, aside))
        return aside
    }

    /// Writes `bytes` to a free `<name>.broken[.n]` and fsyncs it; returns the new name.
    private static func copyAside(
        _ name: String, bytes: [UInt8], directory: String, options: WALOptions,
        fileSystem fs: any WALFileSystem
    ) throws -> String {
        let aside = try freeBrokenName(name, directory: directory, fileSystem: fs)
        let path = join(directory, aside)
        let handle = try fs.openFile(path, writable: true, create: true, truncate: true)
        defer { fs.close(handle) }
        try bytes.withUnsafeBytes { b in try onFile(path) { try fs.write(handle, b, at: 0) } }
        try syncFile(handle, path, metadata: true, options: options, fileSystem: fs)
        return aside
    }

    private static func freeBrokenName(_ name: String, directory: String, fileSystem fs: any WALFileSystem) throws
        -> String
    {
        let existing = Set(try fs.listDirectory(directory))
        var candidate = name + WALFormat.brokenSuffix
        var n = 1
        while existing.contains(candidate) {
            candidate = name + WALFormat.brokenSuffix + ".\(n)"
            n += 1
        }
        return candidate
    }
}
