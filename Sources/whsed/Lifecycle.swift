import Logging
import ServiceLifecycle
import WhseServer

#if canImport(Glibc)
    import Glibc
#endif

/// The running daemon as a service of the service group (main.swift): every second it checks --exit-idle-after,
/// every 5 s it sends systemd a STATUS= line saying what the daemon is doing. It returns after a graceful shutdown
/// (SIGTERM, SIGINT) or once the idle time has run out, and only after the server has drained the writer, handed
/// out the replies of the drained postings and closed the log.
struct DaemonService: Service {
    let server: Server
    /// Seconds without a connection after which whsed exits (0: never).
    let exitIdleAfterSeconds: Int

    func run() async throws {
        await cancelWhenGracefulShutdown { await tick() }
        Log.info("stopping: finishing in-flight postings")
        await server.shutdown()
    }

    /// Returns when the task is cancelled (a graceful shutdown) or the idle time has run out.
    private func tick() async {
        let clock = ContinuousClock()
        var idleSince: ContinuousClock.Instant?
        var ticks = 0
        var next = clock.now
        while !Task.isCancelled {
            next += .seconds(1)
            do { try await clock.sleep(until: next) } catch { return }
            ticks += 1
            let connections = server.core.connectionCount
            if exitIdleAfterSeconds > 0 {
                if connections == 0 {
                    let since = idleSince ?? clock.now
                    idleSince = since
                    if since.duration(to: clock.now) >= .seconds(exitIdleAfterSeconds) {
                        Log.info("no connection for \(exitIdleAfterSeconds) s: exiting until the socket is used again")
                        return
                    }
                } else {
                    idleSince = nil
                }
            }
            if ticks % 5 == 0 {
                let s = server.core.writer.statistics
                Systemd.notify(
                    "STATUS=serving: \(connections) connection(s), \(s.records) posting(s) synced in "
                        + "\(s.syncs) fsync(s), last fsync \(s.lastSyncMicros) µs, \(s.checkpoints) snapshot(s)")
            }
        }
    }
}

extension DaemonService {
    /// The service group's logger: where whsed's own lines go (Logging.swift), from `notice` up.
    static var logger: Logger {
        var l = Logger(label: "whsed.lifecycle", factory: { Log.makeHandler(label: $0) })
        l.logLevel = .notice
        return l
    }
}
