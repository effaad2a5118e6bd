import Warehouse

/// The answer of `server.verify`.
public struct ServerVerifyResult: RPCResult {
    public enum Key: String, MemberKey { case ok, violations }
    /// True when no invariant is violated.
    public var ok: Bool
    public var violations: [String]

    public init(violations: [String]) {
        self.ok = violations.isEmpty
        self.violations = violations
    }

    public init(decoding p: Params) throws(RPCError) {
        let m = p.resultMembers(Key.self)
        ok = try m.bool(.ok)
        violations = try m.optionalTexts(.violations) ?? []
    }

    public func encoded() -> JSON {
        var w = MemberWriter<Key>()
        w.set(.ok, ok)
        w.set(.violations, violations)
        return w.json
    }
}

/// The answer of `server.metrics`: the metrics as Prometheus text.
public struct ServerMetricsResult: RPCResult {
    public enum Key: String, MemberKey { case format, text }
    /// The exposition format of `text`, as an HTTP Content-Type: "text/plain; version=0.0.4; charset=utf-8".
    public var format: String
    /// Prometheus text exposition format 0.0.4, lines ending in "\n".
    public var text: String

    public static let prometheusFormat = "text/plain; version=0.0.4; charset=utf-8"

    public init(format: String = ServerMetricsResult.prometheusFormat, text: String) {
        self.format = format
        self.text = text
    }

    public init(decoding p: Params) throws(RPCError) {
        let m = p.resultMembers(Key.self)
        format = try m.text(.format)
        text = try m.text(.text)
    }

    public func encoded() -> JSON {
        var w = MemberWriter<Key>()
        w.set(.format, format)
        w.set(.text, text)
        return w.json
    }
}

/// The answer of `server.backup`: a snapshot of the books at a log sequence, base64-encoded.
public struct ServerBackupResult: RPCResult {
    public enum Key: String, MemberKey { case sequence, format, bytes, snapshot }
    /// On the wire as a decimal string (it may not fit a JSON number's exact range).
    public var sequence: UInt64
    public var format: String
    public var bytes: Int
    public var snapshot: String

    public init(sequence: UInt64, format: String, bytes: Int, snapshot: String) {
        self.sequence = sequence
        self.format = format
        self.bytes = bytes
        self.snapshot = snapshot
    }

    public init(decoding p: Params) throws(RPCError) {
        let m = p.resultMembers(Key.self)
        guard let s = UInt64(try m.text(.sequence)) else {
            throw RPCError.invalidParams("sequence must be a decimal string", param: Key.sequence.rawValue)
        }
        sequence = s
        format = try m.text(.format)
        bytes = try m.int(.bytes, range: 0...Int.max)
        snapshot = try m.text(.snapshot)
    }

    public func encoded() -> JSON {
        var w = MemberWriter<Key>()
        w.set(.sequence, String(sequence))
        w.set(.format, format)
        w.set(.bytes, bytes)
        w.set(.snapshot, snapshot)
        return w.json
    }
}

/// The answer of `server.checkpoint`: whether a snapshot was written at `sequence`, and if not, why.
public struct ServerCheckpointResult: RPCResult {
    public enum Key: String, MemberKey { case sequence, written, reason, bytes, milliseconds }
    /// On the wire as a decimal string, like `server.backup`'s.
    public var sequence: UInt64
    public var written: Bool
    /// Only when no snapshot was written.
    public var reason: String?
    /// Only when one was written: its payload's size and the time it took.
    public var bytes: Int?
    public var milliseconds: Int?

    public init(sequence: UInt64, written: Bool, reason: String? = nil, bytes: Int? = nil, milliseconds: Int? = nil) {
        self.sequence = sequence
        self.written = written
        self.reason = reason
        self.bytes = bytes
        self.milliseconds = milliseconds
    }

