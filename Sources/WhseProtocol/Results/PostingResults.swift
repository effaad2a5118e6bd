import Warehouse

/// The answer of every method that posts or registers a journal (protocol.md §11): the register, the entry numbers
/// written, the warnings, and `replayed` when an idempotency key returned an earlier answer.
public struct PostingResult: RPCResult {
    public enum Key: String, MemberKey {
        case registerNo, lines, warehouseEntries, itemLedgerEntries, physInventoryEntries, warnings, replayed
    }

    /// The entry numbers one posting wrote in one ledger.
    public struct EntryRange: RPCResult, Hashable {
        public enum Key: String, MemberKey { case from, to }
        public var from: Int
        public var to: Int
        public init(from: Int, to: Int) {
            self.from = from
            self.to = to
        }
        public init(_ r: ClosedRange<Int>) { self.init(from: r.lowerBound, to: r.upperBound) }

        public init(decoding p: Params) throws(RPCError) {
            let m = p.resultMembers(Key.self)
            from = try m.int(.from, range: 0...Int.max)
            to = try m.int(.to, range: 0...Int.max)
        }

        public func encoded() -> JSON {
            var w = MemberWriter<Key>()
            w.set(.from, from)
            w.set(.to, to)
            return w.json
        }
    }

    public var registerNo: Int
    public var lines: Int
    public var warehouseEntries: EntryRange?
    public var itemLedgerEntries: EntryRange?
    public var physInventoryEntries: EntryRange?
    /// Sent only when there are some.
    public var warnings: [String]
    /// Sent only on a replayed answer.
    public var replayed: Bool

    public init(
        registerNo: Int, lines: Int, warehouseEntries: EntryRange? = nil, itemLedgerEntries: EntryRange? = nil,
        physInventoryEntries: EntryRange? = nil, warnings: [String] = [], replayed: Bool = false
    ) {
        self.registerNo = registerNo
        self.lines = lines
        self.warehouseEntries = warehouseEntries
        self.itemLedgerEntries = itemLedgerEntries
        self.physInventoryEntries = physInventoryEntries
        self.warnings = warnings
        self.replayed = replayed
    }

    public init(_ s: PostingSummary) {
        self.init(
            registerNo: s.registerNo, lines: s.lines, warehouseEntries: s.warehouseEntries.map(EntryRange.init),
            itemLedgerEntries: s.itemLedgerEntries.map(EntryRange.init),
            physInventoryEntries: s.physInventoryEntries.map(EntryRange.init), warnings: s.warnings)
    }

    public init(decoding p: Params) throws(RPCError) {
        let m = p.resultMembers(Key.self)
        registerNo = try m.int(.registerNo, range: 0...Int.max)
        lines = try m.int(.lines, range: 0...Int.max)
        warehouseEntries = try m.optionalObject(.warehouseEntries, EntryRange.self)
        itemLedgerEntries = try m.optionalObject(.itemLedgerEntries, EntryRange.self)
        physInventoryEntries = try m.optionalObject(.physInventoryEntries, EntryRange.self)
        warnings = try m.optionalTexts(.warnings) ?? []
        replayed = try m.optionalBool(.replayed) ?? false
    }

    public func encoded() -> JSON {
        var w = MemberWriter<Key>()
        w.set(.registerNo, registerNo)
        w.set(.lines, lines)
        w.setOrNull(.warehouseEntries, warehouseEntries)
        w.setOrNull(.itemLedgerEntries, itemLedgerEntries)
        w.setOrNull(.physInventoryEntries, physInventoryEntries)
        if !warnings.isEmpty { w.set(.warnings, warnings) }
        if replayed { w.set(.replayed, true) }
        return w.json
    }
}

