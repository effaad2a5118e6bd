import Dispatch
import Foundation
import NIOConcurrencyHelpers
import WhseProtocol

#if canImport(Glibc)
    import Glibc
#endif

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
