import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// `whsed-bench scaling --whsed BIN --sizes N1,N2,…` (issue 14's acceptance): per size, a fresh state folder
/// preloaded with N warehouse entries, then from outside: start-up time and memory, `server.checkpoint` under a
/// paced poster, filtered `entries.warehouse` pages, and the entry index's lag under 100-line journals.
extension Modes {
    static func scaling(_ o: Options) throws -> Report {
        guard let binary = o.whsed else { throw BenchError("scaling needs --whsed") }
        let base = o.stateDir ?? "/var/tmp/whsed-scaling-\(getpid())"
        var report = Report(
            mode: "scaling",
            headline:
                "per size: fresh state folder, `setup --preload-entries N` (\(o.lines)-line journals), whsed "
                + "restarted (SIGTERM, then start-up timed to the first server.status answer), then checkpoint, "
                + "pages and index lag")
        report.settings = settings(o) + [("sizes", .str(o.sizes.map(String.init).joined(separator: ",")))]
        for size in o.sizes {
            let dir = "\(base)/\(size)"
            try? FileManager.default.removeItem(atPath: dir)
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            var so = o
            so.socket = "\(base)/\(size).sock"
            so.preloadEntries = size
            so.mode = "setup"
            let d = Daemon(
                binary: binary, stateDir: dir, socketPath: so.socket!, logPath: "\(base)/\(size).log",
                extraArgs: o.whsedArgs)
            defer { d.stop(signal: SIGTERM, timeout: 600) }
            try d.spawn()
            _ = try d.waitReady(timeout: o.timeout)
            let name = "scaling.\(size)"
            func put(_ metric: String, _ value: Double, _ kind: Kind) {
                report.extra.append((name, metric, value, kind))
            }
            say("whsed-bench: scaling \(size): preloading")
            let setup = try Modes.setup(so)
            if let t = setup.extra.first(where: { $0.metric == "preload_time" }) {
                put("preload_time", t.value, .seconds)
            }
            let caughtUp = try waitIndexCaughtUp(so.socket!, timeout: o.timeout)
            put("index_catch_up_after_preload", caughtUp, .seconds)

            // Restart: a clean stop (it writes a snapshot), then the start-up from outside.
            d.stop(signal: SIGTERM, timeout: 600)
            let t0 = try d.spawn()
            let (status, t1) = try d.waitReady(timeout: o.timeout)
            put("startup_time", Double(t1 - t0), .ns)
            put("warehouse_entries", Double(status["warehouseEntries"] as? Int ?? 0), .count)
            put("rss_at_ready", Double(procStatusBytes(pid: d.pid, field: "VmRSS") ?? 0), .bytes)
            let ready = try waitIndexCaughtUp(so.socket!, timeout: o.timeout)
            put("index_ready_after_start", ready + Double(t1 - t0) / 1e9, .seconds)
            put("rss", Double(procStatusBytes(pid: d.pid, field: "VmRSS") ?? 0), .bytes)
            put("hwm", Double(procStatusBytes(pid: d.pid, field: "VmHWM") ?? 0), .bytes)

            // Filtered pages, one client, no postings.
            let layout = Layout(so)
            for method in ["entries-none", "entries-item", "entries-bin", "entries-doc"]
            where method != "entries-doc" || o.documentNos > 0 {
                let lat = try timePages(so.socket!, layout: layout, method: method, count: o.pages, seed: o.seed)
                put("\(method).p50", lat[lat.count / 2], .ns)
                put("\(method).p99", lat[min(lat.count - 1, lat.count * 99 / 100)], .ns)
                put("\(method).max", lat[lat.count - 1], .ns)
            }

            // server.checkpoint while a poster posts a 1-line journal every 2 ms.
            let (checkpointMs, gap, slowest, posted) = try checkpointUnderPoster(so.socket!, layout: layout, o)
            put("checkpoint_time", checkpointMs * 1e6, .ns)
            put("poster_longest_gap", gap, .ns)
            put("poster_slowest_posting", slowest, .ns)
            put("poster_postings", Double(posted), .count)

            // The index's lag under 100-line journals posted flat out, and after them.
            var lo = so
            lo.mode = "post100"
            let lag = LagWatch(socket: so.socket!)
            lag.start()
            let load = try Modes.load(lo)
            let loadEnded = nowNs()
            let after = try waitIndexCaughtUp(so.socket!, timeout: o.timeout)
            lag.stop()
            if let s = load.series.first(where: { $0.name.hasPrefix("post") }) {
                put("post100_lines_rate", s.rate * Double(o.lines), .rate)
            }
            put("index_lag_max_entries", Double(lag.maxLag), .count)
            put("index_lag_at_load_end_entries", Double(lag.lag(at: loadEnded)), .count)
            put("index_caught_up_after_load", after, .seconds)
            say(
                String(
                    format:
                        "whsed-bench: scaling %d: start-up %.2f s, RSS %.0f MB, checkpoint %.0f ms (poster gap %@), "
                        + "index lag max %d entries, caught up %.1f s after the load",
                    size, Double(t1 - t0) / 1e9, Double(procStatusBytes(pid: d.pid, field: "VmRSS") ?? 0) / 1e6,
                    checkpointMs, fmtLatency(gap), lag.maxLag, after))
            d.stop(signal: SIGTERM, timeout: 600)
            if !o.keepRunning { try? FileManager.default.removeItem(atPath: dir) }
        }
        return report
    }

