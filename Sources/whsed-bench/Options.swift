import Foundation

let helpText = """
    whsed-bench: load generator for whsed (JSON-RPC 2.0, one object per line, Unix stream socket).

    Every connection is a thread with a blocking socket that sends one request and waits for its reply
    (no pipelining). Every latency is recorded in nanoseconds; percentiles are exact (nearest rank over the
    sorted latencies of the requests that started and finished inside the measurement window). Replies are
    checked: an "error" reply, a malformed reply, a wrong id or a broken connection counts as an error (over the
    whole run, warm-up included), and a run with errors says so (and exits 2).

    USAGE
      whsed-bench MODE [options]

    MODES
      setup     create master data: directed location --location (default BENCH) with zone --zone (PICK),
                --bins bins and --items items (existing ones are kept: already_exists is accepted), then
                with --preload-entries M post 100-line whseItemJournal.register requests (+1 each line) until
                the server holds at least M warehouse entries (each journal line writes 2 entries).
      post1     1-line postings (whseItemJournal.register, quantity +1; --alternate: +1 then -1 of the
                same bin and item) from --clients C (default 32) for --duration D seconds.
      post100   --lines L (default 100) line journals from --clients C (default 8); reports lines/s.
      single    one client alone posting 1-line journals (latency of one durable posting).
      read      --readers R (default 4) connections read (bin.contents / item.bins, see --read-method)
                while --writers W (default 8) connections post 1-line journals; series reported apart.
      mixed     every connection picks each request from --mix (default post1=45,post100=5,bin=25,item=25).
      startup   start whsed (needs --whsed and --state-dir), time exec -> first server.status answer, read
                VmRSS/VmHWM from /proc/PID/status, SIGKILL it; --repeat N times (default 3).
      status    print the server's status (entry counts) and exit.
      scaling   per size of --sizes (needs --whsed): a fresh state folder DIR/N (--state-dir DIR, default
                /var/tmp/whsed-scaling-PID), setup --preload-entries N, whsed restarted: start-up time, VmRSS and
                VmHWM; --pages filtered entries.warehouse pages of each kind (p50/p99); server.checkpoint while
                a poster posts every 2 ms (its time, the poster's longest gap); post100 for --duration with the
                entry index's lag polled (max, at the end, time to catch up). The folder is deleted after each
                size unless --keep-running.

    THE SERVER
      --socket PATH         the whsed socket (default $WHSED_SOCKET). With --whsed: where it will listen
                            (default /tmp/whsed-bench-PID.sock).
      --whsed PATH          start this whsed binary as a child: PATH --socket S --state-dir DIR; it gets
                            SIGTERM at the end unless --keep-running.
      --state-dir DIR       its state folder (with --whsed).
      --whsed-log FILE      its stdout/stderr (default DIR.log).
      --whsed-arg ARG       one more argument for whsed (repeatable).
      --keep-running        leave the whsed started with --whsed running (its pid is printed).
      --timeout S           longest wait for whsed to answer after start (default 600).

    DATA LAYOUT (the same for setup and the load)
      --location CODE       default BENCH      --zone CODE    default PICK
      --bins B              default 2000 (codes B00001..)     --items I   default 2000 (codes I00001..)
      --bins-per-item K     default 4: item i lives in bins (i*K+j) mod B, j < K, so each bin holds about
                            I*K/B items and reads return a handful of rows. 0: any bin at random.

    LOAD
      --clients C           connections (mode defaults: post1 32, post100 8, mixed 32, setup 16).
      --duration D          measured seconds (default 10).
      --warmup W            seconds before the measurement (default 2); latencies then are not kept.
      --lines L             lines per journal for post100 / mixed post100 / preload (default 100).
      --alternate           post1: +1 then -1 of the same bin and item (never refused either).
      --idempotency-keys    give every posting an idempotencyKey.
      --writers W           read mode: posting connections (default 8; 0 = reads alone).
      --readers R           read mode: reading connections (default 4).
      --read-method M       bin | item | both (default both: alternate bin.contents and item.bins), or a
                            filtered entries.warehouse page of 100: entries-none (an item no entry has),
                            entries-item (a random item), entries-bin (a random bin), entries-doc (a random
                            document no. of --document-nos).
      --writer-rate N       read mode: cap the writers at N postings/s in total (paced; default: flat out).
      --mix SPEC            mixed mode weights, e.g. post1=45,post100=5,bin=25,item=25.
      --seed N              random seed (default 1).

    SET-UP
      --document-nos N      journals (set-up and load) carry document no. D<k>, k < N (default 0: none).
      --preload-entries M   warehouse entries to reach with 100-line journals (0: none; default 0).

    START-UP
      --repeat N            start-ups to time (default 3); the figure is the median, the worst is also given.

    SCALING
      --sizes N,N,…         warehouse entries per run, e.g. 1000000,10000000 (k and M suffixes: 1M,10M).
      --pages N             entries pages timed per kind (default 300).

    OUTPUT
      --json                one JSON object on stdout instead of the table.
      --md                  a Markdown fragment (results and targets tables) instead of the table.
      --target EXPR         a target to judge, repeatable: SERIES.METRIC OP VALUE[UNIT], e.g.
                            post1.rate>=40000  post1.p99<=3ms  read.p50<=60us  startup.time<=2s
                            startup.rss<=400MB. Metrics: rate, lines_rate, p50, p90, p99, p999, max,
                            mean, errors; startup: time, time_max, rss, rss_max, hwm.
                            Units: ns us ms s, B kB MB GB (decimal), KiB MiB GiB.
      --fail-on-miss        exit 3 when a target is not met.
      --wait-quiet S        before measuring, wait up to S seconds for a second in which other processes
                            (all but whsed-bench and whsed; kernel threads not counted) use < 0.10 cores.
                            Every report gives the cores other processes used during the window and calls
                            the run disturbed above 0.10 (the JSON has "disturbed": true).
      -h, --help            this text.

    EXIT STATUS
      0 done; 1 could not run (connect, spawn...); 2 the run saw errors; 3 a target was missed (--fail-on-miss);
      64 usage error.

    EXAMPLES
      whsed-bench setup --whsed ./whsed --state-dir /var/tmp/st --keep-running --socket /tmp/w.sock \\
                  --preload-entries 1000000
      whsed-bench post1 --socket /tmp/w.sock --clients 32 --duration 10 --target 'post1.rate>=40000'
      whsed-bench read --socket /tmp/w.sock --writers 8 --readers 4 --target 'read.p99<=200us'
      whsed-bench startup --whsed ./whsed --state-dir /var/tmp/st --repeat 3 --target 'startup.time<=2s'
    """