    public init(decoding p: Params) throws(RPCError) {
        let m = p.resultMembers(Key.self)
        sequence = try m.sequence(.sequence)
        written = try m.bool(.written)
        reason = try m.optionalText(.reason)
        bytes = try m.optionalInt(.bytes, range: 0...Int.max)
        milliseconds = try m.optionalInt(.milliseconds, range: 0...Int.max)
    }

    public func encoded() -> JSON {
        var w = MemberWriter<Key>()
        w.set(.sequence, String(sequence))
        w.set(.written, written)
        w.set(.reason, reason)
        w.set(.bytes, bytes)
        w.set(.milliseconds, milliseconds)
        return w.json
    }
}

/// The answer of `server.status` (protocol.md §12).
public struct ServerStatusResult: RPCResult {
    public enum Key: String, MemberKey {
        case version, pid, uptimeSeconds, connections, bufferedBytes, locations, bins, items, warehouseEntries,
            itemLedgerEntries, physInventoryEntries, openCountJournals, index, history, log, limits
    }

    /// The log's state: syncs, checkpoints, disk use, and what start-up recovered or cut.
    public struct Log: RPCResult {
        public enum Key: String, MemberKey {
            case directory, lastSequence, syncs, recordsWritten, lastSyncMicroseconds, maxSyncMicroseconds, queued,
                snapshotSequence, checkpoints, lastCheckpointMilliseconds, diskBytes, recoveredRecords,
                tornTailBytesDropped, cutTail, cutFiles
        }
        public var directory: String
        /// Decimal strings on the wire.
        public var lastSequence: UInt64
        public var syncs: Int
        public var recordsWritten: Int
        public var lastSyncMicroseconds: Int
        public var maxSyncMicroseconds: Int
        public var queued: Int
        /// 0 when there is no snapshot.
        public var snapshotSequence: UInt64
        public var checkpoints: Int
        public var lastCheckpointMilliseconds: Int
        public var diskBytes: Int
        public var recoveredRecords: Int
        public var tornTailBytesDropped: Int
        /// What start-up cut from a torn tail; null when nothing was cut.
        public var cutTail: CutTail?
        /// The files that keep bytes cut from the log, for the operator to look at.
        public var cutFiles: [String]

        public init(
            directory: String, lastSequence: UInt64, syncs: Int, recordsWritten: Int, lastSyncMicroseconds: Int,
            maxSyncMicroseconds: Int, queued: Int, snapshotSequence: UInt64, checkpoints: Int,
            lastCheckpointMilliseconds: Int, diskBytes: Int, recoveredRecords: Int, tornTailBytesDropped: Int,
            cutTail: CutTail?, cutFiles: [String]
        ) {
            self.directory = directory
            self.lastSequence = lastSequence
            self.syncs = syncs
            self.recordsWritten = recordsWritten
            self.lastSyncMicroseconds = lastSyncMicroseconds
            self.maxSyncMicroseconds = maxSyncMicroseconds
            self.queued = queued
            self.snapshotSequence = snapshotSequence
            self.checkpoints = checkpoints
            self.lastCheckpointMilliseconds = lastCheckpointMilliseconds
            self.diskBytes = diskBytes
            self.recoveredRecords = recoveredRecords
            self.tornTailBytesDropped = tornTailBytesDropped
            self.cutTail = cutTail
            self.cutFiles = cutFiles
        }

