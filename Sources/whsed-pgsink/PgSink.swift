#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import Foundation
import PostgresNIO
import WhseProtocol

/// whsed-pgsink: follows one whsed's change feed into PostgreSQL, each batch in one transaction that moves the
/// site's cursor by compare-and-set, so every (site, seq) lands exactly once (docs/pgsink.md).
@main
struct PgSink: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "whsed-pgsink",
        abstract: "Write whsed's committed entries into PostgreSQL, exactly once per site and seq.",
        discussion: """
            Exit status: 0 after --init-schema; 3 refused for good (another sink holds the site, the log epoch \
            changed, the cursor is older than whsed retains): restarting does not help, see docs/pgsink.md; \
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

    @Option(help: "Most records in one transaction.")
    var maxBatchRecords: Int = 2000

    @Option(help: "Longest wait between retries, in seconds (the wait doubles from 0.2 s up to this).")
    var maxBackoffSeconds: Double = 30

    @Option(help: "Milliseconds between whsed's heartbeats on the stream.")
    var heartbeatMillis: Int = 1000

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
        guard maxBatchRecords >= 1, maxBackoffSeconds > 0, (100...60_000).contains(heartbeatMillis) else {
            throw ValidationError("--max-batch-records ≥ 1, --max-backoff-seconds > 0, --heartbeat-millis 100-60000")
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
        let pg = try await connect()
        do {
            try await follow(pg, site: site, epoch: epoch, healthy: healthy)
        } catch {
            // Closing the session releases the site's advisory lock at once.
            try? await pg.close()
            throw error
        }
    }

    func follow(_ pg: PostgresConnection, site: String, epoch: Int64, healthy: () -> Void) async throws {
        var writer = try await SiteWriter.take(pg, site: site, epoch: epoch, logger: logger)
        PgSink.say("site \(site), log epoch \(epoch): following from seq \(writer.cursor)")
        let maxRecords = maxBatchRecords
        try await Feed.follow(socket: whsedSocket, afterSeq: Int(writer.cursor), logEpoch: Int(epoch),
                              heartbeatMillis: heartbeatMillis) { _, feed in
            var batch = Batch()
            var durable: Int64 = writer.cursor
            var awaitingAvailability = false
            while true {
                let line = try await feed.next()
                let method = line["method"]?.stringValue
                let params = line["params"] ?? .null
                switch method {
                case "entries.committed":
                    if batch.records >= maxRecords {
                        feed.unread(line)
                        try await writer.write(batch, durable: durable)
                        healthy()
                        batch = Batch()
                        continue
                    }
                    batch.add(committed: params)
                    let hasEntries = ["warehouseEntries", "itemLedgerEntries", "physInventoryLedgerEntries"]
                        .contains { !(params[$0]?.arrayValue ?? []).isEmpty }
                    awaitingAvailability = hasEntries
                case "entries.availability":
                    batch.add(availability: params)
                    awaitingAvailability = false
                case "entries.heartbeat":
                    durable = max(durable, Batch.int(params["durableSeq"]))
                    if batch.records == 0 { try await writer.noteDurable(durable) }
                case "entries.followEnded":
                    let reason = params["reason"]?.stringValue ?? "?"
                    throw FeedError(description: "whsed ended the stream: \(params["message"]?.stringValue ?? reason)",
                                    permanent: reason == "cursor_too_old")
                default:
                    continue
                }
                durable = max(durable, batch.lastSeq)
                // A batch ends where the stream pauses: what has arrived goes in one transaction.
                if batch.records > 0 && !awaitingAvailability && !feed.hasBufferedLine {
                    try await writer.write(batch, durable: durable)
                    healthy()
                    batch = Batch()
                }
            }
        }
    }
}

extension Feed {
    /// whsed's site id and log epoch, from the answer (or refusal) of an `entries.follow` from 0.
    static func identity(socket: String) async throws -> (String, Int64) {
        do {
            return try await follow(socket: socket, afterSeq: 0, logEpoch: nil, heartbeatMillis: 60_000) { r, _ in
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
