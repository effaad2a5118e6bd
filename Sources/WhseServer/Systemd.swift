import CSystemd
#if canImport(Glibc)
import Glibc
#endif

/// libsystemd calls: socket activation, readiness and status, the watchdog.
public enum Systemd {
    /// The first socket passed by systemd (fd 3), when LISTEN_FDS names this process.
    public static func listenedSocket() -> Int32? {
        let n = sd_listen_fds(1)   // unsets LISTEN_* so children do not inherit them
        guard n >= 1 else { return nil }
        return 3   // SD_LISTEN_FDS_START
    }

    /// Sends a notification (READY=1, STATUS=…, STOPPING=1, WATCHDOG=1); a no-op outside systemd.
    public static func notify(_ state: String) {
        _ = sd_notify(0, state)
    }

    /// The watchdog interval in microseconds when systemd expects pings.
    public static func watchdogMicroseconds() -> UInt64? {
        var usec: UInt64 = 0
        return sd_watchdog_enabled(0, &usec) > 0 && usec > 0 ? usec : nil
    }

    /// True when stderr is connected to the journal (so log lines can carry structured fields).
    public static var underJournal: Bool { getenv("JOURNAL_STREAM") != nil }

    /// Sends one structured journal record: MESSAGE, PRIORITY and extra FIELD=value pairs.
    public static func journal(priority: Int, message: String, fields: [String: String]) {
        var strings = ["MESSAGE=\(message)", "PRIORITY=\(priority)", "SYSLOG_IDENTIFIER=whsed"]
        for (k, v) in fields.sorted(by: { $0.key < $1.key }) { strings.append("\(k.uppercased())=\(v)") }
        let buffers = strings.map { Array($0.utf8) }
        var iovecs: [iovec] = []
        var pinned: [UnsafeMutableRawPointer] = []
        for b in buffers {
            let p = UnsafeMutableRawPointer.allocate(byteCount: max(1, b.count), alignment: 1)
            b.withUnsafeBytes { p.copyMemory(from: $0.baseAddress!, byteCount: b.count) }
            pinned.append(p)
            iovecs.append(iovec(iov_base: p, iov_len: b.count))
        }
        _ = iovecs.withUnsafeBufferPointer { sd_journal_sendv($0.baseAddress, Int32($0.count)) }
        for p in pinned { p.deallocate() }
    }
}
