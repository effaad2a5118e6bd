import Foundation

/// A target such as `post1.p99<=3ms`, judged against a report.
struct Target {
    var text: String
    var series: String
    var metric: String
    var op: String
    var value: Double
    var measured: Double?
    var kind: Kind = .count

    var met: Bool? {
        guard let m = measured else { return nil }
        switch op {
        case "<=": return m <= value
        case "<": return m < value
        case ">=": return m >= value
        case ">": return m > value
        default: return m == value
        }
    }

    static func parse(_ s: String) -> Target {
        let t = s.replacingOccurrences(of: " ", with: "").replacingOccurrences(of: "≤", with: "<=")
            .replacingOccurrences(of: "≥", with: ">=")
        var opRange: Range<String.Index>? = nil
        var op = ""
        for candidate in ["<=", ">=", "==", "<", ">"] {
            if let r = t.range(of: candidate) {
                opRange = r
                op = candidate
                break
            }
        }
        guard let r = opRange else {
            die("--target \(s): expected SERIES.METRIC OP VALUE, e.g. post1.p99<=3ms", code: 64)
        }
        let lhs = String(t[..<r.lowerBound])
        let rhs = String(t[r.upperBound...])
        guard let dot = lhs.lastIndex(of: ".") else {
            die("--target \(s): name a series and a metric, e.g. post1.p99", code: 64)
        }
        let series = String(lhs[..<dot])
        let metric = String(lhs[lhs.index(after: dot)...])
        // number then unit
        var numEnd = rhs.startIndex
        while numEnd < rhs.endIndex, "0123456789.eE+-_".contains(rhs[numEnd]) { numEnd = rhs.index(after: numEnd) }
        guard let n = Double(rhs[..<numEnd].replacingOccurrences(of: "_", with: "")) else {
            die("--target \(s): bad number", code: 64)
        }
        let unit = String(rhs[numEnd...]).replacingOccurrences(of: "/s", with: "")
        let scale: Double
        switch unit {
        case "", "B": scale = 1
        case "ns": scale = 1
        case "us", "µs": scale = 1e3
        case "ms": scale = 1e6
        case "s": scale = 1e9  // times are kept in ns
        case "k", "K": scale = 1e3
        case "M": scale = 1e6
        case "kB", "KB": scale = 1e3
        case "MB": scale = 1e6
        case "GB": scale = 1e9
        case "KiB": scale = 1024
        case "MiB": scale = 1024 * 1024
        case "GiB": scale = 1024 * 1024 * 1024
        default: die("--target \(s): unknown unit \(unit)", code: 64)
        }
        return Target(text: s, series: series, metric: metric, op: op, value: n * scale)
    }

    var shown: String {
        let pretty = op == "<=" ? "≤" : op == ">=" ? "≥" : op
        return "\(series).\(metric) \(pretty) \(fmt(value, kind))"
    }
}

/// Everything one invocation found; printed as a table, Markdown or JSON.
struct Report {
    /// Cores used by other processes above which a run is called disturbed.
    static let disturbance = 0.10
    /// Unattributed cores (busy machine minus whsed, whsed-bench and other live processes) above which a run is
    /// called disturbed. whsed's own fsyncs cost up to ~0.2 cores of kernel time (jbd2, block interrupts).
    static let unattributedDisturbance = 0.35

    static func isDisturbed(others: Double, unattributed: Double) -> Bool {
        others > disturbance || unattributed > unattributedDisturbance
    }
    var mode: String
    var headline: String
    var settings: [(String, JV)] = []
    var series: [Summary] = []
    /// Figures that are not request series (start-up, set-up totals): series -> metric -> value.
    var extra: [(series: String, metric: String, value: Double, kind: Kind)] = []
    var run: RunResult?
    var notes: [String] = []
    var targets: [Target] = []

    var totalErrors: Int { series.filter { $0.name != "read" }.reduce(0) { $0 + $1.errors } }

    mutating func judge(_ exprs: [String]) {
        targets = exprs.map { e in
            var t = Target.parse(e)
            if let s = series.first(where: { $0.name == t.series }), let (v, k) = s.metric(t.metric) {
                t.measured = v
                t.kind = k
            } else if let x = extra.first(where: { $0.series == t.series && $0.metric == t.metric }) {
                t.measured = x.value
                t.kind = x.kind
            } else {
                t.kind =
                    ["p50", "p90", "p99", "p999", "max", "mean", "time", "time_max"].contains(t.metric)
                    ? .ns
                    : t.metric.hasPrefix("rss") || t.metric == "hwm" ? .bytes : .rate
            }
            return t
        }
    }

