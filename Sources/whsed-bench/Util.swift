import Foundation

#if canImport(Glibc)
    import Glibc
#endif

// Small helpers: clocks, a fast RNG, byte-buffer building, /proc readers, a JSON writer, pthreads.

/// Monotonic clock in nanoseconds.
@inline(__always) func nowNs() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec)
}

func sleepUntil(_ t: UInt64) {
    while true {
        let n = nowNs()
        if n >= t { return }
        let d = t - n
        var ts = timespec(tv_sec: Int(d / 1_000_000_000), tv_nsec: Int(d % 1_000_000_000))
        _ = nanosleep(&ts, nil)
    }
}

func sleepSeconds(_ s: Double) { if s > 0 { sleepUntil(nowNs() + UInt64(s * 1e9)) } }

/// SplitMix64: fast, good enough for picking bins and items.
struct RNG {
    var state: UInt64
    init(seed: UInt64) { state = seed &+ 0x9E37_79B9_7F4A_7C15 }
    @inline(__always) mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    @inline(__always) mutating func below(_ n: Int) -> Int { n <= 1 ? 0 : Int(next() % UInt64(n)) }
}

struct BenchError: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}

func errnoText(_ e: Int32 = errno) -> String { String(cString: strerror(e)) }

/// Prints to stderr and exits 64 (usage) or another code.
func die(_ message: String, code: Int32 = 1) -> Never {
    let line = "whsed-bench: \(message)\n"
    _ = Array(line.utf8).withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
    exit(code)
}

func say(_ message: String) {
    let line = message + "\n"
    _ = Array(line.utf8).withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
}

extension Array where Element == UInt8 {
    @inline(__always) mutating func put(_ s: StaticString) {
        s.withUTF8Buffer { append(contentsOf: $0) }
    }
    @inline(__always) mutating func put(_ b: [UInt8]) { append(contentsOf: b) }
    @inline(__always) mutating func putInt(_ value: Int) {
        if value < 0 {
            append(UInt8(ascii: "-"))
            putInt(-value)
            return
        }
        if value < 10 {
            append(UInt8(48 + value))
            return
        }
        // digits land least significant first, then are reversed in place
        let first = count
        var n = value
        while n > 0 {
            append(UInt8(48 + n % 10))
            n /= 10
        }
        var i = first
        var j = count - 1
        while i < j {
            swapAt(i, j)
            i += 1
            j -= 1
        }
    }
    /// A JSON string literal (the bench only emits plain ASCII codes, but escape anyway).
    mutating func putJSONString(_ s: String) {
        append(UInt8(ascii: "\""))
        for b in s.utf8 {
            switch b {
            case UInt8(ascii: "\""): put("\\\"")
            case UInt8(ascii: "\\"): put("\\\\")
            case 0..<0x20:
                put("\\u00")
                append(hex(b >> 4))
                append(hex(b & 15))
            default: append(b)
            }
        }
        append(UInt8(ascii: "\""))
    }
}

@inline(__always) private func hex(_ v: UInt8) -> UInt8 { v < 10 ? 48 + v : 87 + v }

// MARK: - threads

final class ThreadBody: @unchecked Sendable {
    let body: () -> Void
    init(_ body: @escaping () -> Void) { self.body = body }
}

/// Starts a POSIX thread running `body`; join it with `joinThread`.
func startThread(_ body: @escaping () -> Void) -> pthread_t {
    let box = Unmanaged.passRetained(ThreadBody(body)).toOpaque()
    var tid = pthread_t()
    let rc = pthread_create(
        &tid, nil,
        { p in
            let b = Unmanaged<ThreadBody>.fromOpaque(p!).takeRetainedValue()
            b.body()
            return nil
        }, box)
    if rc != 0 { die("pthread_create failed: \(errnoText(rc))") }
    return tid
}

func joinThread(_ t: pthread_t) { _ = pthread_join(t, nil) }

