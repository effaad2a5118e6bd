import Foundation

#if canImport(Glibc)
    import Glibc
#endif

enum Modes {
    static func serverStatus(_ socket: String) throws -> [String: Any] {
        let c = try Conn(path: socket)
        let r = try c.callJSON(method: "server.status", params: "{}")
        guard let result = r["result"] as? [String: Any] else { throw BenchError("server.status failed: \(r)") }
        return result
    }

    static func settings(_ o: Options, clients: Int? = nil) -> [(String, JV)] {
        var s: [(String, JV)] = [
            ("socket", .str(o.socket ?? "")), ("location", .str(o.location)),
            ("bins", .int(o.bins)), ("items", .int(o.items)), ("binsPerItem", .int(o.binsPerItem))
        ]
        if let c = clients { s.append(("clients", .int(c))) }
        s.append(("duration", .num(o.duration)))
        s.append(("warmup", .num(o.warmup)))
        return s
    }

    /// Summaries of the series that saw traffic, in a fixed order; `read` combines bin.contents and item.bins.
    static func summaries(_ r: RunResult, lines: Int) -> [Summary] {
        var out: [Summary] = []
        for k in OpKind.allCases {
            let a = r.acc[k.rawValue]
            guard a.ops > 0 || a.errors > 0 || a.accepted > 0 else { continue }
            var name = k.series
            if k == .postN { name = "post\(lines)" }
            out.append(Summary(name: name, acc: a, seconds: r.seconds))
        }
        let bin = r.acc[OpKind.readBin.rawValue]
        let item = r.acc[OpKind.readItem.rawValue]
        if (bin.ops > 0 || bin.errors > 0) && (item.ops > 0 || item.errors > 0) {
            var both = bin
            both.merge(item)
            out.append(Summary(name: "read", acc: both, seconds: r.seconds))
        } else if bin.ops > 0 || item.ops > 0 {
            out.append(Summary(name: "read", acc: bin.ops > 0 ? bin : item, seconds: r.seconds))
        }
        return out
    }

    // MARK: set-up

