import Foundation

// Latency accumulation (every latency kept, in nanoseconds) and summaries (exact percentiles by sorting).

/// One series' raw numbers from one worker; merged across workers at the end.
struct SeriesAcc {
    /// Latencies of the requests that started and finished inside the measurement window.
    var latencies: [UInt64] = []
    /// Requests completed inside the window (successes and errors).
    var ops = 0
    /// Journal lines of the successful requests inside the window.
    var lines = 0
    /// Error replies (and broken connections) over the whole run, warm-up included.
    var errors = 0
    /// Error replies whose reason the run accepts (set-up: already_exists).
    var accepted = 0
    var reasons: [String: Int] = [:]
    var samples: [String] = []

    mutating func merge(_ o: SeriesAcc) {
        latencies.append(contentsOf: o.latencies)
        ops += o.ops
        lines += o.lines
        errors += o.errors
        accepted += o.accepted
        for (k, v) in o.reasons { reasons[k, default: 0] += v }
        for s in o.samples where samples.count < 5 && !samples.contains(s) { samples.append(s) }
    }
}

/// The figures of one series.
struct Summary {
    var name: String
    var ops: Int
    var lines: Int
    var errors: Int
    var accepted: Int
    var seconds: Double
    var rate: Double
    var lineRate: Double
    var p50: UInt64, p90: UInt64, p99: UInt64, p999: UInt64, max: UInt64, min: UInt64
    var mean: Double
    var reasons: [String: Int]
    var samples: [String]

    init(name: String, acc: SeriesAcc, seconds: Double) {
        self.name = name
        ops = acc.ops
        lines = acc.lines
        errors = acc.errors
        accepted = acc.accepted
        self.seconds = seconds
        rate = seconds > 0 ? Double(acc.ops) / seconds : 0
        lineRate = seconds > 0 ? Double(acc.lines) / seconds : 0
        let sorted = acc.latencies.sorted()
        func pct(_ q: Double) -> UInt64 {
            if sorted.isEmpty { return 0 }
            // nearest rank: the smallest value with at least q of the samples at or below it
            let rank = Int((q * Double(sorted.count)).rounded(.up))
            return sorted[Swift.max(0, Swift.min(sorted.count - 1, rank - 1))]
        }
        p50 = pct(0.50)
        p90 = pct(0.90)
        p99 = pct(0.99)
        p999 = pct(0.999)
        max = sorted.last ?? 0
        min = sorted.first ?? 0
        mean = sorted.isEmpty ? 0 : Double(sorted.reduce(0, { $0 &+ $1 })) / Double(sorted.count)
        reasons = acc.reasons
        samples = acc.samples
    }

    /// Metrics by name, for targets. Latencies in ns, rates per second.
    func metric(_ m: String) -> (Double, Kind)? {
        switch m {
        case "rate", "ops_per_s": return (rate, .rate)
        case "lines_rate", "lines_per_s": return (lineRate, .rate)
        case "p50": return (Double(p50), .ns)
        case "p90": return (Double(p90), .ns)
        case "p99": return (Double(p99), .ns)
        case "p999", "p99.9": return (Double(p999), .ns)
        case "max": return (Double(max), .ns)
        case "mean": return (mean, .ns)
        case "errors": return (Double(errors), .count)
        case "ops": return (Double(ops), .count)
        default: return nil
        }
    }

    var json: JV {
        .obj([
            ("name", .str(name)), ("ops", .int(ops)), ("lines", .int(lines)), ("errors", .int(errors)),
            ("acceptedErrors", .int(accepted)), ("seconds", .num(seconds)),
            ("opsPerSecond", .num(rate)), ("linesPerSecond", .num(lineRate)),
            ("p50_ns", .int(Int(p50))), ("p90_ns", .int(Int(p90))), ("p99_ns", .int(Int(p99))),
            ("p999_ns", .int(Int(p999))), ("max_ns", .int(Int(max))), ("min_ns", .int(Int(min))),
            ("mean_ns", .num(mean)),
            ("errorReasons", .obj(reasons.sorted { $0.key < $1.key }.map { ($0.key, .int($0.value)) })),
            ("errorSamples", .arr(samples.map { .str($0) }))
        ])
    }
}

enum Kind { case ns, rate, count, bytes, seconds }

func fmtLatency(_ ns: Double) -> String {
    if ns <= 0 { return "-" }
    if ns < 1_000 { return String(format: "%.0f ns", ns) }
    if ns < 1_000_000 { return String(format: "%.1f µs", ns / 1e3) }
    if ns < 1_000_000_000 { return String(format: "%.2f ms", ns / 1e6) }
    return String(format: "%.3f s", ns / 1e9)
}

func fmtRate(_ r: Double) -> String {
    if r <= 0 { return "-" }
    if r >= 100 { return String(format: "%.0f", r) }
    return String(format: "%.1f", r)
}

func fmtBytes(_ b: Double) -> String {
    if b >= 1e9 { return String(format: "%.2f GB", b / 1e9) }
    return String(format: "%.1f MB", b / 1e6)
}

func fmt(_ v: Double, _ k: Kind) -> String {
    switch k {
    case .ns: return fmtLatency(v)
    case .rate: return fmtRate(v) + "/s"
    case .count: return String(Int(v))
    case .bytes: return fmtBytes(v)
    case .seconds: return String(format: "%.3f s", v)
    }
}