extension PostingResult {
    /// The members of `encoded()` written into an object already begun (the reply's `result`), in the order of their
    /// keys' UTF-8 bytes, so the bytes equal what `encoded().serialized()` gives: every posting's reply, without a
    /// dictionary per posting on the writer or the event loop.
    public func writeMembers(into w: inout JSONObjectWriter) {
        func range(_ k: StaticString, _ r: EntryRange?, _ w: inout JSONObjectWriter) {
            guard let r else { return w.null(k) }
            w.beginObject(k)
            w.member("from", int: r.from)
            w.member("to", int: r.to)
            w.endObject()
        }
        range("itemLedgerEntries", itemLedgerEntries, &w)
        w.member("lines", int: lines)
        range("physInventoryEntries", physInventoryEntries, &w)
        w.member("registerNo", int: registerNo)
        if replayed { w.member("replayed", bool: true) }
        range("warehouseEntries", warehouseEntries, &w)
        if !warnings.isEmpty { w.member("warnings", .array(warnings.map { .string($0) })) }
    }
}

/// A method's result as the state machine returns it: a JSON tree, or the result of a posting, which the reply
/// writes straight to bytes (`RPCResponse.serializedSuccess(id:posting:)`).
public enum MethodResult: Sendable, Equatable {
    case tree(JSON)
    case posting(PostingResult)

    /// The result as a tree (what the reply's bytes serialize either way).
    public var json: JSON {
        switch self {
        case .tree(let j): return j
        case .posting(let p): return p.encoded()
        }
    }
}

/// The answer of `itemJournal.get`, and of `itemJournal.calculateWhseAdjustment` with the lines it `added`.
public struct ItemJournalBatchResult: RPCResult {
    public enum Key: String, MemberKey { case batch, added, lines }
    public var batch: String
    /// Only from `itemJournal.calculateWhseAdjustment`.
    public var added: [ItemJournalLineResult]?
    public var lines: [ItemJournalLineResult]

    public init(batch: String, added: [ItemJournalLineResult]? = nil, lines: [ItemJournalLineResult]) {
        self.batch = batch
        self.added = added
        self.lines = lines
    }

    public init(decoding p: Params) throws(RPCError) {
        let m = p.resultMembers(Key.self)
        batch = try m.text(.batch)
        added =
            try m.optionalArray(.added) == nil ? nil : try m.objects(.added, of: ItemJournalLineResult.self)
        lines = try m.list(.lines, of: ItemJournalLineResult.self, max: Int.max, required: false)
    }

    public func encoded() -> JSON {
        var w = MemberWriter<Key>()
        w.set(.batch, batch)
        w.set(.added, added)
        w.set(.lines, lines)
        return w.json
    }
}

/// The answer of `itemJournal.delete`.
public struct BatchDeletedResult: RPCResult {
    public enum Key: String, MemberKey { case batch, deleted }
    public var batch: String
    public var deleted: Bool

    public init(batch: String, deleted: Bool = true) {
        self.batch = batch
        self.deleted = deleted
    }

    public init(decoding p: Params) throws(RPCError) {
        let m = p.resultMembers(Key.self)
        batch = try m.text(.batch)
        deleted = try m.bool(.deleted)
    }

    public func encoded() -> JSON {
        var w = MemberWriter<Key>()
        w.set(.batch, batch)
        w.set(.deleted, deleted)
        return w.json
    }
}

/// The answer of `whsePhysInventory.delete` and `physInventory.delete`.
public struct JournalDeletedResult: RPCResult {
    public enum Key: String, MemberKey { case journal, deleted }
    public var journal: String
    public var deleted: Bool

    public init(journal: String, deleted: Bool = true) {
        self.journal = journal
        self.deleted = deleted
    }

    public init(decoding p: Params) throws(RPCError) {
        let m = p.resultMembers(Key.self)
        journal = try m.text(.journal)
        deleted = try m.bool(.deleted)
    }

    public func encoded() -> JSON {
        var w = MemberWriter<Key>()
        w.set(.journal, journal)
        w.set(.deleted, deleted)
        return w.json
    }
}
