import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Codes of the bench's master data and which bins an item is posted into.
struct Layout: @unchecked Sendable {
    let location: [UInt8]
    let locationCode: String
    let zone: String
    let bins: Int
    let items: Int
    let perItem: Int
    let documentNos: Int
    let binCodes: [[UInt8]]  // JSON string literals, quotes included
    let itemCodes: [[UInt8]]

    init(_ o: Options) {
        locationCode = o.location
        zone = o.zone
        var l: [UInt8] = []
        l.putJSONString(o.location)
        location = l
        bins = o.bins
        items = o.items
        perItem = o.binsPerItem
        documentNos = o.documentNos
        binCodes = (0..<o.bins).map {
            var b: [UInt8] = []
            b.putJSONString(Layout.binCode($0))
            return b
        }
        itemCodes = (0..<o.items).map {
            var b: [UInt8] = []
            b.putJSONString(Layout.itemCode($0))
            return b
        }
    }

    static func binCode(_ i: Int) -> String { "B" + pad(i + 1) }
    static func itemCode(_ i: Int) -> String { "I" + pad(i + 1) }
    static func pad(_ n: Int) -> String {
        let s = String(n)
        return s.count >= 5 ? s : String(repeating: "0", count: 5 - s.count) + s
    }

    /// A random (item, bin) pair that respects --bins-per-item.
    @inline(__always) func pick(_ r: inout RNG) -> (item: Int, bin: Int) {
        let i = r.below(items)
        if perItem <= 0 { return (i, r.below(bins)) }
        return (i, (i * perItem + r.below(perItem)) % bins)
    }
}

// MARK: - request builders (plain byte appends: the client must stay cheap, it shares 2 cores with whsed)

@inline(__always) func beginRequest(_ b: inout [UInt8], id: Int, method: StaticString) {
    b.removeAll(keepingCapacity: true)
    b.put("{\"jsonrpc\":\"2.0\",\"id\":")
    b.putInt(id)
    b.put(",\"method\":\"")
    b.put(method)
    b.put("\",\"params\":")
}

/// whseItemJournal.register with `lines` lines; `line(k)` gives each line's (item, bin, quantity).
@inline(__always) func buildJournal(
    _ b: inout [UInt8], id: Int, layout: Layout, key: String?,
    lines: Int, line: (Int) -> (Int, Int, Int)
) {
    beginRequest(&b, id: id, method: "whseItemJournal.register")
    b.put("{\"location\":")
    b.put(layout.location)
    if let key {
        b.put(",\"idempotencyKey\":")
        b.putJSONString(key)
    }
    if layout.documentNos > 0 {
        b.put(",\"documentNo\":\"D")
        b.putInt(id % layout.documentNos)
        b.put("\"")
    }
    b.put(",\"lines\":[")
    for k in 0..<lines {
        let (item, bin, q) = line(k)
        if k > 0 { b.put(",") }
        b.put("{\"item\":")
        b.put(layout.itemCodes[item])
        b.put(",\"bin\":")
        b.put(layout.binCodes[bin])
        b.put(",\"quantity\":")
        b.putInt(q)
        b.put("}")
    }
    b.put("]}}\n")
}

func buildBinContents(_ b: inout [UInt8], id: Int, layout: Layout, bin: Int) {
    beginRequest(&b, id: id, method: "bin.contents")
    b.put("{\"location\":")
    b.put(layout.location)
    b.put(",\"bin\":")
    b.put(layout.binCodes[bin])
    b.put("}}\n")
}

func buildItemBins(_ b: inout [UInt8], id: Int, layout: Layout, item: Int) {
    beginRequest(&b, id: id, method: "item.bins")
    b.put("{\"item\":")
    b.put(layout.itemCodes[item])
    b.put(",\"location\":")
    b.put(layout.location)
    b.put("}}\n")
}

/// Fills the buffer with the next request (the id is given) and says what it is and how many journal lines it
/// holds; nil: this worker is done.
typealias RequestSource = (inout [UInt8], Int) -> (kind: OpKind, lines: Int)?

