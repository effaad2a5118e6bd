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
