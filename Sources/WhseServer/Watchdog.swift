import Foundation
import NIOConcurrencyHelpers
import NIOCore

#if canImport(Glibc)
    import Glibc
#endif

/// The systemd watchdog (protocol.md 2.5): WATCHDOG=1 goes out only while the writer and every event loop make
/// progress. A task on each event loop stamps a heartbeat every WatchdogSec/8; a thread of its own, which no stalled
/// loop or writer can hold up, checks every WatchdogSec/4 and pings only when every heartbeat and the writer's progress
/// are younger than WatchdogSec/2. Anything older is a stall: it is logged once, and the pings stop, so systemd's
/// timer runs out and it restarts whsed (which recovers from its log). whsed never sends WATCHDOG=trigger itself.
public final class Watchdog: @unchecked Sendable {
    /// One part that has made no progress for longer than the limit.
    public struct Stall: Equatable, Sendable {
        /// "event loop N" or "writer".
        public var part: String
        public var nanoseconds: UInt64
    }

    /// WatchdogSec in nanoseconds.
    public let intervalNanos: UInt64
    /// Half of WatchdogSec: the oldest heartbeat or writer progress that still counts as progressing.
    public var limitNanos: UInt64 { intervalNanos / 2 }
    var checkNanos: UInt64 { max(intervalNanos / 4, 1_000_000) }
    var heartbeatNanos: UInt64 { max(intervalNanos / 8, 1_000_000) }

    let loops: [any EventLoop]
    let writer: Writer
    let notify: @Sendable (String) -> Void
    /// The last heartbeat of each event loop (DispatchTime uptime nanoseconds).
    private let beats: NIOLockedValueBox<[UInt64]>
    private let condition = NSCondition()
    private var stopping = false
    private var finished = false
    private var tasks: [RepeatedTask] = []
    /// Parts seen stalled and already logged, with when their stall began (pinger thread only).
    private var reported: [String: UInt64] = [:]

    public init(
        group: any EventLoopGroup, writer: Writer, intervalMicroseconds: UInt64,
        notify: @escaping @Sendable (String) -> Void = { Systemd.notify($0) }
    ) {
        self.intervalNanos = intervalMicroseconds * 1000
        let loops = Array(group.makeIterator())
        self.loops = loops
        self.writer = writer
        self.notify = notify
        self.beats = NIOLockedValueBox(Array(repeating: DispatchTime.now().uptimeNanoseconds, count: loops.count))
    }

    /// Schedules the heartbeats and starts the pinger thread.
    public func start() {
        let beats = self.beats
        let every = TimeAmount.nanoseconds(Int64(heartbeatNanos))
        for (index, loop) in loops.enumerated() {
            tasks.append(
                loop.scheduleRepeatedTask(initialDelay: .zero, delay: every) { _ in
                    let now = DispatchTime.now().uptimeNanoseconds
                    beats.withLockedValue { $0[index] = now }
                })
        }
        let thread = Thread { [self] in self.run() }
        thread.name = "whsed-watchdog"
        thread.start()
        Log.info(
            "watchdog: WATCHDOG=1 every \(Watchdog.seconds(checkNanos)) s while the writer and all "
                + "\(loops.count) event loops progress; a stall longer than \(Watchdog.seconds(limitNanos)) s "
                + "stops it", ["watchdogUsec": String(intervalNanos / 1000)])
    }

    /// Stops pinging (at shutdown: systemd stops watching once the unit is stopping) and cancels the heartbeats.
    public func stop() {
        condition.lock()
        stopping = true
        condition.broadcast()
        while !finished { condition.wait() }
        condition.unlock()
        for t in tasks { t.cancel() }
        tasks.removeAll()
    }

    /// The parts that have made no progress for longer than half of WatchdogSec, at `now`.
    public func stalls(now: UInt64 = DispatchTime.now().uptimeNanoseconds) -> [Stall] {
        var found: [Stall] = []
        for (index, beat) in beats.withLockedValue({ $0 }).enumerated() where now > beat && now - beat > limitNanos {
            found.append(Stall(part: "event loop \(index)", nanoseconds: now - beat))
        }
        let writerAge = writer.stalledNanoseconds(now: now)
        if writerAge > limitNanos { found.append(Stall(part: "writer", nanoseconds: writerAge)) }
        return found
    }

    private func run() {
        condition.lock()
        while !stopping {
            condition.unlock()
            tick()
            condition.lock()
            if stopping { break }
            _ = condition.wait(until: Date(timeIntervalSinceNow: Double(checkNanos) / 1e9))
        }
        finished = true
        condition.broadcast()
        condition.unlock()
    }

    /// One check: ping when nothing stalls; otherwise log each new stall once and withhold the ping.
    func tick() {
        let now = DispatchTime.now().uptimeNanoseconds
        let found = stalls(now: now)
        for s in found where reported[s.part] == nil {
            reported[s.part] = now - s.nanoseconds
            Log.error(
                "watchdog: stall of the \(s.part): no progress for \(Watchdog.seconds(s.nanoseconds)) s, "
                    + "more than half of WatchdogSec (\(Watchdog.seconds(intervalNanos)) s): WATCHDOG=1 is withheld "
                    + "until it progresses again, so systemd restarts whsed if the stall lasts",
                ["stalled": s.part, "stalledMilliseconds": String(s.nanoseconds / 1_000_000)], id: .watchdogStall)
        }
        let stalled = Set(found.map(\.part))
        for (part, since) in reported where !stalled.contains(part) {
            reported[part] = nil
            Log.warning(
                "watchdog: the \(part) progresses again after a stall of \(Watchdog.seconds(now - since)) s; "
                    + "WATCHDOG=1 resumes once nothing stalls",
                ["stalled": part, "stalledMilliseconds": String((now - since) / 1_000_000)],
                id: .watchdogStall)
        }
        if found.isEmpty { notify("WATCHDOG=1") }
    }

    /// Nanoseconds as seconds with one decimal ("0.8").
    static func seconds(_ nanos: UInt64) -> String {
        let tenths = (nanos + 50_000_000) / 100_000_000
        return "\(tenths / 10).\(tenths % 10)"
    }
}
