import CSystemd

#if canImport(Glibc)
    import Glibc
#endif

/// libsystemd calls: socket activation, readiness and status, the watchdog.
public enum Systemd {
    /// The first socket passed by systemd (fd 3), when LISTEN_FDS names this process.
    public static func listenedSocket() -> Int32? {
        let n = sd_listen_fds(1)  // unsets LISTEN_* so children do not inherit them
        guard n >= 1 else { return nil }
        return 3  // SD_LISTEN_FDS_START
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

    /// True when stderr is connected to the journal: JOURNAL_STREAM ("DEVICE:INODE") names the file stderr is, as
    /// systemd sets it for a service's output. A child that inherited the variable but not the stream is not.
    public static var underJournal: Bool {
        guard let value = getenv("JOURNAL_STREAM").map({ String(cString: $0) }) else { return false }
        let parts = value.split(separator: ":")
        guard parts.count == 2, let dev = UInt64(parts[0]), let ino = UInt64(parts[1]) else { return false }
        var st = stat()
        guard fstat(2, &st) == 0 else { return false }
        return UInt64(st.st_dev) == dev && UInt64(st.st_ino) == ino
    }
}
