#if canImport(Glibc)
    import Glibc
#endif

/// Why the log refused or failed an operation.
public enum WALError: Error, CustomStringConvertible, Sendable {
    /// Damage before the tail of the log (or in a snapshot): start-up must stop. `offset` is the byte offset of the
    /// first bad byte range in `file`.
    case corrupt(file: String, offset: Int, reason: String)
    /// A segment or snapshot whose format version this build does not read (written by a newer whsed). Not damage:
    /// nothing is cut or repaired.
    case unsupportedVersion(file: String, version: UInt32)
    /// `append` of a payload longer than `WALOptions.maxRecordBytes`.
    case recordTooLarge(bytes: Int, max: Int)
    /// ENOSPC: nothing half-written remains and the log is still usable; the records of the failed commit were dropped.
    case noSpace(String)
    /// Any other I/O failure. Fatal: the caller must exit and let recovery run on restart. Never retry.
    case io(operation: String, path: String, errno: Int32)
    /// Another process holds the directory's lock.
    case locked(String)

    public var description: String {
        switch self {
        case .corrupt(let file, let offset, let reason):
            let wayOut =
                file.hasSuffix(".snap")
                ? "Restore from backup, or run whsed --repair to move the damaged snapshot aside (this works only if an older snapshot and the log still cover it)."
                : "Restore from backup or run whsed --repair to cut the log at this point (later records are kept aside in *.broken files)."
            return "write-ahead log is corrupt: \(file) at offset \(offset): \(reason). \(wayOut)"
        case .unsupportedVersion(let file, let version):
            let kind = file.hasSuffix(".snap") ? "snapshot" : "segment"
            return "\(file) has \(kind) format version \(version), which this build does not read (it reads "
                + "\(WALError.readableVersions)); it was probably written by a newer whsed. Start that version on this "
                + "folder, or restore a backup made by this one; nothing was changed"
        case .recordTooLarge(let bytes, let max):
            return "record of \(bytes) bytes exceeds the limit of \(max) bytes"
        case .noSpace(let detail):
            return "no space left on device: \(detail); nothing was written and the log is still usable"
        case .io(let operation, let path, let code):
            return
                "\(operation) \(path) failed: \(String(cString: strerror(code))) (errno \(code)); the log cannot continue"
        case .locked(let path):
            return "\(path) is locked by another process (is whsed already running on this directory?)"
        }
    }

    /// The file format versions this build reads, as words.
    public static var readableVersions: String {
        let s = WALFormat.readableSegmentVersions
        return "segment format versions \(s.lowerBound)–\(s.upperBound) and snapshot format version "
            + "\(WALFormat.snapshotVersion)"
    }

    /// The errno of an `.io` error, nil otherwise.
    var errnoValue: Int32? {
        if case .io(_, _, let code) = self { return code }
        return nil
    }

    var isOutOfSpace: Bool { errnoValue == ENOSPC || errnoValue == EDQUOT }
}