    static func setup(_ o: Options) throws -> Report {
        let socket = o.socket!
        let layout = Layout(o)
        var report = Report(mode: "setup", headline: "")
        report.settings = settings(o, clients: o.clients ?? 16)
        let c = try Conn(path: socket)
        func must(_ method: String, _ params: String) throws {
            let r = try c.callJSON(method: method, params: params)
            if let e = r["error"] as? [String: Any] {
                let reason = (e["data"] as? [String: Any])?["reason"] as? String
                if reason != "already_exists" { throw BenchError("\(method) \(params) failed: \(e)") }
            }
        }
        var q: [UInt8] = []
        q.putJSONString(o.location)
        let loc = String(decoding: q, as: UTF8.self)
        q = []
        q.putJSONString(o.zone)
        let zone = String(decoding: q, as: UTF8.self)
        let started = nowNs()
        try must("location.create", "{\"code\":\(loc),\"name\":\"whsed-bench\",\"kind\":\"directed\"}")
        try must("zone.create", "{\"location\":\(loc),\"code\":\(zone),\"binType\":\"PICK\"}")
        let before = try serverStatus(socket)
        let haveBins = before["bins"] as? Int ?? 0
        let haveItems = before["items"] as? Int ?? 0
        var requests: [(method: String, params: String)] = []
        // Skip the master data that is plainly there already (a re-run of setup on a set-up state folder).
        if haveBins < o.bins + 1 {
            for b in 0..<o.bins {
                requests.append(
                    ("bin.create", "{\"location\":\(loc),\"code\":\"\(Layout.binCode(b))\",\"zone\":\(zone)}"))
            }
        }
        if haveItems < o.items {
            for i in 0..<o.items {
                requests.append(("item.create", "{\"no\":\"\(Layout.itemCode(i))\",\"baseUnitOfMeasure\":\"PCS\"}"))
            }
        }
        let clients = min(o.clients ?? 16, max(1, requests.count))
        var series: [Summary] = []
        var firstRun: RunResult? = nil
        if !requests.isEmpty {
            var shares = Array(repeating: [(method: String, params: String)](), count: clients)
            for (i, r) in requests.enumerated() { shares[i % clients].append(r) }
            let conns = connectAll(clients, socket: socket)
            let workers = (0..<clients).map { w in
                Worker(
                    conn: conns[w], source: Sources.list(shares[w], kind: .create), acceptReasons: ["already_exists"])
            }
            let r = runWorkers(workers, warmup: 0, duration: nil, socket: socket, expectedOpsPerWorker: 1024)
            series += summaries(r, lines: o.lines)
            firstRun = r
        }
        let masterSeconds = Double(nowNs() - started) / 1e9
        report.extra.append(("setup", "master_data_time", masterSeconds, .seconds))

        // Preload: 100-line journals until the ledger holds --preload-entries warehouse entries.
        var status = try serverStatus(socket)
        var entries = status["warehouseEntries"] as? Int ?? 0
        if o.preloadEntries > entries {
            let lines = (o.preloadEntries - entries + 1) / 2
            let journals = (lines + o.lines - 1) / o.lines
            let pc = min(o.clients ?? 16, journals)
            say(
                "whsed-bench: preloading \(journals) journals of \(o.lines) lines (\(journals * o.lines * 2) warehouse entries) over \(pc) connections"
            )
            let conns = connectAll(pc, socket: socket)
            let workers = (0..<pc).map { w in
                Worker(
                    conn: conns[w],
                    source: Sources.journal(
                        layout: layout, seed: o.seed &+ 4242, worker: w, lines: o.lines,
                        keys: false, kind: .preload,
                        count: journals / pc + (w < journals % pc ? 1 : 0)))
            }
            let r = runWorkers(
                workers, warmup: 0, duration: nil, socket: socket, expectedOpsPerWorker: journals / pc + 1)
            series += summaries(r, lines: o.lines)
            report.run = r
            report.extra.append(("setup", "preload_time", r.seconds, .seconds))
            status = try serverStatus(socket)
            entries = status["warehouseEntries"] as? Int ?? 0
        } else {
            report.run = firstRun
        }
        report.series = series
        report.extra.append(("setup", "warehouse_entries", Double(entries), .count))
        report.extra.append(("setup", "bins", Double(status["bins"] as? Int ?? 0), .count))
        report.extra.append(("setup", "items", Double(status["items"] as? Int ?? 0), .count))
        if let pid = status["pid"] as? Int, let rss = procStatusBytes(pid: Int32(pid), field: "VmRSS") {
            report.extra.append(("setup", "whsed_rss", Double(rss), .bytes))
        }
        report.headline =
            "location \(o.location), zone \(o.zone), \(o.bins) bins, \(o.items) items"
            + (o.preloadEntries > 0
                ? ", preload to \(o.preloadEntries) warehouse entries with \(o.lines)-line journals" : "")
        return report
    }

    // MARK: timed load