    /// Set by modes that measure other load themselves (start-up).
    var otherLoad = false
    var disturbed: Bool {
        if otherLoad { return true }
        guard let r = run, let o = r.others else { return false }
        let cores = Double(ProcessInfo.processInfo.activeProcessorCount)
        let unattributed = max(0, (r.machineBusy ?? 0) * cores - (r.server?.cpu ?? 0) - r.benchCPU - o.cores)
        return Report.isDisturbed(others: o.cores, unattributed: unattributed)
    }

    var anyMissed: Bool { targets.contains { $0.met != true } }

    private var serverLine: String? {
        guard let s = run?.server else { return nil }
        let threads = s.threads.prefix(6).map { "\($0.0) \(String(format: "%.2f", $0.1))" }.joined(separator: ", ")
        var line =
            String(format: "whsed pid %d used %.2f cores", s.pid, s.cpu) + (threads.isEmpty ? "" : " (\(threads))")
        if s.syncs > 0 {
            line += String(
                format: "; %d log syncs, %.1f postings per sync", s.syncs, Double(s.records) / Double(s.syncs))
        }
        line += "; warehouse entries \(s.entriesBefore) → \(s.entriesAfter)"
        return line
    }

    private var loadLine: String? {
        guard let r = run else { return nil }
        var l = String(format: "whsed-bench used %.2f cores", r.benchCPU)
        if let b = r.machineBusy {
            let cores = ProcessInfo.processInfo.activeProcessorCount
            l += String(format: "; machine %.0f%% busy over %d cores", b * 100, cores)
            if let s = r.server, let o = r.others {
                let kernel = max(0, b * Double(cores) - s.cpu - r.benchCPU - o.cores)
                l += String(format: "; other processes %.2f cores", o.cores)
                if !o.top.isEmpty && o.cores >= 0.01 {
                    l += " (" + o.top.map { String(format: "%@ %.2f", $0.0, $0.1) }.joined(separator: ", ") + ")"
                }
                l += String(
                    format: ", unattributed %.2f cores (kernel threads, interrupts, short-lived processes)", kernel)
                if Report.isDisturbed(others: o.cores, unattributed: kernel) {
                    l += ": OTHER LOAD ON THE MACHINE, figures disturbed"
                }
            }
        }
        return l
    }

    private var stallLine: String? {
        guard let r = run, !r.stalls.isEmpty else { return nil }
        let shown = r.stalls.sorted { $0.longest > $1.longest }.prefix(6).sorted { $0.at < $1.at }
        return "Stalls (requests of 50 ms or more, grouped): "
            + shown.map {
                String(
                    format: "%.2f s in: %@ (%d request%@)", $0.at, fmtLatency(Double($0.longest)), $0.count,
                    $0.count == 1 ? "" : "s")
            }.joined(separator: "; ") + (r.stalls.count > 6 ? "; \(r.stalls.count - 6) more groups" : "")
    }

    private var errorLines: [String] {
        var out: [String] = []
        for s in series where s.errors > 0 && s.name != "read" {
            let reasons = s.reasons.sorted { $0.value > $1.value }.map { "\($0.key) ×\($0.value)" }.joined(
                separator: ", ")
            out.append("ERRORS in \(s.name): \(s.errors) (\(reasons))")
            for x in s.samples { out.append("  e.g. \(x)") }
        }
        for b in run?.broken ?? [] { out.append("connection broken: \(b)") }
        return out
    }

    func table() -> String {
        var out = "whsed-bench \(mode): \(headline)\n"
        if !series.isEmpty {
            let head = ["series", "requests", "req/s", "lines/s", "p50", "p90", "p99", "p99.9", "max", "errors"]
            var rows = [head]
            for s in series {
                rows.append([
                    s.name, String(s.ops), fmtRate(s.rate), s.lines > 0 ? fmtRate(s.lineRate) : "-",
                    fmtLatency(Double(s.p50)), fmtLatency(Double(s.p90)), fmtLatency(Double(s.p99)),
                    fmtLatency(Double(s.p999)), fmtLatency(Double(s.max)), String(s.errors)
                ])
            }
            let widths = head.indices.map { c in rows.map { $0[c].count }.max() ?? 0 }
            for r in rows {
                out +=
                    r.enumerated().map { c, v in
                        c == 0
                            ? v.padding(toLength: widths[c], withPad: " ", startingAt: 0)
                            : String(repeating: " ", count: widths[c] - v.count) + v
                    }.joined(separator: "  ") + "\n"
            }
        }
        for x in extra { out += "\(x.series).\(x.metric): \(fmt(x.value, x.kind))\n" }
        if let l = serverLine { out += l + "\n" }
        if let l = loadLine { out += l + "\n" }
        if let l = stallLine { out += l + "\n" }
        for n in notes { out += n + "\n" }
        if !targets.isEmpty {
            out += "targets:\n"
            for t in targets {
                out +=
                    "  \(t.shown.padding(toLength: 34, withPad: " ", startingAt: 0)) measured \(t.measured.map { fmt($0, t.kind) } ?? "n/a")  \(t.met == true ? "met" : "NOT MET")\n"
            }
        }
        let errs = errorLines
        out += errs.isEmpty ? "errors: none\n" : errs.joined(separator: "\n") + "\n"
        return out
    }

