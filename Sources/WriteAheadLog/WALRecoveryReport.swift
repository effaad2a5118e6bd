/// What `WriteAheadLog.open` (or `verify`) found.
public struct WALRecoveryReport: Sendable, Equatable {
    /// Sequence covered by the loaded snapshot; nil without a snapshot.
    public var snapshotSequence: UInt64?
    /// Records delivered to `onRecord` (those after the snapshot).
    public var recordsReplayed: Int
    /// Bytes of a torn tail that were cut (by `verify`: that would be cut); 0 when the log ended cleanly.
    /// Trailing zero bytes are not counted.
    public var tornTailBytesDropped: Int
    /// The segment whose torn tail was cut, nil when the log ended cleanly.
    public var tornTailFile: String?
    /// Offset in `tornTailFile` where the cut starts (just past the last valid record or commit marker).
    public var tornTailOffset: Int?
    /// Path of the file that keeps the cut bytes (`<segment>.cut-<offset>`); set by `open` only, and only when
    /// bytes were cut (`verify` changes nothing).
    public var tornTailKeptIn: String?
    /// Segment files in use after recovery.
    public var segments: Int
    /// Names of the `.cut-` files in the directory (the one `open` just wrote included): bytes cut from torn tails,
    /// kept until an operator removes them.
    public var cutFiles: [String]

    public init(
        snapshotSequence: UInt64? = nil, recordsReplayed: Int = 0, tornTailBytesDropped: Int = 0,
        tornTailFile: String? = nil, tornTailOffset: Int? = nil, tornTailKeptIn: String? = nil,
        segments: Int = 0, cutFiles: [String] = []
    ) {
        self.snapshotSequence = snapshotSequence
        self.recordsReplayed = recordsReplayed
        self.tornTailBytesDropped = tornTailBytesDropped
        self.tornTailFile = tornTailFile
        self.tornTailOffset = tornTailOffset
        self.tornTailKeptIn = tornTailKeptIn
        self.segments = segments
        self.cutFiles = cutFiles
    }
}

/// What `WriteAheadLog.repair` did.
public struct WALRepairReport: Sendable, Equatable {
    /// One line per action, for the operator.
    public var actions: [String]
    /// Records from this sequence on were cut from the log (kept in `preservedFiles`); nil when no record was cut.
    public var cutAtSequence: UInt64?
    /// Evidence kept beside the log (`*.broken`).
    public var preservedFiles: [String]

    public init(actions: [String] = [], cutAtSequence: UInt64? = nil, preservedFiles: [String] = []) {
        self.actions = actions
        self.cutAtSequence = cutAtSequence
        self.preservedFiles = preservedFiles
    }
}