/// The request sources of the modes.
enum Sources {
    static func post1(layout: Layout, seed: UInt64, worker: Int, alternate: Bool, keys: Bool) -> RequestSource {
        var rng = RNG(seed: seed &* 1_000_003 &+ UInt64(worker))
        var undo: (Int, Int)? = nil
        var n = 0
        let tag = "\(getpid())-\(nowNs() % 1_000_000_007)-\(worker)-"
        return { b, id in
            n += 1
            let key = keys ? tag + String(n) : nil
            if alternate, let (item, bin) = undo {
                undo = nil
                buildJournal(&b, id: id, layout: layout, key: key, lines: 1) { _ in (item, bin, -1) }
            } else {
                let (item, bin) = layout.pick(&rng)
                if alternate { undo = (item, bin) }
                buildJournal(&b, id: id, layout: layout, key: key, lines: 1) { _ in (item, bin, 1) }
            }
            return (.post1, 1)
        }
    }

    static func journal(
        layout: Layout, seed: UInt64, worker: Int, lines: Int, keys: Bool,
        kind: OpKind = .postN, count: Int? = nil
    ) -> RequestSource {
        var rng = RNG(seed: seed &* 7_000_003 &+ UInt64(worker) &+ 99)
        var n = 0
        let tag = "\(getpid())-\(nowNs() % 1_000_000_007)-j\(worker)-"
        return { b, id in
            if let count, n >= count { return nil }
            n += 1
            let key = keys ? tag + String(n) : nil
            buildJournal(&b, id: id, layout: layout, key: key, lines: lines) { _ in
                let (item, bin) = layout.pick(&rng)
                return (item, bin, 1)
            }
            return (kind, lines)
        }
    }

    static func reads(layout: Layout, seed: UInt64, worker: Int, method: String) -> RequestSource {
        var rng = RNG(seed: seed &* 13_000_003 &+ UInt64(worker) &+ 7)
        var flip = worker % 2 == 0
        if method.hasPrefix("entries-") {
            return { b, id in
                beginRequest(&b, id: id, method: "entries.warehouse")
                switch method {
                case "entries-none": b.put("{\"item\":\"NO-SUCH-ITEM\"")
                case "entries-item":
                    b.put("{\"item\":")
                    b.put(layout.itemCodes[rng.below(layout.items)])
                case "entries-bin":
                    b.put("{\"location\":")
                    b.put(layout.location)
                    b.put(",\"bin\":")
                    b.put(layout.binCodes[rng.below(layout.bins)])
                default:
                    b.put("{\"documentNo\":\"D")
                    b.putInt(rng.below(max(1, layout.documentNos)))
                    b.put("\"")
                }
                b.put(",\"limit\":100}}\n")
                return (.readEntries, 0)
            }
        }
        return { b, id in
            let useBin: Bool
            switch method {
            case "bin": useBin = true
            case "item": useBin = false
            default:
                flip.toggle()
                useBin = flip
            }
            if useBin {
                // a bin that holds stock under the layout
                let (_, bin) = layout.pick(&rng)
                buildBinContents(&b, id: id, layout: layout, bin: bin)
                return (.readBin, 0)
            }
            buildItemBins(&b, id: id, layout: layout, item: rng.below(layout.items))
            return (.readItem, 0)
        }
    }

    static func mixed(
        layout: Layout, seed: UInt64, worker: Int, mix: [(OpKind, Int)], lines: Int,
        keys: Bool
    ) -> RequestSource {
        var rng = RNG(seed: seed &* 17_000_003 &+ UInt64(worker) &+ 3)
        let p1 = post1(layout: layout, seed: seed, worker: worker, alternate: false, keys: keys)
        let pn = journal(layout: layout, seed: seed, worker: worker, lines: lines, keys: keys)
        let rb = reads(layout: layout, seed: seed, worker: worker, method: "bin")
        let ri = reads(layout: layout, seed: seed, worker: worker + 1_000_000, method: "item")
        let total = mix.reduce(0) { $0 + $1.1 }
        return { b, id in
            var x = rng.below(total)
            var kind = mix[0].0
            for (k, w) in mix {
                if x < w {
                    kind = k
                    break
                }
                x -= w
            }
            switch kind {
            case .post1: return p1(&b, id)
            case .postN: return pn(&b, id)
            case .readBin: return rb(&b, id)
            default: return ri(&b, id)
            }
        }
    }

    /// Requests given as text, one per call, ids filled in.
    static func list(_ requests: [(method: String, params: String)], kind: OpKind) -> RequestSource {
        var next = 0
        return { b, id in
            guard next < requests.count else { return nil }
            let (m, p) = requests[next]
            next += 1
            b.removeAll(keepingCapacity: true)
            b.append(contentsOf: "{\"jsonrpc\":\"2.0\",\"id\":\(id),\"method\":\"\(m)\",\"params\":\(p)}\n".utf8)
            return (kind, 0)
        }
    }
}