        public init(decoding p: Params) throws(RPCError) {
            let m = p.resultMembers(Key.self)
            directory = try m.text(.directory)
            lastSequence = try m.sequence(.lastSequence)
            syncs = try m.int(.syncs, range: 0...Int.max)
            recordsWritten = try m.int(.recordsWritten, range: 0...Int.max)
            lastSyncMicroseconds = try m.int(.lastSyncMicroseconds, range: 0...Int.max)
            maxSyncMicroseconds = try m.int(.maxSyncMicroseconds, range: 0...Int.max)
            queued = try m.int(.queued, range: 0...Int.max)
            snapshotSequence = try m.sequence(.snapshotSequence)
            checkpoints = try m.int(.checkpoints, range: 0...Int.max)
            lastCheckpointMilliseconds = try m.int(.lastCheckpointMilliseconds, range: 0...Int.max)
            diskBytes = try m.int(.diskBytes, range: 0...Int.max)
            recoveredRecords = try m.int(.recoveredRecords, range: 0...Int.max)
            tornTailBytesDropped = try m.int(.tornTailBytesDropped, range: 0...Int.max)
            cutTail = try m.optionalObject(.cutTail, CutTail.self)
            cutFiles = try m.optionalTexts(.cutFiles) ?? []
        }

        public func encoded() -> JSON {
            var w = MemberWriter<Key>()
            w.set(.directory, directory)
            w.set(.lastSequence, String(lastSequence))
            w.set(.syncs, syncs)
            w.set(.recordsWritten, recordsWritten)
            w.set(.lastSyncMicroseconds, lastSyncMicroseconds)
            w.set(.maxSyncMicroseconds, maxSyncMicroseconds)
            w.set(.queued, queued)
            w.set(.snapshotSequence, String(snapshotSequence))
            w.set(.checkpoints, checkpoints)
            w.set(.lastCheckpointMilliseconds, lastCheckpointMilliseconds)
            w.set(.diskBytes, diskBytes)
            w.set(.recoveredRecords, recoveredRecords)
            w.set(.tornTailBytesDropped, tornTailBytesDropped)
            w.setOrNull(.cutTail, cutTail)
            w.set(.cutFiles, cutFiles)
            return w.json
        }
    }

    /// What start-up cut from a torn tail: the segment, the offset, the byte count and the file that keeps the bytes.
    public struct CutTail: RPCResult {
        public enum Key: String, MemberKey { case file, offset, bytes, keptIn }
        public var file: String
        public var offset: Int
        public var bytes: Int
        public var keptIn: String?

        public init(file: String, offset: Int, bytes: Int, keptIn: String?) {
            self.file = file
            self.offset = offset
            self.bytes = bytes
            self.keptIn = keptIn
        }

        public init(decoding p: Params) throws(RPCError) {
            let m = p.resultMembers(Key.self)
            file = try m.text(.file)
            offset = try m.int(.offset, range: 0...Int.max)
            bytes = try m.int(.bytes, range: 0...Int.max)
            keptIn = try m.optionalText(.keptIn)
        }

        public func encoded() -> JSON {
            var w = MemberWriter<Key>()
            w.set(.file, file)
            w.set(.offset, offset)
            w.set(.bytes, bytes)
            w.setOrNull(.keptIn, keptIn)
            return w.json
        }
    }

    /// The limits whsed runs with (protocol.md §9).
    public struct Limits: RPCResult {
        public enum Key: String, MemberKey {
            case maxLineBytes, maxJournalLines, maxPipelinedRequests, maxConnections, maxBatchRequests, maxJsonDepth,
                idleTimeoutSeconds, maxOpenCountJournals, maxReplyBytes, maxConnectionBufferBytes,
                maxTotalBufferBytes, maxConnectionsPerUser, adminReservedConnections, maxIdempotencyKeys
        }
        /// Every limit by its wire name.
        public var values: [Key: Int]

        public init(_ values: [Key: Int]) { self.values = values }

        public subscript(_ k: Key) -> Int? { values[k] }

        public init(decoding p: Params) throws(RPCError) {
            let m = p.resultMembers(Key.self)
            var v: [Key: Int] = [:]
            for k in Key.allCases { v[k] = try m.optionalInt(k, range: 0...Int.max) }
            values = v
        }

        public func encoded() -> JSON {
            var w = MemberWriter<Key>()
            for (k, v) in values { w.set(k, v) }
            return w.json
        }
    }