    static func load(_ o: Options) throws -> Report {
        let socket = o.socket!
        let layout = Layout(o)
        // The master data must be there: a refused posting is not a benchmark.
        let status = try serverStatus(socket)
        if (status["items"] as? Int ?? 0) < o.items || (status["bins"] as? Int ?? 0) < o.bins {
            throw BenchError(
                "the server has \(status["bins"] ?? 0) bins and \(status["items"] ?? 0) items; run `whsed-bench setup` with the same --bins/--items first"
            )
        }
        var workers: [Worker] = []
        var headline = ""
        var clients = 0
        switch o.mode {
        case "post1", "single":
            clients = o.mode == "single" ? 1 : (o.clients ?? 32)
            let conns = connectAll(clients, socket: socket)
            for w in 0..<clients {
                workers.append(
                    Worker(
                        conn: conns[w],
                        source: Sources.post1(
                            layout: layout, seed: o.seed, worker: w,
                            alternate: o.alternate, keys: o.idempotencyKeys)))
            }
            headline =
                "\(clients) client\(clients == 1 ? "" : "s") posting 1-line whseItemJournal.register"
                + (o.alternate ? " (+1/-1 alternating)" : " (+1)")
        case "post100":
            clients = o.clients ?? 8
            let conns = connectAll(clients, socket: socket)
            for w in 0..<clients {
                workers.append(
                    Worker(
                        conn: conns[w],
                        source: Sources.journal(
                            layout: layout, seed: o.seed, worker: w,
                            lines: o.lines, keys: o.idempotencyKeys)))
            }
            headline = "\(clients) clients posting \(o.lines)-line whseItemJournal.register"
        case "read":
            clients = o.writers + o.readers
            guard o.readers > 0 else { throw BenchError("read mode needs --readers ≥ 1") }
            let conns = connectAll(clients, socket: socket)
            let interval = o.writerRate.map { $0 > 0 ? Double(o.writers) / $0 : 0 }
            for w in 0..<o.writers {
                workers.append(
                    Worker(
                        conn: conns[w],
                        source: Sources.post1(
                            layout: layout, seed: o.seed, worker: w,
                            alternate: o.alternate, keys: o.idempotencyKeys),
                        interval: interval))
            }
            for r in 0..<o.readers {
                workers.append(
                    Worker(
                        conn: conns[o.writers + r],
                        source: Sources.reads(layout: layout, seed: o.seed, worker: r, method: o.readMethod)))
            }
            let what =
                o.readMethod == "both"
                ? "bin.contents/item.bins"
                : o.readMethod == "bin"
                    ? "bin.contents"
                    : o.readMethod == "item" ? "item.bins" : "entries.warehouse (\(o.readMethod))"
            headline = "\(o.readers) client\(o.readers == 1 ? "" : "s") reading \(what)"
            if o.writers > 0 {
                headline +=
                    " while \(o.writers) client\(o.writers == 1 ? " posts" : "s post") 1-line journals"
                    + (o.writerRate.map { " (capped at \(Int($0))/s in total)" } ?? " (flat out)")
            } else {
                headline += ", no postings"
            }
        case "mixed":
            clients = o.clients ?? 32
            let conns = connectAll(clients, socket: socket)
            for w in 0..<clients {
                workers.append(
                    Worker(
                        conn: conns[w],
                        source: Sources.mixed(
                            layout: layout, seed: o.seed, worker: w, mix: o.mix,
                            lines: o.lines, keys: o.idempotencyKeys)))
            }
            headline =
                "\(clients) clients, each request drawn from "
                + o.mix.map { "\($0.0 == .postN ? "post\(o.lines)" : $0.0.series)=\($0.1)" }.joined(separator: ",")
        default:
            throw BenchError("not a load mode: \(o.mode)")
        }
        headline += String(format: ", %.1f s measured after %.1f s warm-up", o.duration, o.warmup)
        headline += ", \(status["warehouseEntries"] ?? 0) warehouse entries at start"
        let r = runWorkers(
            workers, warmup: o.warmup, duration: o.duration, socket: socket, expectedOpsPerWorker: 16_384)
        var report = Report(mode: o.mode, headline: headline)
        report.settings = settings(o, clients: clients)
        if o.mode == "read" {
            report.settings += [
                ("writers", .int(o.writers)), ("readers", .int(o.readers)), ("readMethod", .str(o.readMethod))
            ]
            if let wr = o.writerRate { report.settings.append(("writerRate", .num(wr))) }
        }
        if o.mode == "post100" || o.mode == "mixed" { report.settings.append(("lines", .int(o.lines))) }
        report.run = r
        report.series = summaries(r, lines: o.lines)
        return report
    }

    // MARK: start-up

