import Warehouse

/// The members of `entries.follow` (protocol.md 13.9).
public enum FollowKey: String, MemberKey {
    case afterSeq, logEpoch, heartbeatMillis
}

/// `entries.follow`: subscribes the connection to the change feed after `afterSeq`.
public struct EntriesFollowParams: RPCParams {
    public typealias Key = FollowKey
    public static let method = "entries.follow"
    /// The last sequence the follower has; events start at the next one. 0 from the start.
    public var afterSeq: Int
    /// The log epoch the cursor belongs to; a different one is refused (`log_epoch_changed`).
    public var logEpoch: Int?
    /// How often a heartbeat comes (100 to 60,000 ms; 1,000 when not given).
    public var heartbeatMillis: Int?

    public static let defaultHeartbeatMillis = 1000
    public static let maxEpoch = (1 << 53) - 1

    public init(afterSeq: Int, logEpoch: Int? = nil, heartbeatMillis: Int? = nil) {
        self.afterSeq = afterSeq
        self.logEpoch = logEpoch
        self.heartbeatMillis = heartbeatMillis
    }

    public init(decoding p: Params) throws(RPCError) {
        let m = try Self.members(p)
        self.init(
            afterSeq: try m.int(.afterSeq, range: 0...Int.max),
            logEpoch: try m.optionalInt(.logEpoch, range: 1...Self.maxEpoch),
            heartbeatMillis: try m.optionalInt(.heartbeatMillis, range: 100...60_000))
    }

    public func encoded() -> JSON {
        var w = MemberWriter<Key>()
        w.set(.afterSeq, afterSeq)
        w.set(.logEpoch, logEpoch)
        w.set(.heartbeatMillis, heartbeatMillis)
        return w.json
    }
}

extension ParamsCatalogue {
    static let follow: [any RPCParams.Type] = [EntriesFollowParams.self]
}

extension RPCError {
    public static let cursorTooOldCode = 2003
    public static let logEpochChangedCode = 2004
    public static let cursorAheadCode = 2005

    /// The cursor is older than what the change feed retains: reseed from a snapshot, then follow from there.
    public static func cursorTooOld(afterSeq: UInt64, oldestSeq: UInt64, logEpoch: UInt64, siteId: String)
        -> RPCError
    {
        RPCError(
            code: cursorTooOldCode,
            message: "afterSeq \(afterSeq) is older than the change feed retains: the oldest sequence it can send "
                + "is \(oldestSeq); reseed from a snapshot and follow from its sequence",
            reason: "cursor_too_old",
            details: [
                "afterSeq": .number(String(afterSeq)), "oldestSeq": .number(String(oldestSeq)),
                "logEpoch": .number(String(logEpoch)), "siteId": .string(siteId)
            ])
    }

    /// The cursor belongs to another log epoch: sequence numbers were reused after a restore.
    public static func logEpochChanged(given: Int, current: UInt64, siteId: String) -> RPCError {
        RPCError(
            code: logEpochChangedCode,
            message: "the log epoch is \(current), not \(given): the log lost history (a restore) and sequence "
                + "numbers may be reused; reseed, then follow the new epoch",
            reason: "log_epoch_changed",
            details: ["logEpoch": .number(String(current)), "given": JSON(given), "siteId": .string(siteId)])
    }

    /// The cursor is beyond the durable log: it was taken from another site or epoch.
    public static func cursorAhead(afterSeq: UInt64, durableSeq: UInt64, logEpoch: UInt64, siteId: String)
        -> RPCError
    {
        RPCError(
            code: cursorAheadCode,
            message: "afterSeq \(afterSeq) is beyond the last durable sequence \(durableSeq): the cursor belongs "
                + "to another site or log epoch",
            reason: "cursor_ahead",
            details: [
                "afterSeq": .number(String(afterSeq)), "durableSeq": .number(String(durableSeq)),
                "logEpoch": .number(String(logEpoch)), "siteId": .string(siteId)
            ])
    }
}
