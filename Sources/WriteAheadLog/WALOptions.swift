/// Limits and switches of a `WriteAheadLog`.
public struct WALOptions: Sendable {
    /// Largest payload accepted by `append` and the largest length a reader believes. Checked before anything is
    /// allocated or read. Below `UInt32.max` (that length marks a commit marker).
    public var maxRecordBytes: Int = 16 << 20
    /// A segment is closed and a new one started when the next record would take it past this size
    /// (a single record larger than this gets a segment of its own).
    public var segmentBytes: Int = 64 << 20
    /// Reserve `segmentBytes` for each new segment (`posix_fallocate`). The reserved space reads as zeros,
    /// which a reader takes as the end of the log.
    public var preallocate: Bool = true
    /// fdatasync/fsync of files and directories. Only tests and benchmarks may turn it off: without it nothing
    /// survives a power loss.
    public var syncEnabled: Bool = true

    public init() {}
}
