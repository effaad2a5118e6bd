import Dispatch
import NIOConcurrencyHelpers
#if canImport(Glibc)
import Glibc
#endif
import Foundation
import WhseProtocol

/// The daemon's limits. Each is named in protocol.md; over a limit a request gets `limit_exceeded`.
public struct Limits: Sendable {
    /// Longest request line in bytes (`maxLineBytes`).
    public var maxLineBytes = 4 << 20
    /// Lines in one journal request (`maxJournalLines`).
    public var maxJournalLines = 10_000
    /// Requests read ahead on one connection before whsed stops reading from it (`maxPipelinedRequests`).
    public var maxPipelinedRequests = 256
    /// Open connections (`maxConnections`).
    public var maxConnections = 1024
    /// Elements of one JSON-RPC batch (`maxBatchRequests`).
    public var maxBatchRequests = 1000
    /// JSON nesting depth (`maxJsonDepth`).
    public var maxJsonDepth = 64
    /// Open count journals, warehouse and item phys. inventory together (`maxOpenCountJournals`).
    public var maxOpenCountJournals = 64
    /// Seconds a connection may stay idle before whsed closes it; 0 = never (`idleTimeoutSeconds`).
    public var idleTimeoutSeconds = 600
    /// Largest reply line, the whole reply of a batch included (`maxReplyBytes`).
    public var maxReplyBytes = 64 << 20
    /// Request text held and replies pending on one connection before whsed stops reading from it
    /// (`maxConnectionBufferBytes`); never less than `maxLineBytes` + 1, so a line of the longest length completes.
    public var maxConnectionBufferBytes = 8 << 20
    /// Request text held and replies pending on all connections together (`maxTotalBufferBytes`): over it, a
    /// connection holding more than `connectionBufferFloor` is not read and starts no request until bytes free.
    public var maxTotalBufferBytes = 256 << 20
    /// What every connection may hold whatever the total, so a small request is always served (fixed).
    public static let connectionBufferFloor = 64 << 10
    /// Open connections of one Unix user that is not admin (`maxConnectionsPerUser`).
    public var maxConnectionsPerUser = 256
    /// Connection slots (of `maxConnections`) that only admin peers may take (`adminReservedConnections`).
    public var adminReservedConnections = 16
    /// Event bytes a follower of `entries.follow` may leave unread once it has caught up
    /// (`maxFollowerPendingBytes`); over it, it is dropped (`follower_too_slow`) and resumes from its cursor.
    public var maxFollowerPendingBytes = 16 << 20
    public init() {}

    /// The per-connection budget as applied: room for one line of `maxLineBytes` at least.
    public var effectiveConnectionBufferBytes: Int { max(maxConnectionBufferBytes, maxLineBytes + 1) }
}

/// Log lines: to the journal with fields under systemd, to stderr otherwise.
public enum Log {
    /// Most warnings of one kind a client can cause per second (`permission denied`): a client looping on a refused
    /// method would otherwise keep an event loop busy writing log lines. The lines left out are counted, and the
    /// next line written says how many.
    public static let maxClientWarningsPerSecond = 10
    private static let clientWarnings = NIOLockedValueBox((second: UInt64(0), written: 0, suppressed: 0))

    /// A warning caused by a client's request, rate-limited (see `maxClientWarningsPerSecond`).
    public static func clientWarning(_ message: String, _ fields: [String: String] = [:]) {
        let second = DispatchTime.now().uptimeNanoseconds / 1_000_000_000
        let suppressed: Int? = clientWarnings.withLockedValue { s in
            if s.second != second { s.second = second; s.written = 0 }
            guard s.written < maxClientWarningsPerSecond else { s.suppressed += 1; return nil }
            s.written += 1
            defer { s.suppressed = 0 }
            return s.suppressed
        }
        guard let suppressed else { return }
        var fields = fields
        if suppressed > 0 { fields["suppressed"] = String(suppressed) }
        warning(message, fields)
    }

    nonisolated(unsafe) public static var toJournal = false

    public static func info(_ message: String, _ fields: [String: String] = [:]) { emit(6, "info", message, fields) }
    public static func warning(_ message: String, _ fields: [String: String] = [:]) { emit(4, "warning", message, fields) }
    public static func error(_ message: String, _ fields: [String: String] = [:]) { emit(3, "error", message, fields) }

    static func emit(_ priority: Int, _ level: String, _ message: String, _ fields: [String: String]) {
        if toJournal {
            Systemd.journal(priority: priority, message: message, fields: fields)
            return
        }
        var line = "whsed: \(level): \(message)"
        for (k, v) in fields.sorted(by: { $0.key < $1.key }) { line += " \(k)=\(v)" }
        line += "\n"
        let bytes = Array(line.utf8)
        _ = bytes.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
    }
}