    static func startup(_ o: Options) throws -> Report {
        let d = Daemon(
            binary: o.whsed!, stateDir: o.stateDir!, socketPath: o.socket!,
            logPath: o.whsedLog ?? (o.stateDir! + ".log"), extraArgs: o.whsedArgs)
        var times: [Double] = []
        var rss: [Double] = []
        var rssLater: [Double] = []
        var hwm: [Double] = []
        var entries = 0
        var recovered = 0
        var notes: [String] = []
        var otherCores: [Double] = []
        var disturbedRounds = 0
        var otherTop: [String: Double] = [:]
        for round in 0..<o.repeatCount {
            let before = otherProcessTicks(excluding: [getpid()])
            let m0 = machineCPU()
            let self0 = selfCPUSeconds()
            let t0 = try d.spawn()
            let (status, t1) = try d.waitReady(timeout: o.timeout)
            let secs = Double(t1 - t0) / 1e9
            let m1 = machineCPU()
            let others = otherProcessUse(before, otherProcessTicks(excluding: [getpid(), d.pid]), seconds: secs)
            let whsedCores = Double(ProcCPU.sample(pid: d.pid)?.total ?? 0) / Double(clockTicks) / secs
            var unattributed = 0.0
            if let m0, let m1, m1.total > m0.total {
                let busy =
                    Double(m1.busy - m0.busy) / Double(m1.total - m0.total)
                    * Double(ProcessInfo.processInfo.activeProcessorCount)
                unattributed = max(0, busy - whsedCores - (selfCPUSeconds() - self0) / secs - others.cores)
            }
            if Report.isDisturbed(others: others.cores, unattributed: unattributed) { disturbedRounds += 1 }
            otherCores.append(others.cores)
            for (n, c) in others.top { otherTop[n, default: 0] = max(otherTop[n] ?? 0, c) }
            let r0 = procStatusBytes(pid: d.pid, field: "VmRSS") ?? 0
            usleep(500_000)
            let r1 = procStatusBytes(pid: d.pid, field: "VmRSS") ?? 0
            let h = procStatusBytes(pid: d.pid, field: "VmHWM") ?? 0
            entries = status["warehouseEntries"] as? Int ?? 0
            recovered = (status["log"] as? [String: Any])?["recoveredRecords"] as? Int ?? 0
            times.append(secs * 1e9)
            rss.append(Double(r0))
            rssLater.append(Double(r1))
            hwm.append(Double(h))
            say(
                String(
                    format:
                        "whsed-bench: start-up %d: %.3f s to the first server.status answer; VmRSS %.1f MB (%.1f MB 0.5 s later), VmHWM %.1f MB; %d warehouse entries, %d records replayed",
                    round + 1, secs, Double(r0) / 1e6, Double(r1) / 1e6, Double(h) / 1e6, entries, recovered))
            d.stop(signal: SIGKILL)
        }
        let sorted = times.sorted()
        var report = Report(
            mode: "startup",
            headline:
                "\(o.repeatCount) start-up\(o.repeatCount == 1 ? "" : "s") of `\(d.commandLine)` on \(entries) warehouse entries (\(recovered) log records replayed), each ended with SIGKILL; time is exec → first server.status answer (polled every 1 ms)"
        )
        report.settings = [("whsed", .str(o.whsed!)), ("stateDir", .str(o.stateDir!)), ("repeat", .int(o.repeatCount))]
        report.extra = [
            ("startup", "time", sorted[sorted.count / 2], .ns),
            ("startup", "time_min", sorted.first!, .ns),
            ("startup", "time_max", sorted.last!, .ns),
            ("startup", "rss", rss.max()!, .bytes),
            ("startup", "rss_after_0.5s", rssLater.max()!, .bytes),
            ("startup", "hwm", hwm.max()!, .bytes),
            ("startup", "warehouse_entries", Double(entries), .count),
            ("startup", "records_replayed", Double(recovered), .count)
        ]
        notes.append("Each start-up: " + times.map { fmtLatency($0) }.joined(separator: ", ") + ".")
        let worst = otherCores.max() ?? 0
        var line = String(format: "Other processes used up to %.2f cores during a start-up", worst)
        if worst >= 0.01 {
            line +=
                " ("
                + otherTop.sorted { $0.value > $1.value }.prefix(3).map { String(format: "%@ %.2f", $0.key, $0.value) }
                .joined(separator: ", ") + ")"
        }
        if disturbedRounds > 0 {
            line +=
                "; \(disturbedRounds) of \(o.repeatCount) start-ups had other load: OTHER LOAD ON THE MACHINE, figures disturbed"
            report.otherLoad = true
        }
        notes.append(line + ".")
        report.notes = notes
        return report
    }
}