    public var version: String
    public var pid: Int
    public var uptimeSeconds: Int
    public var connections: Int
    public var bufferedBytes: Int
    public var locations: Int
    public var bins: Int
    public var items: Int
    public var warehouseEntries: Int
    public var itemLedgerEntries: Int
    public var physInventoryEntries: Int
    public var openCountJournals: Int
    /// The entry index's status (EntryIndex), or null when whsed runs without one.
    public var index: JSON?
    /// The history files' status, when whsed keeps history out of memory: written as given (`.null` included),
    /// left out when nil.
    public var history: JSON?
    public var log: Log
    public var limits: Limits

    public init(
        version: String, pid: Int, uptimeSeconds: Int, connections: Int, bufferedBytes: Int, locations: Int,
        bins: Int, items: Int, warehouseEntries: Int, itemLedgerEntries: Int, physInventoryEntries: Int,
        openCountJournals: Int, index: JSON?, history: JSON? = nil, log: Log, limits: Limits
    ) {
        self.version = version
        self.pid = pid
        self.uptimeSeconds = uptimeSeconds
        self.connections = connections
        self.bufferedBytes = bufferedBytes
        self.locations = locations
        self.bins = bins
        self.items = items
        self.warehouseEntries = warehouseEntries
        self.itemLedgerEntries = itemLedgerEntries
        self.physInventoryEntries = physInventoryEntries
        self.openCountJournals = openCountJournals
        self.index = index
        self.history = history
        self.log = log
        self.limits = limits
    }

    public init(decoding p: Params) throws(RPCError) {
        let m = p.resultMembers(Key.self)
        version = try m.text(.version)
        pid = try m.int(.pid, range: 0...Int.max)
        uptimeSeconds = try m.int(.uptimeSeconds, range: 0...Int.max)
        connections = try m.int(.connections, range: 0...Int.max)
        bufferedBytes = try m.int(.bufferedBytes, range: 0...Int.max)
        locations = try m.int(.locations, range: 0...Int.max)
        bins = try m.int(.bins, range: 0...Int.max)
        items = try m.int(.items, range: 0...Int.max)
        warehouseEntries = try m.int(.warehouseEntries, range: 0...Int.max)
        itemLedgerEntries = try m.int(.itemLedgerEntries, range: 0...Int.max)
        physInventoryEntries = try m.int(.physInventoryEntries, range: 0...Int.max)
        openCountJournals = try m.int(.openCountJournals, range: 0...Int.max)
        switch p.object[Key.index.rawValue] {
        case nil, .null?: index = nil
        case .object(let o)?: index = .object(o)
        default: throw RPCError.invalidParams("index must be an object", param: Key.index.rawValue)
        }
        history = p.object[Key.history.rawValue]
        log = try m.object(.log, Log.self)
        limits = try m.object(.limits, Limits.self)
    }

    public func encoded() -> JSON {
        var w = MemberWriter<Key>()
        w.set(.version, version)
        w.set(.pid, pid)
        w.set(.uptimeSeconds, uptimeSeconds)
        w.set(.connections, connections)
        w.set(.bufferedBytes, bufferedBytes)
        w.set(.locations, locations)
        w.set(.bins, bins)
        w.set(.items, items)
        w.set(.warehouseEntries, warehouseEntries)
        w.set(.itemLedgerEntries, itemLedgerEntries)
        w.set(.physInventoryEntries, physInventoryEntries)
        w.set(.openCountJournals, openCountJournals)
        w.setOrNull(.index, index)
        w.set(.history, history)
        w.set(.log, log)
        w.set(.limits, limits)
        return w.json
    }
}

extension Members {
    /// A log sequence number, sent as a decimal string (it may not fit a JSON number's exact range).
    public func sequence(_ k: K) throws(RPCError) -> UInt64 {
        guard let s = UInt64(try text(k)) else {
            throw RPCError.invalidParams("\(name(k)) must be a decimal string", param: name(k))
        }
        return s
    }
}