/// One connection, one thread: send, wait, time, check; until the source is done or the window ends.
final class Worker: @unchecked Sendable {
    let conn: Conn
    let source: RequestSource
    let acceptReasons: Set<String>
    /// Seconds between requests (pacing), nil: flat out.
    let interval: Double?
    var acc: [SeriesAcc] = Array(repeating: SeriesAcc(), count: OpKind.allCases.count)
    var broken: String?
    /// Requests inside the window that took 50 ms or more: (end time, latency).
    var stalls: [(end: UInt64, latency: UInt64)] = []

    init(conn: Conn, source: @escaping RequestSource, acceptReasons: Set<String> = [], interval: Double? = nil) {
        self.conn = conn
        self.source = source
        self.acceptReasons = acceptReasons
        self.interval = interval
    }

    /// start: when to begin; measureFrom/end: the measurement window (requests must start and end inside it).
    func run(start: UInt64, measureFrom: UInt64, end: UInt64, expectedOps: Int) {
        for k in acc.indices { acc[k].latencies.reserveCapacity(expectedOps) }
        var req: [UInt8] = []
        req.reserveCapacity(16 * 1024)
        var id = 0
        sleepUntil(start)
        let step = interval.map { UInt64($0 * 1e9) }
        var scheduled = start
        while true {
            if let step {
                scheduled += step
                if scheduled > nowNs() { sleepUntil(scheduled) }
            }
            id += 1
            guard let (kind, lines) = source(&req, id) else { break }
            let t0 = nowNs()
            if t0 >= end { break }
            let k = kind.rawValue
            let reply: UnsafeBufferPointer<UInt8>
            do {
                reply = try conn.call(req)
            } catch {
                broken = "\(error)"
                acc[k].errors += 1
                acc[k].reasons["connection", default: 0] += 1
                if acc[k].samples.count < 5 { acc[k].samples.append("connection: \(error)") }
                return
            }
            let t1 = nowNs()
            let check = checkReply(reply)
            let inWindow = t0 >= measureFrom && t1 <= end
            if check.malformed || check.id != id {
                acc[k].errors += 1
                acc[k].reasons["bad_reply", default: 0] += 1
                if acc[k].samples.count < 5 {
                    acc[k].samples.append(
                        "bad reply to id \(id): "
                            + String(
                                decoding: UnsafeBufferPointer(rebasing: reply[0..<min(reply.count, 300)]), as: UTF8.self
                            ))
                }
            } else if check.hasError {
                let reason = errorReason(reply)
                if acceptReasons.contains(reason) {
                    acc[k].accepted += 1
                } else {
                    acc[k].errors += 1
                    acc[k].reasons[reason, default: 0] += 1
                    if acc[k].samples.count < 5 {
                        let sample = "\(reason): \(errorMessage(reply))"
                        if !acc[k].samples.contains(sample) { acc[k].samples.append(sample) }
                    }
                }
            } else if inWindow {
                acc[k].lines += lines
            }
            if inWindow {
                acc[k].ops += 1
                acc[k].latencies.append(t1 - t0)
                if t1 - t0 >= 50_000_000 { stalls.append((t1, t1 - t0)) }
            }
            if t1 >= end { break }
        }
    }
}

/// Runs workers on their own threads; the main thread samples the server around the measurement window.
struct RunResult {
    var acc: [SeriesAcc]
    var seconds: Double
    var stalls: [(at: Double, longest: UInt64, count: Int)]
    var server: ServerSample?
    var benchCPU: Double  // fraction of one core
    var machineBusy: Double?  // fraction of all cores
    var broken: [String]
    /// Cores used by other user processes during the window, and the busiest of them.
    var others: (cores: Double, top: [(String, Double)])?

}

struct ServerSample {
    var pid: Int32
    var cpu: Double  // cores used (1.0 = one core busy)
    var threads: [(String, Double)]
    var syncs: Int
    var records: Int
    var entriesBefore: Int
    var entriesAfter: Int
}

