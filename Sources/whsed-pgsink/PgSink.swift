import ArgumentParser
import Foundation
import PostgresNIO
import WhseProtocol

#if canImport(Glibc)
    import Glibc
#endif

/// whsed-pgsink: follows one whsed's change feed into PostgreSQL, each batch in one transaction that moves the
/// site's cursor by compare-and-set, so every (site, seq) lands exactly once (docs/pgsink.md).
@main
struct PgSink: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "whsed-pgsink",
        abstract: "Write whsed's committed entries into PostgreSQL, exactly once per site and seq.",
        discussion: """
            Exit status: 0 after --init-schema or --reseed; 1 the reseed failed (nothing changed); 3 refused for \
            good (another sink holds the site, the log epoch changed, the cursor is older than whsed retains): \
            restarting does not help, see docs/pgsink.md; \
            64 bad command line. Anything else (whsed or PostgreSQL unreachable, a connection lost) is retried \
            with exponential backoff, forever.
            """)

    @Option(help: "whsed's socket (default: $WHSED_SOCKET, else /run/whsed/whsed.sock).")
    var socket: String?

    @Option(help: "PostgreSQL's Unix socket file, e.g. /run/postgresql/.s.PGSQL.5432.")
    var pgSocket: String = "/run/postgresql/.s.PGSQL.5432"

    @Option(help: "PostgreSQL user (password, if any, from $PGPASSWORD).")
    var pgUser: String = "whsed"

    @Option(help: "PostgreSQL database.")
    var pgDatabase: String = "whsed"

    @Flag(help: "Create the tables (if missing) and exit.")
    var initSchema = false

    @Flag(help: "Replace the site's rows by whsed's books as they are now, set the cursor there, and exit.")
    var reseed = false

    @Option(help: "Most records in one transaction.")
    var maxBatchRecords: Int = 2000

    @Option(help: "Most bytes of whsed's lines in one transaction (a batch also ends at 50,000 entry rows).")
    var maxBatchBytes: Int = 64 << 20

    @Option(
        help: """
            At the head of whsed's log, how long a batch that is not full waits for more records before its \
            transaction, in milliseconds from its first record (0: commit what has arrived at once; at most 5000).
            """)
    var lingerMillis: Int = PgSink.defaultLingerMillis

    @Option(help: "Longest wait between retries, in seconds (the wait doubles from 0.2 s up to this).")
    var maxBackoffSeconds: Double = 30

    @Option(help: "Milliseconds between whsed's heartbeats on the stream.")
    var heartbeatMillis: Int = 1000

    @Option(help: "Longest a transaction (or connecting) may take before the connection is given up and retried.")
    var pgTimeoutSeconds: Double = 30

    static let defaultLingerMillis = 50
    static let maxLingerMillis = 5000

    /// Most entry rows in one transaction (a batch of large journals stops here before --max-batch-records).
    static let maxBatchRows = 50_000

    var whsedSocket: String {
        socket ?? ProcessInfo.processInfo.environment["WHSED_SOCKET"] ?? "/run/whsed/whsed.sock"
    }

    static func say(_ message: String) {
        FileHandle.standardError.write(Data("whsed-pgsink: \(message)\n".utf8))
    }

    var logger: Logger {
        var l = Logger(label: "whsed-pgsink")
        l.logLevel = .error
        return l
    }

    func connect() async throws -> PostgresConnection {
        let config = PostgresConnection.Configuration(
            unixSocketPath: pgSocket, username: pgUser,
            password: ProcessInfo.processInfo.environment["PGPASSWORD"], database: pgDatabase)
        return try await PostgresConnection.connect(configuration: config, id: 1, logger: logger)
    }

    mutating func run() async throws {
        guard (0...PgSink.maxLingerMillis).contains(lingerMillis) else {
            throw ValidationError(
                "--linger-millis must be 0 (no wait) to \(PgSink.maxLingerMillis), not \(lingerMillis)")
        }
        guard maxBatchRecords >= 1, maxBatchBytes >= 1, maxBackoffSeconds > 0, (100...60_000).contains(heartbeatMillis)
        else {
            throw ValidationError(
                "--max-batch-records ≥ 1, --max-batch-bytes ≥ 1, --max-backoff-seconds > 0, --heartbeat-millis 100-60000"
            )
        }
        if initSchema {
            let c = try await connect()
            for statement in Schema.statements {
                try await c.query(PostgresQuery(unsafeSQL: statement), logger: logger)
            }
            try await c.close()
            PgSink.say("schema ready in database \(pgDatabase)")
            return
        }
        if reseed {
            do {
                try await reseed()
            } catch let r as Refusal {
                PgSink.say(r.description)
                throw ExitCode(3)
            } catch {
                PgSink.say("reseed failed, nothing changed: \(PgSink.describe(error))")
                throw ExitCode(1)
            }
            return
        }
        var backoff = 0.2
        while true {
            do {
                try await follow { backoff = 0.2 }
            } catch let r as Refusal {
                PgSink.say(r.description)
                throw ExitCode(3)
            } catch let e as FeedError where e.permanent {
                PgSink.say(e.description)
                throw ExitCode(3)
            } catch {
                PgSink.say("\(PgSink.describe(error)); retrying in \(String(format: "%.1f", backoff)) s")
                try await Task.sleep(nanoseconds: UInt64(backoff * 1e9))
                backoff = min(backoff * 2, maxBackoffSeconds)
            }
        }
    }

    /// Closes a connection: the session ends, and with it the site's advisory lock. Not awaited (on a connection
    /// PostgreSQL already dropped the close may never complete); the connection is kept until it has.
    static func release(_ pg: PostgresConnection) {
        let closing: EventLoopFuture<Void> = pg.close()
        closing.whenComplete { _ in withExtendedLifetime(pg) {} }
    }

    static func describe(_ error: any Error) -> String {
        if let p = error as? PSQLError {
            let message = p.serverInfo?[.message] ?? ""
            return "PostgreSQL: \(p.code)\(message.isEmpty ? "" : ": \(message)")"
        }
        if let t = error as? PostgresTransactionError {
            if let e = t.closureError { return describe(e) }
            if let e = t.beginError { return describe(e) }
            if let e = t.commitError { return describe(e) }
            return "PostgreSQL transaction failed"
        }
        return "\(error)"
    }

    /// One life: learn the site from whsed, take it in PostgreSQL, follow from its cursor. Returns only by throwing.
    /// `healthy` runs once a batch is committed (the backoff starts over).
    func follow(healthy: () -> Void) async throws {
        // The site and epoch: a first entries.follow answers with them (or refuses with them).
        let (site, epoch) = try await Feed.identity(socket: whsedSocket)
        let pg = try await deadline(pgTimeoutSeconds, "connecting to PostgreSQL") { try await self.connect() }
        do {
            try await follow(pg, site: site, epoch: epoch, healthy: healthy)
        } catch {
            PgSink.release(pg)
            throw error
        }
    }

    func follow(_ pg: PostgresConnection, site: String, epoch: Int64, healthy: () -> Void) async throws {
        let log = logger
        let writer = try await deadline(pgTimeoutSeconds, "taking the site in PostgreSQL") {
            try await SiteWriter.take(pg, site: site, epoch: epoch, logger: log)
        }
        let limit = pgTimeoutSeconds
        PgSink.say("site \(site), log epoch \(epoch): following from seq \(writer.cursor)")
        let maxRecords = maxBatchRecords
        let maxBytes = maxBatchBytes
        let linger = Duration.milliseconds(lingerMillis)
        func full(_ b: Batch) -> Bool {
            b.records >= maxRecords || b.rows >= PgSink.maxBatchRows || b.bytes >= maxBytes
        }
        try await Feed.follow(
            socket: whsedSocket, afterSeq: Int(writer.cursor), logEpoch: Int(epoch),
            heartbeatMillis: heartbeatMillis
        ) { _, feed in
            var batch = Batch()
            var durable: Int64 = writer.cursor
            var awaitingAvailability = false
            // When the batch's linger ends (set at its first record).
            var lingerUntil = ContinuousClock.now
            // The transaction of the previous batch: it runs while the next batch is read and decoded. One at a
            // time and in order, so each still moves the cursor from where the one before left it.
            var inflight: Task<Void, any Error>? = nil
            func settle() async throws {
                guard let t = inflight else { return }
                inflight = nil
                try await t.value
                healthy()
            }
            func commit(_ b: Batch, _ d: Int64) async throws {
                try await settle()
                inflight = Task {
                    try await deadline(limit, "a transaction") { try await writer.write(b, durable: d) }
                }
            }
            while true {
                let line = try await feed.nextLine()
                let head = try line.withUnsafeReadableBytes { try FeedLine($0) }
                switch head.method {
                case .committed:
                    if full(batch) {
                        feed.unread(line)
                        try await commit(batch, durable)
                        batch = Batch()
                        continue
                    }
                    if batch.records == 0 { lingerUntil = .now + linger }
                    let c = try line.withUnsafeReadableBytes { try head.addCommitted($0, to: &batch) }
                    batch.bytes += feed.lastLineBytes
                    awaitingAvailability = c.hasEntries || c.availabilityFollows
                case .availability:
                    try line.withUnsafeReadableBytes { try head.addAvailability($0, to: &batch) }
                    batch.bytes += feed.lastLineBytes
                    awaitingAvailability = false
                case .heartbeat:
                    let params = try line.withUnsafeReadableBytes { try FeedLine.tree($0) }["params"] ?? .null
                    durable = max(durable, Batch.int(params["durableSeq"]))
                    if batch.records == 0 {
                        try await settle()
                        let d = durable
                        try await deadline(limit, "noting whsed's sequence") { try await writer.noteDurable(d) }
                    }
                case .followEnded:
                    let params = try line.withUnsafeReadableBytes { try FeedLine.tree($0) }["params"] ?? .null
                    let reason = params["reason"]?.stringValue ?? "?"
                    throw FeedError(
                        description: "whsed ended the stream: \(params["message"]?.stringValue ?? reason)",
                        permanent: reason == "cursor_too_old")
                case .other:
                    continue
                }
                // A batch ends where the stream pauses at the head of the log: what has arrived goes in one
                // transaction, once the batch's linger (from its first record) has passed without more arriving.
                // Behind the head (whsed's heartbeat named a later seq), it grows up to the limits: fewer, larger
                // transactions while catching up. A full batch goes at once.
                let behind = durable > batch.lastSeq
                durable = max(durable, batch.lastSeq)
                if batch.records > 0 && !awaitingAvailability && (full(batch) || (!behind && !feed.hasBufferedLine)) {
                    if !full(batch), ContinuousClock.now < lingerUntil, await feed.waitForLine(until: lingerUntil) {
                        continue
                    }
                    try await commit(batch, durable)
                    batch = Batch()
                }
            }
        }
    }
}

