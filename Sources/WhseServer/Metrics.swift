import CoreMetrics
import Dispatch
import NIOConcurrencyHelpers
import Prometheus
import Warehouse
import WhseProtocol

#if canImport(Glibc)
    import Glibc
#endif

/// What `server.metrics` reports (protocol.md 13.6 and 19): swift-metrics counters, meters, recorders and timers,
/// made by a `PrometheusMetricsFactory` over this server's own `PrometheusCollectorRegistry`, so that several
/// servers in one process (the tests) never mix their counts. whsed's main also bootstraps `MetricsSystem` with a
/// factory over the same registry, so metrics of libraries land in the same text.
///
/// The writer's metrics are updated once per group commit, never per posting or per line; every update is an atomic
/// add, or (histograms) one short uncontended lock.
///
/// Follower lag (`whsed_follower_lag_records`) is read from the change feed's hub when server.metrics is asked; the
/// feed records each follower's cursor after each chunk it writes, not the writer.
public final class ServerMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry
    public let factory: PrometheusMetricsFactory

    // Writer, once per group commit.
    let postings: [String: CoreMetrics.Counter]
    let postingLines: CoreMetrics.Counter
    let warehouseEntries: CoreMetrics.Counter
    let itemLedgerEntries: CoreMetrics.Counter
    let physInventoryEntries: CoreMetrics.Counter
    let syncs: CoreMetrics.Counter
    let syncDuration: CoreMetrics.Timer
    let groupCommitPostings: CoreMetrics.Recorder
    let logBytesWritten: CoreMetrics.Counter
    // Writer, per snapshot.
    let checkpoints: CoreMetrics.Counter
    let lastCheckpointTime: CoreMetrics.Gauge
    let lastCheckpointDuration: CoreMetrics.Gauge
    let lastSnapshotPayloadBytes: CoreMetrics.Gauge
    // Connections, per connection.
    let connectionsOpen: [Access: CoreMetrics.Meter]
    let connectionsAccepted: [Access: CoreMetrics.Counter]
    // Replies.
    private let refusals: NIOLockedValueBox<[String: CoreMetrics.Counter]>
    let reads: [String: CoreMetrics.Timer]
    // Set when server.metrics is asked.
    let logSegmentBytes: CoreMetrics.Gauge
    let snapshotBytes: CoreMetrics.Gauge
    let lastSequence: CoreMetrics.Gauge
    let queued: CoreMetrics.Gauge
    let startTime: CoreMetrics.Gauge
    let ledgerEntries: [String: CoreMetrics.Gauge]
    let followers: CoreMetrics.Gauge
    let followerLag: CoreMetrics.Gauge

    /// Upper bounds of the sync latency histogram: fdatasync takes 50 µs to a few ms on a good disk.
    public static let syncBuckets: [Duration] = [
        .microseconds(50), .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1),
        .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
        .milliseconds(100), .milliseconds(250), .seconds(1)
    ]
    /// Upper bounds of the read latency histograms: most reads take tens of µs; scans take longer.
    public static let readBuckets: [Duration] = [
        .microseconds(25), .microseconds(50), .microseconds(100), .microseconds(250), .microseconds(500),
        .milliseconds(1), .milliseconds(5), .milliseconds(25), .milliseconds(100), .milliseconds(500),
        .seconds(2), .seconds(10)
    ]
    /// Upper bounds of the postings-per-group-commit histogram (at most `Writer.maxBatch`).
    public static let batchBuckets: [Double] = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096]

    /// The methods whose latency is kept: those that do not post, apart from the writer's tasks.
    static let readMethods: [String] = MethodCatalogue.all.filter {
        !$0.mutates && $0.name != "server.checkpoint" && $0.name != "server.backup"
    }.map(\.name)

    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
        var f = PrometheusMetricsFactory(registry: registry)
        f.durationHistogramBuckets = [
            "whsed_log_sync_duration_seconds": ServerMetrics.syncBuckets,
            "whsed_read_duration_seconds": ServerMetrics.readBuckets
        ]
        f.valueHistogramBuckets = ["whsed_group_commit_postings": ServerMetrics.batchBuckets]
        factory = f
        var postings: [String: CoreMetrics.Counter] = [:]
        for m in MethodCatalogue.all where m.mutates {
            postings[m.name] = CoreMetrics.Counter(
                label: "whsed_postings_total", dimensions: [("method", m.name)],
                factory: f)
        }
        self.postings = postings
        postingLines = CoreMetrics.Counter(label: "whsed_posting_lines_total", factory: f)
        func entries(_ kind: String) -> CoreMetrics.Counter {
            CoreMetrics.Counter(label: "whsed_entries_total", dimensions: [("kind", kind)], factory: f)
        }
        warehouseEntries = entries("warehouse")
        itemLedgerEntries = entries("item")
        physInventoryEntries = entries("physInventory")
        syncs = CoreMetrics.Counter(label: "whsed_log_syncs_total", factory: f)
        syncDuration = CoreMetrics.Timer(label: "whsed_log_sync_duration_seconds", factory: f)
        groupCommitPostings = CoreMetrics.Recorder(label: "whsed_group_commit_postings", aggregate: true, factory: f)
        logBytesWritten = CoreMetrics.Counter(label: "whsed_log_written_bytes_total", factory: f)
        checkpoints = CoreMetrics.Counter(label: "whsed_checkpoints_total", factory: f)
        lastCheckpointTime = CoreMetrics.Gauge(label: "whsed_last_checkpoint_timestamp_seconds", factory: f)
        lastCheckpointDuration = CoreMetrics.Gauge(label: "whsed_last_checkpoint_duration_seconds", factory: f)
        lastSnapshotPayloadBytes = CoreMetrics.Gauge(label: "whsed_last_snapshot_payload_bytes", factory: f)
        var open: [Access: CoreMetrics.Meter] = [:]
        var accepted: [Access: CoreMetrics.Counter] = [:]
        for role in Access.allCases {
            open[role] = CoreMetrics.Meter(
                label: "whsed_connections", dimensions: [("role", role.rawValue)],
                factory: f)
            accepted[role] = CoreMetrics.Counter(
                label: "whsed_connections_accepted_total",
                dimensions: [("role", role.rawValue)], factory: f)
        }
        connectionsOpen = open
        connectionsAccepted = accepted
        // The reasons whsed sends are known; each starts at 0, so that a rate of a reason never seen is 0, not absent.
        var refusals: [String: CoreMetrics.Counter] = [:]
        let reasons =
            [
                "parse_error", "invalid_request", "method_not_found", "invalid_params", "internal_error",
                "limit_exceeded", "permission_denied", "idempotency_conflict", "storage_full", "shutting_down"
            ]
            + DomainError.Reason.allCases.map(\.rawValue)
        for r in reasons {
            refusals[r] = CoreMetrics.Counter(label: "whsed_refusals_total", dimensions: [("reason", r)], factory: f)
        }
        self.refusals = NIOLockedValueBox(refusals)
        var reads: [String: CoreMetrics.Timer] = [:]
        for m in ServerMetrics.readMethods {
            reads[m] = CoreMetrics.Timer(label: "whsed_read_duration_seconds", dimensions: [("method", m)], factory: f)
        }
        self.reads = reads
        logSegmentBytes = CoreMetrics.Gauge(label: "whsed_log_segment_bytes", factory: f)
        snapshotBytes = CoreMetrics.Gauge(label: "whsed_snapshot_bytes", factory: f)
        lastSequence = CoreMetrics.Gauge(label: "whsed_log_last_sequence", factory: f)
        queued = CoreMetrics.Gauge(label: "whsed_writer_queued_postings", factory: f)
        startTime = CoreMetrics.Gauge(label: "whsed_start_time_seconds", factory: f)
        followers = CoreMetrics.Gauge(label: "whsed_followers", factory: f)
        followerLag = CoreMetrics.Gauge(label: "whsed_follower_lag_records", factory: f)
        var ledger: [String: CoreMetrics.Gauge] = [:]
        for kind in ["warehouse", "item", "physInventory"] {
            ledger[kind] = CoreMetrics.Gauge(label: "whsed_ledger_entries", dimensions: [("kind", kind)], factory: f)
        }
        ledgerEntries = ledger
        startTime.record(ServerMetrics.wallClockSeconds())
    }

    /// Seconds since the Unix epoch, as a Prometheus timestamp value.
    static func wallClockSeconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    // MARK: updates

    /// `count` postings of `method` were synced. Writer thread, once per run of one method in a group commit.
    func posted(_ method: String, count: Int) { postings[method]?.increment(by: Int64(count)) }

    /// One group commit: the journal lines of its postings, the entries they wrote (warehouse, item, phys.
    /// inventory), the sync's duration, the bytes it wrote and its number of postings. Writer thread.
    func groupCommit(lines: Int, entries: (Int, Int, Int), syncNanoseconds: UInt64, bytes: Int, postingCount: Int) {
        if lines > 0 { postingLines.increment(by: Int64(lines)) }
        if entries.0 > 0 { warehouseEntries.increment(by: Int64(entries.0)) }
        if entries.1 > 0 { itemLedgerEntries.increment(by: Int64(entries.1)) }
        if entries.2 > 0 { physInventoryEntries.increment(by: Int64(entries.2)) }
        syncs.increment()
        syncDuration.recordNanoseconds(Int64(clamping: syncNanoseconds))
        groupCommitPostings.record(postingCount)
        if bytes > 0 { logBytesWritten.increment(by: Int64(bytes)) }
    }

    /// A snapshot was written: when, how long it took, its payload size.
    func checkpointWritten(nanoseconds: UInt64, payloadBytes: Int) {
        checkpoints.increment()
        lastCheckpointTime.record(ServerMetrics.wallClockSeconds())
        lastCheckpointDuration.record(Double(nanoseconds) / 1e9)
        lastSnapshotPayloadBytes.record(payloadBytes)
    }

    func connectionOpened(role: Access) {
        connectionsAccepted[role]?.increment()
        connectionsOpen[role]?.increment()
    }

    func connectionClosed(role: Access) { connectionsOpen[role]?.decrement() }

    /// An error reply (or a refused connection), by its `data.reason`.
    func refused(_ error: RPCError) {
        let reason = error.reason.isEmpty ? "unknown" : error.reason
        let counter = refusals.withLockedValue { known -> CoreMetrics.Counter in
            if let c = known[reason] { return c }
            let c = CoreMetrics.Counter(
                label: "whsed_refusals_total", dimensions: [("reason", reason)],
                factory: factory)
            known[reason] = c
            return c
        }
        counter.increment()
    }

    /// A read answered, from the moment it was taken up (`DispatchTime` uptime nanoseconds) until its reply was
    /// encoded.
    func read(_ method: String, startedAt start: UInt64) {
        guard let timer = reads[method] else { return }
        let now = DispatchTime.now().uptimeNanoseconds
        timer.recordNanoseconds(Int64(clamping: now >= start ? now - start : 0))
    }

    // MARK: the text

    /// What each metric is, as `# HELP` lines (swift-metrics has no help text; they are added to the text).
    static let help: [String: String] = [
        "whsed_postings_total": "Postings written to the log and synced, by method (repeats of an idempotency key "
            + "and refused postings are not counted).",
        "whsed_posting_lines_total": "Journal lines (lines or counts) of the postings counted in whsed_postings_total.",
        "whsed_entries_total": "Ledger entries written by postings, by ledger (warehouse, item, physInventory).",
        "whsed_log_syncs_total": "Group commits: fdatasyncs of the log.",
        "whsed_log_sync_duration_seconds": "Duration of each group commit's write and fdatasync.",
        "whsed_group_commit_postings": "Postings made durable by one group commit (batch size).",
        "whsed_log_written_bytes_total": "Bytes written to the log (frames and commit markers).",
        "whsed_checkpoints_total": "Snapshots written since start.",
        "whsed_last_checkpoint_timestamp_seconds": "When the last snapshot was written (Unix time; 0: none yet).",
        "whsed_last_checkpoint_duration_seconds": "How long encoding and writing the last snapshot took.",
        "whsed_last_snapshot_payload_bytes": "Payload size of the last snapshot written since start.",
        "whsed_connections": "Open connections, by the role of the peer.",
        "whsed_connections_accepted_total": "Connections accepted since start, by the role of the peer.",
        "whsed_refusals_total": "Error replies sent and connections refused, by error.data.reason.",
        "whsed_read_duration_seconds": "Reads (methods that do not post) by method: time from taking the request "
            + "up to its reply being encoded.",
        "whsed_log_segment_bytes": "Bytes of the log segments in the state directory (preallocated, 64 MiB each).",
        "whsed_snapshot_bytes": "Bytes of the snapshot files in the state directory.",
        "whsed_log_last_sequence": "Sequence of the last synced log record.",
        "whsed_writer_queued_postings": "Postings waiting for the writer.",
        "whsed_start_time_seconds": "When whsed started (Unix time).",
        "whsed_ledger_entries": "Entries in the books now, by ledger.",
        "whsed_followers": "Connections following the change feed (entries.follow).",
        "whsed_follower_lag_records": "Log records the follower furthest behind has still to be sent (0 without "
            + "followers)."
    ]

    /// The Prometheus text (exposition format 0.0.4) of every metric of the registry: the families sorted by name,
    /// each with its `# HELP` line.
    public func text() -> String {
        let raw = registry.emitToString()
        var families: [(name: Substring, lines: [Substring])] = []
        for line in raw.split(separator: "\n") {
            if line.hasPrefix("# TYPE ") {
                families.append((line.dropFirst(7).prefix { $0 != " " }, [line]))
            } else if !families.isEmpty {
                families[families.count - 1].lines.append(line)
            } else {
                families.append(("", [line]))
            }
        }
        families.sort { $0.name < $1.name }
        var out = ""
        out.reserveCapacity(raw.utf8.count + 4096)
        for family in families {
            if let h = ServerMetrics.help[String(family.name)] { out += "# HELP \(family.name) \(h)\n" }
            for line in family.lines {
                out += line
                out += "\n"
            }
        }
        return out
    }
}