    func markdown() -> String {
        var out = ""
        if !series.isEmpty {
            out += "| series | requests | requests/s | lines/s | p50 | p90 | p99 | p99.9 | max | errors |\n"
            out += "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n"
            for s in series {
                out +=
                    "| \(s.name) | \(s.ops) | \(fmtRate(s.rate)) | \(s.lines > 0 ? fmtRate(s.lineRate) : "-") | "
                    + "\(fmtLatency(Double(s.p50))) | \(fmtLatency(Double(s.p90))) | \(fmtLatency(Double(s.p99))) | "
                    + "\(fmtLatency(Double(s.p999))) | \(fmtLatency(Double(s.max))) | \(s.errors == 0 ? "0" : "**\(s.errors)**") |\n"
            }
            out += "\n"
        }
        if !extra.isEmpty {
            out += "| figure | value |\n| --- | ---: |\n"
            for x in extra { out += "| \(x.series).\(x.metric) | \(fmt(x.value, x.kind)) |\n" }
            out += "\n"
        }
        out += "Run: \(headline).\n"
        if let l = serverLine { out += "Server: \(l).\n" }
        if let l = loadLine { out += "Load: \(l).\n" }
        if let l = stallLine { out += "\(l).\n" }
        for n in notes { out += n + "\n" }
        out += "\n"
        if !targets.isEmpty {
            out += "| target | measured | verdict |\n| --- | ---: | --- |\n"
            for t in targets {
                out +=
                    "| \(t.shown) | \(t.measured.map { fmt($0, t.kind) } ?? "n/a") | \(t.met == true ? "met" : "**not met**") |\n"
            }
            out += "\n"
        }
        let errs = errorLines
        out += errs.isEmpty ? "Errors: none.\n" : errs.map { "**\($0)**" }.joined(separator: "  \n") + "\n"
        return out
    }

    func json() -> String {
        var members: [(String, JV)] = [("mode", .str(mode)), ("headline", .str(headline)), ("settings", .obj(settings))]
        members.append(("series", .arr(series.map(\.json))))
        members.append(("figures", .obj(extra.map { ("\($0.series).\($0.metric)", .num($0.value)) })))
        if let r = run {
            var load: [(String, JV)] = [("benchCores", .num(r.benchCPU)), ("seconds", .num(r.seconds))]
            if let b = r.machineBusy { load.append(("machineBusyFraction", .num(b))) }
            if let o = r.others {
                load.append(("otherProcessCores", .num(o.cores)))
                load.append(("otherProcesses", .obj(o.top.map { ($0.0, .num($0.1)) })))
            }
            load.append(("disturbed", .bool(disturbed)))
            load.append(
                (
                    "stalls",
                    .arr(
                        r.stalls.map {
                            .obj([
                                ("atSeconds", .num($0.at)), ("longest_ns", .int(Int($0.longest))),
                                ("requests", .int($0.count))
                            ])
                        })
                ))
            if let s = r.server {
                load.append(
                    (
                        "server",
                        .obj([
                            ("pid", .int(Int(s.pid))), ("cores", .num(s.cpu)),
                            ("threads", .obj(s.threads.map { ($0.0, .num($0.1)) })),
                            ("logSyncs", .int(s.syncs)), ("recordsWritten", .int(s.records)),
                            ("warehouseEntriesBefore", .int(s.entriesBefore)),
                            ("warehouseEntriesAfter", .int(s.entriesAfter))
                        ])
                    ))
            }
            members.append(("load", .obj(load)))
        }
        members.append(("notes", .arr(notes.map { .str($0) })))
        members.append(
            (
                "targets",
                .arr(
                    targets.map { t in
                        .obj([
                            ("target", .str(t.text)), ("measured", t.measured.map { .num($0) } ?? .null),
                            ("met", t.met.map { .bool($0) } ?? .null)
                        ])
                    })
            ))
        members.append(("disturbed", .bool(disturbed)))
        members.append(("errors", .int(totalErrors)))
        members.append(("errorsSeen", .bool(totalErrors > 0)))
        members.append(("command", .str(CommandLine.arguments.joined(separator: " "))))
        return JV.obj(members).render()
    }
}
