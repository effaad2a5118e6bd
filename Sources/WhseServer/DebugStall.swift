import Foundation
import NIOCore

#if canImport(Glibc)
    import Glibc
#endif

/// A test-only hook that stalls one event loop on demand, so the watchdog tests can produce a real, deterministic stall
/// whatever work the loops do in this build (protocol.md 2.5). Debug builds only: with WHSED_DEBUG_STALL_FILE=PATH set,
/// each event loop looks for PATH every 50 ms; when PATH exists and holds that loop's index (decimal), the loop blocks
/// (it runs nothing else: no reads, no replies, no heartbeat) until PATH is removed. A release build ignores the
/// variable and says so in its log. Nothing reaches this through the socket.
enum DebugStall {
    static let variable = "WHSED_DEBUG_STALL_FILE"

    static func install(on group: any EventLoopGroup) {
        guard let path = ProcessInfo.processInfo.environment[variable], !path.isEmpty else { return }
        #if DEBUG
            Log.warning("test hook: \(variable)=\(path) lets a file stall an event loop (debug build only)")
            for (index, loop) in group.makeIterator().enumerated() {
                loop.scheduleRepeatedTask(initialDelay: .milliseconds(50), delay: .milliseconds(50)) { _ in
                    guard let text = try? String(contentsOfFile: path, encoding: .utf8),
                        Int(text.trimmingCharacters(in: .whitespacesAndNewlines)) == index
                    else { return }
                    let started = DispatchTime.now().uptimeNanoseconds
                    Log.warning("test hook: event loop \(index) stalls until \(path) is removed")
                    while access(path, F_OK) == 0 { usleep(10_000) }
                    let millis = (DispatchTime.now().uptimeNanoseconds - started) / 1_000_000
                    Log.warning("test hook: event loop \(index) ran again after \(millis) ms")
                }
            }
        #else
            Log.warning("\(variable) is ignored: the event-loop stall hook is compiled into debug builds only")
        #endif
    }
}
