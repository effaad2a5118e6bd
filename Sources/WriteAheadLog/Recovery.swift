/// A segment file in use, by its first sequence and name.
struct SegmentRef: Equatable {
    var firstSequence: UInt64
    var name: String
}

/// What the read-only recovery pass found; `open` acts on it, `verify` reports it.
struct RecoveryOutcome {
    var snapshotSequence: UInt64?
    /// Files that recovery no longer needs: temporaries, older snapshots, segments the snapshot covers, a last
    /// segment without a usable header.
    var staleNames: [String] = []
    /// Segments in use, in order.
    var segments: [SegmentRef] = []
    /// Sequence of the last record in `segments` (first - 1 of the last one when it holds none); 0 without segments.
    var lastRecordSequence: UInt64 = 0
    /// Offset just past the last valid record of the last segment.
    var lastValidEnd = 0
    /// The last segment's bytes up to `lastValidEnd`.
    var lastSegmentContents: [UInt8] = []
    /// The last segment's format version (1 or 2) and the last sequence a commit marker in it covers.
    var lastSegmentVersion = WALFormat.segmentVersion
    var lastCertifiedThrough: UInt64 = 0
    var tornTailBytes = 0
    var tornTailFile: String?
    /// Where the torn tail starts in `tornTailFile`, and its bytes up to the last non-zero one (what open keeps
    /// in a `.cut-` file before cutting).
    var tornTailOffset = 0
    var tornTailContents: [UInt8] = []
    var recordsReplayed = 0
    /// `.cut-` files left by earlier starts.
    var cutFiles: [String] = []
}

/// Where recovery found damage, so `repair` knows what to cut.
enum CorruptionSite: Equatable {
    case snapshot(name: String)
    /// The first segment starts after what the snapshot covers.
    case logStart
    /// Segment `index` does not continue the previous one.
    case gap(index: Int)
    /// Bad data in segment `index` at `offset` (0: its header).
    case segment(index: Int, offset: Int)
}

struct RecoveryFailure: Error {
    var error: WALError
    /// nil when not repairable (an unsupported version).
    var site: CorruptionSite?
    /// The segment list recovery was working on.
    var segments: [SegmentRef] = []
}