// MARK: - /proc

/// Whole file, read with plain read(2) (works for /proc files whose size is reported as 0).
func readWholeFile(_ path: String) -> String? {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    if fd < 0 { return nil }
    defer { close(fd) }
    var out: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 65536)
    while true {
        let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if n < 0 {
            if errno == EINTR { continue }
            return nil
        }
        if n == 0 { break }
        out.append(contentsOf: chunk[0..<n])
    }
    return String(decoding: out, as: UTF8.self)
}

/// A `Vm...:` field of /proc/PID/status in bytes.
func procStatusBytes(pid: Int32, field: String) -> Int? {
    guard let text = readWholeFile("/proc/\(pid)/status") else { return nil }
    for line in text.split(separator: "\n") where line.hasPrefix(field + ":") {
        let parts = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
        if parts.count >= 2, let kb = Int(parts[1]) { return kb * 1024 }
    }
    return nil
}

let clockTicks: Int = Int(sysconf(Int32(_SC_CLK_TCK)))

/// utime+stime (in clock ticks) of a /proc stat line.
func statTicks(_ text: String) -> Int? {
    guard let close = text.lastIndex(of: ")") else { return nil }
    let rest = text[text.index(after: close)...].split(separator: " ")
    // rest[0] is field 3 (state); utime is field 14, stime field 15.
    guard rest.count > 12, let u = Int(rest[11]), let s = Int(rest[12]) else { return nil }
    return u + s
}

/// CPU ticks of a process and of each of its threads (by thread name; same names are summed).
struct ProcCPU {
    var total: Int = 0
    var threads: [String: Int] = [:]

    static func sample(pid: Int32) -> ProcCPU? {
        guard let t = readWholeFile("/proc/\(pid)/stat"), let total = statTicks(t) else { return nil }
        var r = ProcCPU(total: total)
        if let tids = try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task") {
            for tid in tids {
                guard let s = readWholeFile("/proc/\(pid)/task/\(tid)/stat"), let ticks = statTicks(s) else { continue }
                var name = readWholeFile("/proc/\(pid)/task/\(tid)/comm") ?? tid
                name = name.trimmingCharacters(in: .whitespacesAndNewlines)
                // NIO names its threads "NIO-ELT-0-#0"; Foundation pool threads get numbered names.
                r.threads[name, default: 0] += ticks
            }
        }
        return r
    }
}

/// Whole-machine CPU counters from /proc/stat: (busy, total) jiffies.
func machineCPU() -> (busy: Int, total: Int)? {
    guard let text = readWholeFile("/proc/stat"), let first = text.split(separator: "\n").first else { return nil }
    let f = first.split(separator: " ").dropFirst().compactMap { Int($0) }
    guard f.count >= 5 else { return nil }
    let total = f.prefix(8).reduce(0, +)
    let idle = f[3] + f[4]
    return (total - idle, total)
}

/// This process's CPU time (user + system) in seconds.
func selfCPUSeconds() -> Double {
    var ru = rusage()
    getrusage(RUSAGE_SELF.rawValue, &ru)
    return Double(ru.ru_utime.tv_sec) + Double(ru.ru_utime.tv_usec) / 1e6
        + Double(ru.ru_stime.tv_sec) + Double(ru.ru_stime.tv_usec) / 1e6
}

// MARK: - JSON output

