import Warehouse

// Params of the query methods (protocol.md 13.5).

/// `bin.contents`.
public struct BinContentsParams: RPCParams {
    public static let method = "bin.contents"
    public enum Key: String, MemberKey { case location, bin, includeZero, fields }
    public var location: String
    public var bin: String
    public var includeZero: Bool?
    /// The members of each row (protocol.md 11, lean objects).
    public var fields: MemberSelection

    public init(location: String, bin: String, includeZero: Bool? = nil, fields: MemberSelection = .lean) {
        self.location = location
        self.bin = bin
        self.includeZero = includeZero
        self.fields = fields
    }

    public init(decoding p: Params) throws(RPCError) {
        let m = try Self.members(p)
        location = try m.string(.location)
        bin = try m.string(.bin)
        includeZero = try m.optionalBool(.includeZero)
        fields = try m.memberSelection(.fields, of: .binContentRow)
    }

    public func encoded() -> JSON {
        var w = MemberWriter<Key>()
        w.set(.location, location)
        w.set(.bin, bin)
        w.set(.includeZero, includeZero)
        w.set(.fields, selection: fields)
        return w.json
    }
}

/// `item.bins`.
public struct ItemBinsParams: RPCParams {
    public static let method = "item.bins"
    public enum Key: String, MemberKey { case item, location, includeZero, fields }
    public var item: String
    public var location: String?
    public var includeZero: Bool?
    /// The members of each row (protocol.md 11, lean objects).
    public var fields: MemberSelection

    public init(item: String, location: String? = nil, includeZero: Bool? = nil, fields: MemberSelection = .lean) {
        self.item = item
        self.location = location
        self.includeZero = includeZero
        self.fields = fields
    }

    public init(decoding p: Params) throws(RPCError) {
        let m = try Self.members(p)
        item = try m.string(.item)
        location = try m.optionalString(.location)
        includeZero = try m.optionalBool(.includeZero)
        fields = try m.memberSelection(.fields, of: .binContentRow)
    }

    public func encoded() -> JSON {
        var w = MemberWriter<Key>()
        w.set(.item, item)
        w.set(.location, location)
        w.set(.includeZero, includeZero)
        w.set(.fields, selection: fields)
        return w.json
    }
}

/// `item.availability`.
public struct ItemAvailabilityParams: RPCParams {
    public static let method = "item.availability"
    public enum Key: String, MemberKey { case item, location }
    public var item: String
    public var location: String?

    public init(item: String, location: String? = nil) {
        self.item = item
        self.location = location
    }

    public init(decoding p: Params) throws(RPCError) {
        let m = try Self.members(p)
        item = try m.string(.item)
        location = try m.optionalString(.location)
    }

    public func encoded() -> JSON {
        var w = MemberWriter<Key>()
        w.set(.item, item)
        w.set(.location, location)
        return w.json
    }
}

/// The filters and the page of an `entries.*` request.
public enum EntriesKey: String, MemberKey {
    case location, bin, item, entryType, documentNo, lot, serial, fromDate, toDate, fromEntryNo, toEntryNo, after,
        limit, fields
}

/// A page of ledger entries, filtered. Item ledger entries carry no bin, so `entries.item` takes no `bin`.
public protocol EntriesParams: RPCParams where Key == EntriesKey {
    static var binFilter: Bool { get }
    /// The members of the ledger's entries (`fields`).
    static var entryMembers: MemberDefaults { get }
    var filter: EntryQuery { get }
    var fields: MemberSelection { get }
    init(filter: EntryQuery, fields: MemberSelection)
}

/// The members of an `entries.*` request as sent; `entryFilter` fills in the defaults.
public struct EntryQuery: Sendable, Hashable {
    /// Entries in a page when the request names no `limit`.
    public static let defaultLimit = 100
    public var location: String?
    public var bin: String?
    public var item: String?
    public var entryType: EntryType?
    public var documentNo: String?
    public var lot: String?
    public var serial: String?
    /// Posting dates (a warehouse entry's registering date) from / to, both included: YYYY-MM-DD.
    public var fromDate: String?
    public var toDate: String?
    /// Entry numbers from / to, both included.
    public var fromEntryNo: Int?
    public var toEntryNo: Int?
    /// Entries with a number above this.
    public var after: Int?
    public var limit: Int?

