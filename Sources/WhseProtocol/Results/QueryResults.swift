import Warehouse

/// The answer of the `entries.*` methods: a page of ledger entries and the `after` of the next page (null after
/// the last one).
public struct EntriesPageResult: RPCResult {
    public enum Key: String, MemberKey { case entries, nextAfter }
    /// The entries as protocol.md §11 shows them for their ledger.
    public var entries: [JSON]
    public var nextAfter: Int?

    public init(entries: [JSON], nextAfter: Int?) {
        self.entries = entries
        self.nextAfter = nextAfter
    }

    public init(decoding p: Params) throws(RPCError) {
        let m = p.resultMembers(Key.self)
        entries = try m.optionalArray(.entries) ?? []
        nextAfter = try m.optionalInt(.nextAfter, range: 0...Int.max)
    }

    public func encoded() -> JSON {
        var w = MemberWriter<Key>()
        w.set(.entries, entries)
        w.setOrNull(.nextAfter, nextAfter)
        return w.json
    }
}

/// The first answer of `entries.follow`, before its notifications: where the stream starts and what it runs under.
public struct EntriesFollowResult: RPCResult {
    public enum Key: String, MemberKey {
        case siteId, logEpoch, afterSeq, durableSeq, oldestSeq, heartbeatMillis, maxFollowerPendingBytes
    }
    public var siteId: String
    /// JSON numbers that may exceed a JSON number's exact range; written and read as the decimal digits.
    public var logEpoch: UInt64
    public var afterSeq: UInt64
    public var durableSeq: UInt64
    public var oldestSeq: UInt64
    public var heartbeatMillis: Int
    public var maxFollowerPendingBytes: Int

    public init(
        siteId: String, logEpoch: UInt64, afterSeq: UInt64, durableSeq: UInt64, oldestSeq: UInt64,
        heartbeatMillis: Int, maxFollowerPendingBytes: Int
    ) {
        self.siteId = siteId
        self.logEpoch = logEpoch
        self.afterSeq = afterSeq
        self.durableSeq = durableSeq
        self.oldestSeq = oldestSeq
        self.heartbeatMillis = heartbeatMillis
        self.maxFollowerPendingBytes = maxFollowerPendingBytes
    }

    public init(decoding p: Params) throws(RPCError) {
        let m = p.resultMembers(Key.self)
        siteId = try m.text(.siteId)
        logEpoch = try m.unsigned(.logEpoch)
        afterSeq = try m.unsigned(.afterSeq)
        durableSeq = try m.unsigned(.durableSeq)
        oldestSeq = try m.unsigned(.oldestSeq)
        heartbeatMillis = try m.int(.heartbeatMillis, range: 0...Int.max)
        maxFollowerPendingBytes = try m.int(.maxFollowerPendingBytes, range: 0...Int.max)
    }

    public func encoded() -> JSON {
        var w = MemberWriter<Key>()
        w.set(.siteId, siteId)
        w.set(.logEpoch, JSON.number(String(logEpoch)))
        w.set(.afterSeq, JSON.number(String(afterSeq)))
        w.set(.durableSeq, JSON.number(String(durableSeq)))
        w.set(.oldestSeq, JSON.number(String(oldestSeq)))
        w.set(.heartbeatMillis, heartbeatMillis)
        w.set(.maxFollowerPendingBytes, maxFollowerPendingBytes)
        return w.json
    }
}

extension Members {
    /// A JSON number of decimal digits that fits a UInt64 (log sequences and epochs).
    public func unsigned(_ k: K) throws(RPCError) -> UInt64 {
        guard case .number(let text)? = params.object[k.rawValue], let v = UInt64(text) else {
            throw RPCError.invalidParams("\(name(k)) must be an unsigned integer", param: name(k))
        }
        return v
    }
}