func runWorkers(
    _ workers: [Worker], warmup: Double, duration: Double?, socket: String,
    expectedOpsPerWorker: Int = 100_000
) -> RunResult {
    let start = nowNs() + 30_000_000
    let measureFrom = start + UInt64(warmup * 1e9)
    let end = duration.map { measureFrom + UInt64($0 * 1e9) } ?? UInt64.max
    var threads: [pthread_t] = []
    for w in workers {
        threads.append(
            startThread { w.run(start: start, measureFrom: measureFrom, end: end, expectedOps: expectedOpsPerWorker) })
    }
    let statusConn = try? Conn(path: socket)
    func status() -> [String: Any]? {
        guard let c = statusConn, let r = try? c.callJSON(method: "server.status", params: "{}") else { return nil }
        return r["result"] as? [String: Any]
    }
    sleepUntil(measureFrom)
    let s0 = status()
    let pid = (s0?["pid"] as? Int).map { Int32($0) }
    let cpu0 = pid.flatMap { ProcCPU.sample(pid: $0) }
    let m0 = machineCPU()
    let exclude: Set<Int32> = pid.map { [getpid(), $0] } ?? [getpid()]
    let o0 = otherProcessTicks(excluding: exclude)
    let self0 = selfCPUSeconds()
    let t0 = nowNs()
    var t1 = t0
    var cpu1: ProcCPU? = nil
    var m1: (busy: Int, total: Int)? = nil
    var self1 = self0
    var s1: [String: Any]? = nil
    var o1 = o0
    if duration != nil {
        sleepUntil(end)
        t1 = nowNs()
        cpu1 = pid.flatMap { ProcCPU.sample(pid: $0) }
        m1 = machineCPU()
        o1 = otherProcessTicks(excluding: exclude)
        self1 = selfCPUSeconds()
        s1 = status()
    }
    for t in threads { joinThread(t) }
    if duration == nil {
        t1 = nowNs()
        cpu1 = pid.flatMap { ProcCPU.sample(pid: $0) }
        m1 = machineCPU()
        o1 = otherProcessTicks(excluding: exclude)
        self1 = selfCPUSeconds()
        s1 = status()
    }
    var acc = Array(repeating: SeriesAcc(), count: OpKind.allCases.count)
    for w in workers { for k in acc.indices { acc[k].merge(w.acc[k]) } }
    let seconds = Double(t1 - t0) / 1e9
    var server: ServerSample? = nil
    if let pid, let c0 = cpu0, let c1 = cpu1, let s0, let s1 {
        let tick = Double(clockTicks)
        var threadsUse: [(String, Double)] = []
        for (name, v) in c1.threads {
            let d = Double(v - (c0.threads[name] ?? 0)) / tick / seconds
            if d >= 0.005 { threadsUse.append((name, d)) }
        }
        threadsUse.sort { $0.1 > $1.1 }
        func logInt(_ s: [String: Any], _ k: String) -> Int { ((s["log"] as? [String: Any])?[k] as? Int) ?? 0 }
        server = ServerSample(
            pid: pid, cpu: Double(c1.total - c0.total) / tick / seconds, threads: threadsUse,
            syncs: logInt(s1, "syncs") - logInt(s0, "syncs"),
            records: logInt(s1, "recordsWritten") - logInt(s0, "recordsWritten"),
            entriesBefore: s0["warehouseEntries"] as? Int ?? 0, entriesAfter: s1["warehouseEntries"] as? Int ?? 0)
    }
    var busy: Double? = nil
    if let m0, let m1, m1.total > m0.total { busy = Double(m1.busy - m0.busy) / Double(m1.total - m0.total) }
    var clusters: [(at: Double, longest: UInt64, count: Int)] = []
    var lastEnd: UInt64 = 0
    for st in workers.flatMap(\.stalls).sorted(by: { $0.end < $1.end }) {
        let at = Double(Int64(st.end) - Int64(measureFrom)) / 1e9
        if let last = clusters.last, st.end - lastEnd < 100_000_000 {
            clusters[clusters.count - 1] = (last.at, max(last.longest, st.latency), last.count + 1)
        } else {
            clusters.append((at, st.latency, 1))
        }
        lastEnd = st.end
    }
    return RunResult(
        acc: acc, seconds: seconds, stalls: clusters, server: server, benchCPU: (self1 - self0) / seconds,
        machineBusy: busy, broken: workers.compactMap(\.broken),
        others: otherProcessUse(o0, o1, seconds: seconds))
}

func connectAll(_ n: Int, socket: String) -> [Conn] {
    (0..<n).map { _ in
        do { return try Conn(path: socket) } catch { die("\(error)") }
    }
}