enum OpKind: Int, CaseIterable {
    case post1 = 0, postN, readBin, readItem, create, preload, readEntries

    var series: String {
        switch self {
        case .post1: return "post1"
        case .postN: return "post100"
        case .readBin: return "read.bin"
        case .readItem: return "read.item"
        case .create: return "create"
        case .preload: return "preload"
        case .readEntries: return "read.entries"
        }
    }
}

struct Options {
    static let readMethods = ["bin", "item", "both", "entries-none", "entries-item", "entries-bin", "entries-doc"]
    var mode = ""
    var socket: String?
    var whsed: String?
    var stateDir: String?
    var whsedLog: String?
    var whsedArgs: [String] = []
    var keepRunning = false
    var timeout = 600.0
    var location = "BENCH"
    var zone = "PICK"
    var bins = 2000
    var items = 2000
    var binsPerItem = 4
    var clients: Int?
    var duration = 10.0
    var warmup = 2.0
    var lines = 100
    var alternate = false
    var idempotencyKeys = false
    var writers = 8
    var readers = 4
    var readMethod = "both"
    var writerRate: Double?
    var mix: [(OpKind, Int)] = [(.post1, 45), (.postN, 5), (.readBin, 25), (.readItem, 25)]
    var preloadEntries = 0
    /// Journals carry document no. D<id mod N> (0: none).
    var documentNos = 0
    var repeatCount = 3
    var sizes: [Int] = [1_000_000]
    var pages = 300
    var json = false
    var md = false
    var targets: [String] = []
    var failOnMiss = false
    var waitQuiet = 0.0
    var seed: UInt64 = 1
    var argv: [String] = []

    static let modes = ["setup", "post1", "post100", "single", "read", "mixed", "startup", "status", "scaling"]