/// A JSON value with ordered keys, for the --json report.
indirect enum JV {
    case object(keys: [String], values: [JV])
    case arr([JV])
    case str(String)
    case int(Int)
    case num(Double)
    case bool(Bool)
    case null

    static func obj(_ members: [(String, JV)]) -> JV { .object(keys: members.map(\.0), values: members.map(\.1)) }

    func render() -> String {
        var b: [UInt8] = []
        write(into: &b)
        return String(decoding: b, as: UTF8.self)
    }

    func write(into b: inout [UInt8]) {
        switch self {
        case .object(let keys, let values):
            b.put("{")
            for (i, (k, v)) in zip(keys, values).enumerated() {
                if i > 0 { b.put(",") }
                b.putJSONString(k)
                b.put(":")
                v.write(into: &b)
            }
            b.put("}")
        case .arr(let xs):
            b.put("[")
            for (i, v) in xs.enumerated() {
                if i > 0 { b.put(",") }
                v.write(into: &b)
            }
            b.put("]")
        case .str(let s): b.putJSONString(s)
        case .int(let i): b.putInt(i)
        case .num(let d):
            if d.isFinite { b.append(contentsOf: String(format: "%.3f", d).utf8) } else { b.put("null") }
        case .bool(let x): b.put(x ? "true" : "false")
        case .null: b.put("null")
        }
    }
}

/// CPU ticks of every user-space process (kernel threads, which have no command line, are left out) but the
/// excluded ones, by pid, with their names: to tell when something else on the machine disturbs a run.
func otherProcessTicks(excluding: Set<Int32>) -> [Int32: (name: String, ticks: Int)] {
    var out: [Int32: (name: String, ticks: Int)] = [:]
    guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return out }
    for e in entries {
        guard let pid = Int32(e), !excluding.contains(pid) else { continue }
        guard let cmd = readWholeFile("/proc/\(pid)/cmdline"), !cmd.isEmpty else { continue }
        guard let stat = readWholeFile("/proc/\(pid)/stat"), let ticks = statTicks(stat) else { continue }
        var name = "?"
        if let open = stat.firstIndex(of: "("), let close = stat.lastIndex(of: ")"), open < close {
            name = String(stat[stat.index(after: open)..<close])
        }
        out[pid] = (name, ticks)
    }
    return out
}

/// Cores used by other processes between two samples, and the busiest of them.
func otherProcessUse(
    _ a: [Int32: (name: String, ticks: Int)], _ b: [Int32: (name: String, ticks: Int)],
    seconds: Double
) -> (cores: Double, top: [(String, Double)]) {
    var byName: [String: Int] = [:]
    var total = 0
    for (pid, x) in b {
        let d = x.ticks - (a[pid]?.ticks ?? 0)  // a process born inside the window counts whole
        if d > 0 {
            total += d
            byName[x.name, default: 0] += d
        }
    }
    let t = Double(clockTicks) * seconds
    let top = byName.sorted { $0.value > $1.value }.prefix(3).map { ($0.key, Double($0.value) / t) }
    return (Double(total) / t, top)
}

/// Waits (up to `timeout` seconds) for a second in which other processes use less than `threshold` cores and the
/// machine as a whole, less the excluded processes, less than `machineThreshold` cores.
/// Returns the seconds waited, or nil when the machine never went quiet.
func waitForQuiet(
    excluding: Set<Int32>, threshold: Double = 0.10, machineThreshold: Double = 0.35,
    timeout: Double
) -> Double? {
    let start = nowNs()
    func excludedTicks() -> Int { excluding.reduce(0) { $0 + (ProcCPU.sample(pid: $1)?.total ?? 0) } }
    while true {
        let a = otherProcessTicks(excluding: excluding)
        let m0 = machineCPU()
        let e0 = excludedTicks()
        sleepSeconds(1)
        let b = otherProcessTicks(excluding: excluding)
        let m1 = machineCPU()
        let e1 = excludedTicks()
        var rest = 0.0
        if let m0, let m1, m1.total > m0.total {
            let busy =
                Double(m1.busy - m0.busy) / Double(m1.total - m0.total)
                * Double(ProcessInfo.processInfo.activeProcessorCount)
            rest = busy - Double(e1 - e0) / Double(clockTicks)
        }
        if otherProcessUse(a, b, seconds: 1).cores < threshold && rest < machineThreshold {
            return Double(nowNs() - start) / 1e9
        }
        if Double(nowNs() - start) / 1e9 > timeout { return nil }
    }
}
