import ArgumentParser
import Dispatch
import Foundation
import Logging
import Metrics
import Prometheus
import ServiceLifecycle
import WhseServer
import WriteAheadLog

#if canImport(Glibc)
    import Glibc
#endif

/// whsed: the warehouse ledger daemon.
struct Whsed: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "whsed",
        abstract: "The warehouse-inventory ledger daemon: JSON-RPC 2.0 over a Unix socket, every posting fsynced.",
        discussion: """
            Run by hand:      whsed --socket /run/whsed/whsed.sock --state-dir /var/lib/whsed
            Under systemd:    the socket comes from socket activation (LISTEN_FDS); the state folder from
                              $STATE_DIRECTORY unless --state-dir is given.
            Watchdog:         with WatchdogSec=, WATCHDOG=1 is sent only while the writer and every event loop
                              progress; one stalled for more than half of WatchdogSec stops it (protocol.md 2.5).
            Offline check:    whsed --verify /var/lib/whsed
            Entry index:      whsed --rebuild-index /var/lib/whsed (docs/on-disk-format.md 10)

            Access file (--access), one rule per line, `#` starts a comment:
                default ROLE   user NAME ROLE   uid N ROLE   group NAME ROLE   gid N ROLE
            ROLE is read, post or admin; N is a decimal id without sign or leading zero. root and the user whsed
            runs as are always admin. The file is read strictly: UTF-8 without control characters (Unix line
            ends), at most one default line and one rule per user or group, no rule for root or whsed's own user,
            nothing after the role. Anything else stops whsed before it binds its socket, with
            "access file line N: ..." in the log. Grammar: protocol.md section 7.

            Exit status when serving: 64 bad option, 65 the log is damaged, 71 the socket cannot be bound or served,
            74 an I/O error in the state folder, 78 the access file is refused.
            """)

    @Option(help: "Unix socket path to bind when not started by systemd socket activation.")
    var socket: String?

    @Option(name: .customLong("state-dir"), help: "Folder holding the write-ahead log and snapshots.")
    var stateDir: String?

    @Option(help: "Access file mapping users and groups to roles (read, post, admin); read strictly, see below.")
    var access: String?

    @Option(
        name: .customLong("verify"),
        help: """
            Check the log in this folder offline (checksums and ledger invariants), then exit: 0 ok, 1 invariants \
            violated, 2 the log cannot be read, 3 bytes were or will be cut from a torn tail (see the warning lines).
            """)
    var verifyDir: String?

    @Option(
        name: .customLong("rebuild-index"),
        help: """
            Delete the entry index of this folder (index/entries.sqlite, derived from the log) and build it again from \
            the log, then exit: 0 done, 2 the log cannot be read or the index cannot be written (whsed must not be \
            running on the folder). whsed also rebuilds a missing or damaged index by itself at start-up.
            """)
    var rebuildIndexDir: String?

    @Flag(name: .customLong("no-index"), help: "Keep no entry index: every entries.* page scans the ledgers.")
    var noIndex = false

    @Option(
        name: .customLong("repair"),
        help:
            "Cut the log in this folder at its first damage (the damaged files are kept as *.broken), then exit. Run whsed --verify afterwards."
    )
    var repairDir: String?

    @Option(help: "Longest request line in bytes.")
    var maxLineBytes: Int = Limits().maxLineBytes

    @Option(help: "Most lines in one journal request.")
    var maxJournalLines: Int = Limits().maxJournalLines

    @Option(help: "Most open connections.")
    var maxConnections: Int = Limits().maxConnections

    @Option(help: "Most open connections of one user that is not admin.")
    var maxConnectionsPerUser: Int = Limits().maxConnectionsPerUser

    @Option(
        help: ArgumentHelp(
            "Connection slots (of --max-connections) that only admin peers may take "
                + "(default: 16, at most a quarter of --max-connections)."))
    var adminReservedConnections: Int?

    @Option(help: "Largest reply line in bytes, a batch's whole reply included; a larger result gets limit_exceeded.")
    var maxReplyBytes: Int = Limits().maxReplyBytes

    @Option(
        help: ArgumentHelp(
            "Bytes of request text and pending replies one connection may hold before whsed stops "
                + "reading from it (at least --max-line-bytes + 1)."))
    var maxConnectionBufferBytes: Int = Limits().maxConnectionBufferBytes

    @Option(
        help: ArgumentHelp(
            "Bytes of request text and pending replies all connections may hold together; over "
                + "it, connections holding more than 64 KiB wait."))
    var maxTotalBufferBytes: Int = Limits().maxTotalBufferBytes

    @Option(help: "Requests read ahead on one connection before whsed stops reading from it (flow control).")
    var maxPipelinedRequests: Int = Limits().maxPipelinedRequests

    @Option(help: "Most JSON-RPC requests in one batch.")
    var maxBatchRequests: Int = Limits().maxBatchRequests

    @Option(help: "Most open count journals (warehouse and item phys. inventory together).")
    var maxOpenCountJournals: Int = Limits().maxOpenCountJournals

    @Option(help: "Seconds before an idle connection is closed (0: never).")
    var idleTimeout: Int = Limits().idleTimeoutSeconds

    @Option(
        help:
            "Exit after this many seconds without connections (0: never). Meant for socket activation: the socket stays open and systemd starts whsed again on the next connection."
    )
    var exitIdleAfter: Int = 0

    @Option(help: "Write a snapshot after this many logged postings (0: only when asked by server.checkpoint).")
    var checkpointEvery: Int = 100_000

    @Option(
        help: ArgumentHelp(
            "Socket file mode (octal, at most 777) when whsed binds the socket itself. The file is "
                + "created with no more than this mode, whatever the umask, and whsed listens only once it "
                + "has exactly this mode."))
    var socketMode: String = "660"

    @Option(help: "This site's name in every change-feed record (entries.follow); the host name when not given.")
    var siteId: String?

    @Option(
        help: ArgumentHelp(
            "Committed records the change feed keeps for followers (entries.follow); a cursor "
                + "older than them gets cursor_too_old."))
    var followRetainRecords: Int = Server.Options(socketPath: nil, stateDirectory: "").followRetainRecords

    @Option(
        help: ArgumentHelp(
            "Event bytes a follower that has caught up may leave unread before it is dropped "
                + "(follower_too_slow)."))
    var maxFollowerPendingBytes: Int = Limits().maxFollowerPendingBytes

    @Flag(help: "Start a new log epoch: after restoring a state folder whose log lost records followers may have seen.")
    var newLogEpoch = false

    @Option(
        help: ArgumentHelp(
            "Lowest level of the lines logged: debug (adds a line per posting), info, notice, "
                + "warning or error."))
    var logLevel: String = "info"

    /// The signals that ask for a graceful stop.
    static var stopSignals: sigset_t {
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGTERM)
        sigaddset(&set, SIGINT)
        return set
    }

    /// Blocks SIGTERM and SIGINT in the calling thread, and so in every thread it starts afterwards: called first
    /// thing in main, before any thread exists, so that a stop request is never lost or taken by its default
    /// action, however early it comes. The service group (Lifecycle.swift) takes them through libdispatch's
    /// signalfd once it runs; one that came earlier stays pending until then.
    static func blockStopSignals() {
        var blocked = Whsed.stopSignals
        pthread_sigmask(SIG_BLOCK, &blocked, nil)
    }

    func run() async throws { try await serve() }

    /// The daemon (and --verify, --repair); called directly by main (below) so that no overload of `run` can be
    /// picked instead.
    func serve() async throws {
        Whsed.blockStopSignals()
        signal(SIGPIPE, SIG_IGN)
        if let dir = verifyDir {
            throw ExitCode(Verify.run(directory: dir))
        }
        if let dir = rebuildIndexDir {
            do {
                let outcome = try OfflineCheck.run(directory: dir, verifyLedger: false)
                let status = try EntryIndex.rebuildOffline(stateDirectory: dir, state: outcome.state)
                print(
                    "rebuilt the entry index from the snapshot and \(outcome.records) log records after it: "
                        + status)
                throw ExitCode(0)
            } catch let e as ExitCode {
                throw e
            } catch {
                print("rebuilding the index failed: \(error)")
                throw ExitCode(2)
            }
        }
        if let dir = repairDir {
            do {
                let report = try WriteAheadLog.repair(directory: dir)
                for a in report.actions { print(a) }
                if report.actions.isEmpty { print("nothing to repair") }
                if let cut = report.cutAtSequence {
                    print(
                        "records from sequence \(cut) on were cut; evidence kept: \(report.preservedFiles.joined(separator: ", "))"
                    )
                }
                throw ExitCode(0)
            } catch let e as ExitCode {
                throw e
            } catch {
                print("repair failed: \(error)")
                throw ExitCode(2)
            }
        }
        // Log lines go to the journal with fields when stderr is the journal stream, else one line to stderr; every
        // swift-log logger of the process (the service group's) goes the same way.
        guard let level = Logger.Level(rawValue: logLevel), level != .trace, level != .critical else {
            throw ValidationError("--log-level must be debug, info, notice, warning or error")
        }
        Log.bootstrap(journal: Systemd.underJournal && getenv("WHSED_LOG_STDERR") == nil, level: level)
        LoggingSystem.bootstrap { label in Log.makeHandler(label: label) }
        // server.metrics: one registry for the process, the one MetricsSystem reports to (Metrics.swift).
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        guard
            let state = stateDir
                ?? ProcessInfo.processInfo.environment["STATE_DIRECTORY"]?.split(separator: ":").first.map(String.init)
        else {
            throw ValidationError("give --state-dir DIR (or run under systemd with StateDirectory=)")
        }
        var options = Server.Options(socketPath: socket, stateDirectory: state)
        options.limits.maxLineBytes = maxLineBytes
        options.limits.maxJournalLines = maxJournalLines
        options.limits.maxConnections = maxConnections
        options.limits.idleTimeoutSeconds = idleTimeout
        options.limits.maxPipelinedRequests = max(1, maxPipelinedRequests)
        options.limits.maxBatchRequests = max(1, maxBatchRequests)
        options.limits.maxOpenCountJournals = max(0, min(maxOpenCountJournals, 4096))
        options.limits.maxConnectionsPerUser = max(1, maxConnectionsPerUser)
        options.limits.adminReservedConnections = max(
            0,
            min(
                adminReservedConnections
                    ?? min(Limits().adminReservedConnections, maxConnections / 4), maxConnections))
        // A reply line must at least hold an error object.
        options.limits.maxReplyBytes = max(1024, maxReplyBytes)
        options.limits.maxConnectionBufferBytes = max(1, maxConnectionBufferBytes)
        options.limits.maxTotalBufferBytes = max(1 << 20, maxTotalBufferBytes)
        guard socketMode.allSatisfy({ ("0"..."7").contains($0) }), let mode = mode_t(socketMode, radix: 8),
            mode <= 0o777
        else {
            throw ValidationError("--socket-mode must be octal permission bits from 0 to 777, e.g. 660")
        }
        options.socketMode = mode
        options.autoCheckpointRecords = checkpointEvery
        options.limits.maxFollowerPendingBytes = max(64 << 10, maxFollowerPendingBytes)
        options.followRetainRecords = max(1, followRetainRecords)
        options.newLogEpoch = newLogEpoch
        if let siteId {
            guard !siteId.isEmpty, siteId.utf8.count <= 64 else {
                throw ValidationError("--site-id must be 1 to 64 bytes")
            }
            options.siteId = siteId
        } else {
            var name = [CChar](repeating: 0, count: 256)
            options.siteId = gethostname(&name, 255) == 0 ? String(cString: name) : "site"
        }
        options.entryIndex = !noIndex
        options.metrics = ServerMetrics(registry: registry)
        if let path = access {
            do {
                options.access = try AccessRules.load(path: path)
            } catch {
                // Refused as a whole: whsed does not start with a policy other than the one written.
                Log.error("refusing the access file \(path): \(error)", ["file": path], id: .accessFileRefused)
                throw ExitCode(78)
            }
        }
        do {
            try WriteAheadLog.createDirectoryDurably(state)
        } catch {
            Log.error("cannot create the state folder \(state): \(error)")
            throw ExitCode(74)
        }
        Systemd.notify("STATUS=recovering the log")
        let server: Server
        do {
            server = try Server(options: options)
        } catch {
            Log.error("start-up refused: \(error)")
            Systemd.notify("STATUS=start-up refused: \(error)")
            // 74: an I/O failure (systemd may restart and retry); 65: the log is damaged or unreadable as data.
            if let e = error as? WALError {
                switch e {
                case .io, .noSpace, .locked: throw ExitCode(74)
                default: break
                }
            }
            throw ExitCode(65)
        }
        do {
            try server.start()
        } catch {
            Log.error("cannot serve: \(error)")
            throw ExitCode(71)
        }
        Systemd.notify("READY=1\nSTATUS=serving")
        // SIGTERM and SIGINT ask the group for a graceful stop; the daemon service also ends it on its own when
        // --exit-idle-after runs out. Either way its run() drains the writer and stops the server before returning.
        let daemon = DaemonService(server: server, exitIdleAfterSeconds: exitIdleAfter)
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: [
                    .init(
                        service: daemon, successTerminationBehavior: .gracefullyShutdownGroup,
                        failureTerminationBehavior: .gracefullyShutdownGroup)
                ],
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: DaemonService.logger))
        try await group.run()
        Log.info("stopped", id: .stopped)
    }
}

// SIGTERM and SIGINT are blocked in this thread before any other thread exists, so in every thread whsed ever has.
// main stays synchronous on purpose: an async main would park this thread in libdispatch's sigsuspend with every
// signal unblocked, where a stop request before the service group runs would kill whsed by the default action.
Whsed.blockStopSignals()
final class Outcome: @unchecked Sendable { var error: (any Error)? }
let outcome = Outcome()
do {
    var command = try Whsed.parseAsRoot()
    if let daemon = command as? Whsed {
        let finished = DispatchSemaphore(value: 0)
        Task.detached {  // not on the main actor: this thread waits below
            do { try await daemon.serve() } catch { outcome.error = error }
            finished.signal()
        }
        finished.wait()
        if let error = outcome.error { throw error }
    } else {
        try command.run()  // --help, --version
    }
} catch {
    Whsed.exit(withError: error)
}