    static func parse(_ args: [String]) -> Options {
        var o = Options()
        o.argv = args
        var i = 1
        func usage(_ m: String) -> Never { die("\(m) (see --help)", code: 64) }
        func value() -> String {
            i += 1
            guard i < args.count else { usage("\(args[i - 1]) needs a value") }
            return args[i]
        }
        func int(_ min: Int = 0) -> Int {
            let v = value()
            guard let n = Int(v.replacingOccurrences(of: "_", with: "")), n >= min else {
                usage("\(args[i - 1]) needs an integer ≥ \(min), not \(v)")
            }
            return n
        }
        func double() -> Double {
            let v = value()
            guard let d = Double(v), d >= 0 else { usage("\(args[i - 1]) needs a number ≥ 0, not \(v)") }
            return d
        }
        while i < args.count {
            let a = args[i]
            switch a {
            case "-h", "--help", "help":
                print(helpText)
                exit(0)
            case "--socket": o.socket = value()
            case "--whsed": o.whsed = value()
            case "--state-dir": o.stateDir = value()
            case "--whsed-log": o.whsedLog = value()
            case "--whsed-arg": o.whsedArgs.append(value())
            case "--keep-running": o.keepRunning = true
            case "--timeout": o.timeout = double()
            case "--location": o.location = value()
            case "--zone": o.zone = value()
            case "--bins": o.bins = int(1)
            case "--items": o.items = int(1)
            case "--bins-per-item": o.binsPerItem = int(0)
            case "--clients": o.clients = int(1)
            case "--duration": o.duration = double()
            case "--warmup": o.warmup = double()
            case "--lines": o.lines = int(1)
            case "--alternate": o.alternate = true
            case "--idempotency-keys": o.idempotencyKeys = true
            case "--writers": o.writers = int(0)
            case "--readers": o.readers = int(0)
            case "--read-method":
                o.readMethod = value()
                guard Options.readMethods.contains(o.readMethod) else {
                    usage("--read-method is " + Options.readMethods.joined(separator: ", "))
                }
            case "--writer-rate": o.writerRate = double()
            case "--mix": o.mix = parseMix(value(), usage)
            case "--preload-entries": o.preloadEntries = int(0)
            case "--document-nos": o.documentNos = int(0)
            case "--repeat": o.repeatCount = int(1)
            case "--pages": o.pages = int(1)
            case "--sizes":
                let v = value()
                o.sizes = v.split(separator: ",").map { part in
                    var t = part.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: "_", with: "")
                    var scale = 1
                    if t.hasSuffix("M") || t.hasSuffix("k") {
                        scale = t.hasSuffix("M") ? 1_000_000 : 1000
                        t.removeLast()
                    }
                    guard let n = Int(t), n > 0 else { usage("--sizes takes sizes like 1000000,10M, not \(v)") }
                    return n * scale
                }
            case "--json": o.json = true
            case "--md": o.md = true
            case "--target": o.targets.append(value())
            case "--fail-on-miss": o.failOnMiss = true
            case "--wait-quiet": o.waitQuiet = double()
            case "--seed": o.seed = UInt64(int(0))
            default:
                if a.hasPrefix("-") { usage("unknown option \(a)") }
                guard o.mode.isEmpty else { usage("unexpected argument \(a)") }
                guard modes.contains(a) else { usage("unknown mode \(a); modes: \(modes.joined(separator: ", "))") }
                o.mode = a
            }
            i += 1
        }
        if o.mode.isEmpty {
            print(helpText)
            exit(64)
        }
        if o.whsed != nil && o.stateDir == nil && o.mode != "scaling" { usage("--whsed needs --state-dir") }
        if o.mode == "scaling" && o.whsed == nil { usage("scaling needs --whsed") }
        if o.mode == "startup" && (o.whsed == nil || o.stateDir == nil) {
            usage("startup needs --whsed and --state-dir")
        }
        if o.socket == nil && o.whsed == nil {
            o.socket = ProcessInfo.processInfo.environment["WHSED_SOCKET"]
            if o.socket == nil { usage("give --socket PATH (or $WHSED_SOCKET), or --whsed PATH --state-dir DIR") }
        }
        if o.socket == nil { o.socket = "/tmp/whsed-bench-\(getpid()).sock" }
        return o
    }

    static func parseMix(_ spec: String, _ usage: (String) -> Never) -> [(OpKind, Int)] {
        var r: [(OpKind, Int)] = []
        for part in spec.split(separator: ",") {
            let kv = part.split(separator: "=")
            guard kv.count == 2, let w = Int(kv[1]), w >= 0 else { usage("--mix: bad element \(part)") }
            switch kv[0] {
            case "post1": r.append((.post1, w))
            case "post100", "postN", "journal": r.append((.postN, w))
            case "bin", "bin.contents": r.append((.readBin, w))
            case "item", "item.bins": r.append((.readItem, w))
            default: usage("--mix: unknown kind \(kv[0]) (post1, post100, bin, item)")
            }
        }
        guard r.contains(where: { $0.1 > 0 }) else { usage("--mix: all weights are 0") }
        return r
    }
}