enum Recovery {
    /// Loads the newest snapshot, then scans every needed segment and delivers the records after the snapshot.
    /// Modifies nothing. Throws `RecoveryFailure` for damage and unsupported versions, `WALError.io` for I/O errors,
    /// and whatever the callbacks throw.
    static func run(
        directory: String, fileSystem fs: any WALFileSystem, options: WALOptions,
        onSnapshot: (UInt64, [UInt8]) throws -> Void,
        onRecord: (UInt64, UnsafeRawBufferPointer) throws -> Void
    ) throws -> RecoveryOutcome {
        var out = RecoveryOutcome()
        let names = try fs.listDirectory(directory)
        out.staleNames = names.filter { $0.hasSuffix(WALFormat.temporarySuffix) }
        out.cutFiles = names.filter(WALFormat.isCutName).sorted()

        let snapshots = names.compactMap { n in WALFormat.snapshotSequence(fromName: n).map { (sequence: $0, name: n) }
        }
        .sorted { $0.sequence > $1.sequence }
        if let newest = snapshots.first {
            let path = join(directory, newest.name)
            var bytes = try fs.readFile(path)
            switch bytes.withUnsafeBytes({ WALFormat.checkSnapshot($0, sequence: newest.sequence) }) {
            case .unsupported(let version):
                throw RecoveryFailure(error: .unsupportedVersion(file: path, version: version), site: nil)
            case .invalid(let offset, let reason):
                throw RecoveryFailure(
                    error: .corrupt(file: path, offset: offset, reason: reason), site: .snapshot(name: newest.name))
            case .valid(let payload):
                out.snapshotSequence = newest.sequence
                bytes.removeSubrange(0..<payload.lowerBound)  // in place: no second copy of a large payload
                try onSnapshot(newest.sequence, bytes)
            }
            out.staleNames += snapshots.dropFirst().map(\.name)
        }
        let covered = out.snapshotSequence ?? 0

        var segments = names.compactMap { n in
            WALFormat.segmentSequence(fromName: n).map { SegmentRef(firstSequence: $0, name: n) }
        }
        .sorted { $0.firstSequence < $1.firstSequence }
        // A segment is covered by the snapshot when the next one starts at or before snapshot + 1 (left behind by
        // a crash during retirement). It is not even read.
        if out.snapshotSequence != nil {
            while segments.count >= 2, segments[1].firstSequence <= covered &+ 1 {
                out.staleNames.append(segments.removeFirst().name)
            }
        }
        if let first = segments.first, first.firstSequence > covered &+ 1 {
            let what = out.snapshotSequence.map { "the snapshot covers only up to \($0)" } ?? "there is no snapshot"
            throw RecoveryFailure(
                error: .corrupt(
                    file: join(directory, first.name), offset: 0,
                    reason:
                        "the log starts at sequence \(first.firstSequence) but \(what): records \(covered + 1)...\(first.firstSequence - 1) are missing"
                ),
                site: .logStart, segments: segments)
        }

        var previousEnd: UInt64?
        var headerlessLast = false
        for (i, segment) in segments.enumerated() {
            let path = join(directory, segment.name)
            let isLast = i == segments.count - 1
            if let prev = previousEnd, segment.firstSequence != prev &+ 1 {
                throw RecoveryFailure(
                    error: .corrupt(
                        file: path, offset: 0,
                        reason:
                            "sequence gap: the previous segment ends at \(prev) but this one starts at \(segment.firstSequence)"
                    ),
                    site: .gap(index: i), segments: segments)
            }
            let bytes = try fs.readFile(path)
            try bytes.withUnsafeBytes { raw in
                let d = WALScan.scanDetailed(
                    raw, expectedFirstSequence: segment.firstSequence, maxRecordBytes: options.maxRecordBytes)
                if let version = d.unsupportedVersion {
                    throw RecoveryFailure(error: .unsupportedVersion(file: path, version: version), site: nil)
                }
                switch d.state {
                case .corruptMiddle(let offset, let reason):
                    throw RecoveryFailure(
                        error: .corrupt(file: path, offset: offset, reason: reason),
                        site: .segment(index: i, offset: offset), segments: segments)
                case .tornTail where !isLast, .clean where !isLast && d.validEnd == 0:
                    let reason = d.stopReason ?? "segment header missing"
                    throw RecoveryFailure(
                        error: .corrupt(
                            file: path, offset: d.validEnd, reason: "\(reason), in a segment that is not the last"),
                        site: .segment(index: i, offset: d.validEnd), segments: segments)
                case .tornTail(let dropped):
                    out.tornTailBytes = dropped
                    out.tornTailFile = path
                    out.tornTailOffset = d.validEnd
                    out.tornTailContents = Array(raw[d.validEnd..<(d.validEnd + dropped)])
                case .clean:
                    break
                }
                if d.validEnd == 0 {
                    // The last segment has no usable header and nothing valid after it: a creation cut short.
                    headerlessLast = true
                    out.tornTailFile = path
                    return
                }
                for r in d.records where r.sequence > covered {
                    try onRecord(r.sequence, UnsafeRawBufferPointer(rebasing: raw[r.range]))
                    out.recordsReplayed += 1
                }
                previousEnd = d.records.last?.sequence ?? segment.firstSequence - 1
                out.lastValidEnd = d.validEnd
                out.lastSegmentVersion = d.version
                out.lastCertifiedThrough = d.certifiedThrough
            }
            if !headerlessLast { out.lastSegmentContents = bytes }  // no copy: the array is shared
        }
        if headerlessLast {
            out.staleNames.append(segments.removeLast().name)
        }
        out.segments = segments
        out.lastRecordSequence = previousEnd ?? 0
        out.lastSegmentContents.removeSubrange(out.lastValidEnd...)
        return out
    }

    static func join(_ directory: String, _ name: String) -> String {
        directory.hasSuffix("/") ? directory + name : directory + "/" + name
    }
}