    /// Polls server.status every 20 ms until the entry index is ready and has no lag; returns the seconds waited.
    static func waitIndexCaughtUp(_ socket: String, timeout: Double) throws -> Double {
        let started = nowNs()
        while true {
            let s = try serverStatus(socket)
            guard let index = s["index"] as? [String: Any] else { return 0 }  // --no-index
            let lag = (index["lagEntries"] as? [String: Any])?.values.compactMap { $0 as? Int }.reduce(0, +) ?? 1
            if index["state"] as? String == "ready" && lag == 0 { return Double(nowNs() - started) / 1e9 }
            if index["state"] as? String == "failed" { throw BenchError("the entry index failed: \(index)") }
            if Double(nowNs() - started) / 1e9 > timeout { throw BenchError("the index did not catch up: \(index)") }
            usleep(20_000)
        }
    }

    /// Latencies (ns, sorted) of `count` entries.warehouse pages of one kind, after 20 not counted.
    static func timePages(_ socket: String, layout: Layout, method: String, count: Int, seed: UInt64) throws
        -> [Double]
    {
        let c = try Conn(path: socket)
        let source = Sources.reads(layout: layout, seed: seed, worker: 0, method: method)
        var b: [UInt8] = []
        var lat: [Double] = []
        for i in 0..<(count + 20) {
            _ = source(&b, i + 1)
            let t0 = nowNs()
            let reply = try c.call(b)
            let t1 = nowNs()
            let check = checkReply(reply)
            if check.hasError || !check.hasResult { throw BenchError("\(method) failed: \(errorMessage(reply))") }
            if i >= 20 { lat.append(Double(t1 - t0)) }
        }
        return lat.sorted()
    }

    /// Posts a 1-line journal every 2 ms on one connection while `server.checkpoint` runs on another (0.3 s after
    /// the poster started, which goes on 0.3 s after it): the checkpoint's time (ms, as whsed reports it), the
    /// longest time between two acknowledgements and the slowest posting (ns), and the postings made.
    static func checkpointUnderPoster(_ socket: String, layout: Layout, _ o: Options) throws
        -> (Double, Double, Double, Int)
    {
        let poster = try Conn(path: socket)
        let admin = try Conn(path: socket)
        let source = Sources.post1(layout: layout, seed: o.seed &+ 99, worker: 0, alternate: true, keys: false)
        let stop = UnsafeMutablePointer<Int>.allocate(capacity: 1)
        stop.initialize(to: 0)
        defer { stop.deallocate() }
        var gap = 0.0
        var slowest = 0.0
        var posted = 0
        var failure: String? = nil
        let thread = startThread {
            var b: [UInt8] = []
            var last = nowNs()
            var id = 0
            while stop.pointee == 0 {
                id += 1
                _ = source(&b, id)
                let t0 = nowNs()
                guard let reply = try? poster.call(b) else {
                    failure = "the poster's connection broke"
                    return
                }
                let t1 = nowNs()
                if checkReply(reply).hasError {
                    failure = errorMessage(reply)
                    return
                }
                posted += 1
                gap = max(gap, Double(t1 - last))
                slowest = max(slowest, Double(t1 - t0))
                last = t1
                let next = t0 + 2_000_000
                if next > nowNs() { sleepUntil(next) }
            }
        }
        sleepSeconds(0.3)
        let r = try admin.callJSON(method: "server.checkpoint", params: "{}")
        sleepSeconds(0.3)
        stop.pointee = 1
        joinThread(thread)
        if let failure { throw BenchError("posting during the checkpoint failed: \(failure)") }
        guard let result = r["result"] as? [String: Any] else { throw BenchError("server.checkpoint failed: \(r)") }
        return (Double(result["milliseconds"] as? Int ?? 0), gap, slowest, posted)
    }
}

/// Polls server.status every 100 ms on its own connection: the entry index's lag (all ledgers) over time.
final class LagWatch: @unchecked Sendable {
    let socket: String
    private var samples: [(at: UInt64, lag: Int)] = []
    private let lock = NSLock()
    private var running = true
    private var thread: pthread_t?

    init(socket: String) { self.socket = socket }

    func start() {
        thread = startThread { [self] in
            guard let c = try? Conn(path: socket) else { return }
            while lock.withLock({ running }) {
                if let r = try? c.callJSON(method: "server.status", params: "{}"),
                    let s = r["result"] as? [String: Any], let index = s["index"] as? [String: Any],
                    let lags = index["lagEntries"] as? [String: Any]
                {
                    let lag = lags.values.compactMap { $0 as? Int }.reduce(0, +)
                    lock.withLock { samples.append((nowNs(), lag)) }
                }
                usleep(100_000)
            }
        }
    }

    func stop() {
        lock.withLock { running = false }
        if let thread { joinThread(thread) }
    }

    var maxLag: Int { lock.withLock { samples.map(\.lag).max() ?? 0 } }

    /// The last sample taken at or before `t`.
    func lag(at t: UInt64) -> Int { lock.withLock { samples.last(where: { $0.at <= t })?.lag ?? 0 } }
}