extension Feed {
    /// whsed's site id and log epoch, from its refusal of an `entries.follow` from a cursor far ahead of any log
    /// (`cursor_ahead` names both; a cursor it accepted would start a stream).
    static func identity(socket: String) async throws -> (String, Int64) {
        do {
            return try await follow(
                socket: socket, afterSeq: Int(Int32.max) * 1_000_000, logEpoch: nil,
                heartbeatMillis: 60_000
            ) { r, _ in
                (r["siteId"]?.stringValue ?? "", Batch.int(r["logEpoch"]))
            }
        } catch let e as FeedError {
            if let d = e.error?["data"], let site = d["siteId"]?.stringValue {
                return (site, Batch.int(d["logEpoch"]))
            }
            throw e
        }
    }
}

/// True for the first caller of `claim` only.
final class Once: @unchecked Sendable {
    private let lock = NSLock()
    private var done = false
    func claim() -> Bool {
        lock.withLock {
            defer { done = true }
            return !done
        }
    }
}

/// Runs `operation`, or throws once `seconds` have passed without it finishing (the operation is then abandoned: a
/// PostgreSQL connection that stopped answering must not stall the sink for ever).
func deadline<T: Sendable>(
    _ seconds: Double, _ what: String,
    _ operation: @escaping @Sendable () async throws -> T
) async throws -> T {
    let once = Once()
    return try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
        let timer = Task {
            try? await Task.sleep(nanoseconds: UInt64(seconds * 1e9))
            if !Task.isCancelled, once.claim() {
                continuation.resume(throwing: FeedError(description: "\(what) took longer than \(seconds) s"))
            }
        }
        Task {
            do {
                let value = try await operation()
                timer.cancel()
                if once.claim() { continuation.resume(returning: value) }
            } catch {
                timer.cancel()
                if once.claim() { continuation.resume(throwing: error) }
            }
        }
    }
}
