#if canImport(Glibc)
    import Glibc
#endif

/// The wall clock in UTC: today as YYYY-MM-DD and the moment as YYYY-MM-DDTHH:MM:SSZ.
public func utcNow() -> (date: String, timestamp: String) {
    var t = time(nil)
    var tmv = tm()
    gmtime_r(&t, &tmv)
    func two(_ v: Int32) -> String { v < 10 ? "0\(v)" : "\(v)" }
    let date = "\(tmv.tm_year + 1900)-\(two(tmv.tm_mon + 1))-\(two(tmv.tm_mday))"
    return (date, "\(date)T\(two(tmv.tm_hour)):\(two(tmv.tm_min)):\(two(tmv.tm_sec))Z")
}
