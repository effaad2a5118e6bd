import Foundation

#if canImport(Glibc)
    import Glibc
#endif

// whsed-bench: see Options.swift (helpText) for the modes and flags, BENCHMARKS.md for figures.

enum Bench {
    static func main() -> Int32 {
        signal(SIGPIPE, SIG_IGN)
        var o = Options.parse(CommandLine.arguments)

        // A whsed of our own, except for `startup`, which starts (and kills) its own.
        var daemon: Daemon? = nil
        if let bin = o.whsed, o.mode != "startup" && o.mode != "scaling" {
            let d = Daemon(
                binary: bin, stateDir: o.stateDir!, socketPath: o.socket!,
                logPath: o.whsedLog ?? (o.stateDir! + ".log"), extraArgs: o.whsedArgs)
            do {
                let t0 = try d.spawn()
                let (_, t1) = try d.waitReady(timeout: o.timeout)
                say(
                    String(
                        format: "whsed-bench: started whsed pid %d on %@ (ready after %.3f s)", d.pid, o.socket!,
                        Double(t1 - t0) / 1e9))
            } catch {
                die("\(error)")
            }
            daemon = d
        }
        defer {
            if let d = daemon {
                if o.keepRunning {
                    say("whsed-bench: whsed keeps running: pid \(d.pid), socket \(o.socket!)")
                } else {
                    d.stop(signal: SIGTERM)
                }
            }
        }
        if o.socket == nil { o.socket = "" }

        if o.waitQuiet > 0 && o.mode != "status" && o.mode != "setup" && o.mode != "scaling" {
            var exclude: Set<Int32> = [getpid()]
            if let d = daemon { exclude.insert(d.pid) }
            if o.mode != "startup", let s = try? Modes.serverStatus(o.socket!), let pid = s["pid"] as? Int {
                exclude.insert(Int32(pid))
            }
            if let waited = waitForQuiet(excluding: exclude, timeout: o.waitQuiet) {
                if waited > 1.5 {
                    say(String(format: "whsed-bench: waited %.0f s for the machine to go quiet", waited))
                }
            } else {
                say("whsed-bench: the machine did not go quiet within \(o.waitQuiet) s; measuring anyway")
            }
        }
        var report: Report
        do {
            switch o.mode {
            case "status":
                let s = try Modes.serverStatus(o.socket!)
                let data = try JSONSerialization.data(withJSONObject: s, options: [.sortedKeys])
                print(String(decoding: data, as: UTF8.self))
                return 0
            case "setup": report = try Modes.setup(o)
            case "startup": report = try Modes.startup(o)
            case "scaling": report = try Modes.scaling(o)
            default: report = try Modes.load(o)
            }
        } catch {
            say("whsed-bench: \(error)")
            return 1
        }
        report.judge(o.targets)
        if o.json {
            print(report.json())
        } else if o.md {
            print(report.markdown(), terminator: "")
        } else {
            print(report.table(), terminator: "")
        }
        if report.totalErrors > 0 || !(report.run?.broken.isEmpty ?? true) { return 2 }
        if o.failOnMiss && report.anyMissed { return 3 }
        return 0
    }
}

exit(Bench.main())
