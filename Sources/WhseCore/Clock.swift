import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// The last second `utcNow` formatted, shared by every thread: every posting and read asks for the time, and
/// formatting it costs far more than looking it up.
private let lastSecond = Mutex<(second: time_t, date: String, timestamp: String)>((-1, "", ""))

/// The wall clock in UTC: today as YYYY-MM-DD and the moment as YYYY-MM-DDTHH:MM:SSZ.
public func utcNow() -> (date: String, timestamp: String) {
    var t = time(nil)
    if let hit = lastSecond.withLock({ $0.second == t ? ($0.date, $0.timestamp) : nil }) { return hit }
    var tmv = tm()
    gmtime_r(&t, &tmv)
    func two(_ v: Int32) -> String { v < 10 ? "0\(v)" : "\(v)" }
    let date = "\(tmv.tm_year + 1900)-\(two(tmv.tm_mon + 1))-\(two(tmv.tm_mday))"
    let timestamp = "\(date)T\(two(tmv.tm_hour)):\(two(tmv.tm_min)):\(two(tmv.tm_sec))Z"
    lastSecond.withLock { $0 = (t, date, timestamp) }
    return (date, timestamp)
}