    public init(
        location: String? = nil, bin: String? = nil, item: String? = nil, entryType: EntryType? = nil,
        documentNo: String? = nil, lot: String? = nil, serial: String? = nil, fromDate: String? = nil,
        toDate: String? = nil, fromEntryNo: Int? = nil, toEntryNo: Int? = nil, after: Int? = nil, limit: Int? = nil
    ) {
        self.location = location
        self.bin = bin
        self.item = item
        self.entryType = entryType
        self.documentNo = documentNo
        self.lot = lot
        self.serial = serial
        self.fromDate = fromDate
        self.toDate = toDate
        self.fromEntryNo = fromEntryNo
        self.toEntryNo = toEntryNo
        self.after = after
        self.limit = limit
    }

    public var entryFilter: EntryFilter {
        EntryFilter(
            location: location, bin: bin, item: item, entryType: entryType, documentNo: documentNo, lot: lot,
            serial: serial, fromDate: fromDate, toDate: toDate, fromEntryNo: fromEntryNo, toEntryNo: toEntryNo,
            after: after ?? 0, limit: limit ?? EntryQuery.defaultLimit)
    }
}

extension EntriesParams {
    public init(decoding p: Params) throws(RPCError) {
        let m = try p.members(Key.self, idempotencyKey: Self.posts, except: Self.binFilter ? [] : [.bin])
        let filter = EntryQuery(
            location: try m.optionalString(.location), bin: try m.optionalString(.bin),
            item: try m.optionalString(.item),
            entryType: try m.optionalEnum(.entryType, EntryType.self), documentNo: try m.optionalString(.documentNo),
            lot: try m.optionalString(.lot), serial: try m.optionalString(.serial),
            fromDate: try m.optionalDate(.fromDate), toDate: try m.optionalDate(.toDate),
            fromEntryNo: try m.optionalInt(.fromEntryNo, range: 1...Int.max),
            toEntryNo: try m.optionalInt(.toEntryNo, range: 1...Int.max),
            after: try m.optionalInt(.after, range: 0...Int.max),
            limit: try m.optionalInt(.limit, range: 1...EntryFilter.maxLimit))
        self.init(filter: filter, fields: try m.memberSelection(.fields, of: Self.entryMembers))
    }

    public func encoded() -> JSON {
        var w = MemberWriter<Key>()
        w.set(.location, filter.location)
        w.set(.bin, filter.bin)
        w.set(.item, filter.item)
        w.set(.entryType, filter.entryType)
        w.set(.documentNo, filter.documentNo)
        w.set(.lot, filter.lot)
        w.set(.serial, filter.serial)
        w.set(.fromDate, filter.fromDate)
        w.set(.toDate, filter.toDate)
        w.set(.fromEntryNo, filter.fromEntryNo)
        w.set(.toEntryNo, filter.toEntryNo)
        w.set(.after, filter.after)
        w.set(.limit, filter.limit)
        w.set(.fields, selection: fields)
        return w.json
    }
}

/// `entries.warehouse`.
public struct WarehouseEntriesParams: EntriesParams {
    public static let method = "entries.warehouse"
    public static let binFilter = true
    public static let entryMembers = MemberDefaults.warehouseEntry
    public var filter: EntryQuery
    public var fields: MemberSelection
    public init(filter: EntryQuery, fields: MemberSelection = .lean) {
        self.filter = filter
        self.fields = fields
    }
}

/// `entries.item`: `filter.bin` is never sent.
public struct ItemEntriesParams: EntriesParams {
    public static let method = "entries.item"
    public static let binFilter = false
    public static let entryMembers = MemberDefaults.itemLedgerEntry
    public var filter: EntryQuery
    public var fields: MemberSelection
    public init(filter: EntryQuery, fields: MemberSelection = .lean) {
        var f = filter
        f.bin = nil
        self.filter = f
        self.fields = fields
    }
}

/// `entries.physInventory`.
public struct PhysInventoryEntriesParams: EntriesParams {
    public static let method = "entries.physInventory"
    public static let binFilter = true
    public static let entryMembers = MemberDefaults.physInventoryLedgerEntry
    public var filter: EntryQuery
    public var fields: MemberSelection
    public init(filter: EntryQuery, fields: MemberSelection = .lean) {
        self.filter = filter
        self.fields = fields
    }
}

extension ParamsCatalogue {
    static let queries: [any RPCParams.Type] = [
        BinContentsParams.self, ItemBinsParams.self, ItemAvailabilityParams.self, WarehouseEntriesParams.self,
        ItemEntriesParams.self, PhysInventoryEntriesParams.self
    ]
}
