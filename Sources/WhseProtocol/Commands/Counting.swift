import Warehouse

// Params of the counting methods (protocol.md 13.4): the warehouse physical inventory (`whsePhysInventory.*`) at
// directed locations and the phys. inventory journal (`physInventory.*`).

/// `whsePhysInventory.calculate`.
public struct WhsePhysInventoryCalculateParams: RPCParams {
    public static let method = "whsePhysInventory.calculate"
    public enum Key: String, MemberKey {
        case location, journal, documentNo, registeringDate, zone, bin, item, includeZero, blind, countingPeriodDue
    }
    public var location: String
    public var journal: String?
    public var documentNo: String?
    public var registeringDate: String?
    public var zone: String?
    public var bin: String?
    public var item: String?
    public var includeZero: Bool?
    public var blind: Bool?
    public var countingPeriodDue: Bool?

    public init(
        location: String, journal: String? = nil, documentNo: String? = nil, registeringDate: String? = nil,
        zone: String? = nil, bin: String? = nil, item: String? = nil, includeZero: Bool? = nil, blind: Bool? = nil,
        countingPeriodDue: Bool? = nil
    ) {
        self.location = location
        self.journal = journal
        self.documentNo = documentNo
        self.registeringDate = registeringDate
        self.zone = zone
        self.bin = bin
        self.item = item
        self.includeZero = includeZero
        self.blind = blind
        self.countingPeriodDue = countingPeriodDue
    }

    public init(decoding p: Params) throws(RPCError) {
        let m = try Self.members(p)
        countingPeriodDue = try m.optionalBool(.countingPeriodDue)
        location = try m.string(.location)
        journal = try m.optionalString(.journal)
        documentNo = try m.optionalString(.documentNo)
        registeringDate = try m.optionalString(.registeringDate)
        zone = try m.optionalString(.zone)
        bin = try m.optionalString(.bin)
        item = try m.optionalString(.item)
        includeZero = try m.optionalBool(.includeZero)
        blind = try m.optionalBool(.blind)
    }

    public func encoded() -> JSON {
        var w = MemberWriter<Key>()
        w.set(.location, location)
        w.set(.journal, journal)
        w.set(.documentNo, documentNo)
        w.set(.registeringDate, registeringDate)
        w.set(.zone, zone)
        w.set(.bin, bin)
        w.set(.item, item)
        w.set(.includeZero, includeZero)
        w.set(.blind, blind)
        w.set(.countingPeriodDue, countingPeriodDue)
        return w.json
    }
}

/// Pages of a count journal's lines (`after`, `limit` of the `*.get` methods).
public enum LinePage {
    /// Most lines in one page.
    public static let maxLimit = 10_000
    /// Lines in a page when `after` is given without `limit`.
    public static let defaultLimit = 1_000
    public static let afterRange = 0...Int.max
    public static let limitRange = 1...maxLimit
}

/// `whsePhysInventory.get`.
public struct WhsePhysInventoryGetParams: RPCParams {
    public static let method = "whsePhysInventory.get"
    public enum Key: String, MemberKey { case journal, blind, after, limit }
    public var journal: String
    public var blind: Bool?
    public var after: Int?
    public var limit: Int?

    public init(journal: String, blind: Bool? = nil, after: Int? = nil, limit: Int? = nil) {
        self.journal = journal
        self.blind = blind
        self.after = after
        self.limit = limit
    }

    public init(decoding p: Params) throws(RPCError) {
        let m = try Self.members(p)
        journal = try m.string(.journal)
        blind = try m.optionalBool(.blind)
        after = try m.optionalInt(.after, range: LinePage.afterRange)
        limit = try m.optionalInt(.limit, range: LinePage.limitRange)
    }

    public func encoded() -> JSON {
        var w = MemberWriter<Key>()
        w.set(.journal, journal)
        w.set(.blind, blind)
        w.set(.after, after)
        w.set(.limit, limit)
        return w.json
    }
}

/// `whsePhysInventory.list`.
public struct WhsePhysInventoryListParams: NoParams {
    public static let method = "whsePhysInventory.list"
    public init() {}
}

/// The members of a request about one count journal.
public enum JournalKey: String, MemberKey { case journal }

/// Params naming only a count journal.
public protocol JournalParams: RPCParams where Key == JournalKey {
    var journal: String { get }
    init(journal: String)
}

extension JournalParams {
    public init(decoding p: Params) throws(RPCError) {
        self.init(journal: try Self.members(p).string(.journal))
    }

    public func encoded() -> JSON {
        var w = MemberWriter<Key>()
        w.set(.journal, journal)
        return w.json
    }
}

/// The members of a request entering counts.
public enum CountsKey: String, MemberKey { case journal, counts }

/// Counts entered into a count journal; the last count of a line wins.
public protocol CountsParams: RPCParams where Key == CountsKey {
    var journal: String { get }
    var counts: [CountInput] { get }
    init(journal: String, counts: [CountInput])
}

extension CountsParams {
    public init(decoding p: Params) throws(RPCError) {
        let m = try Self.members(p)
        let journal = try m.string(.journal)
        self.init(
            journal: journal, counts: try m.list(.counts, of: CountInput.self, max: AdmissionLimits.maxJournalLines))
    }

    public func encoded() -> JSON {
        var w = MemberWriter<Key>()
        w.set(.journal, journal)
        w.set(.counts, counts)
        return w.json
    }
}

/// One count: of a line (`lineNo`), or of a bin content / lot found (`bin`, `item`, tracking).
extension CountInput: WireObject {
    public enum Key: String, MemberKey { case lineNo, bin, item, unitOfMeasure, quantity, lot, serial, expirationDate }

    public init(decoding p: Params) throws(RPCError) {
        let m = try p.members(Key.self)
        self.init(
            lineNo: try m.optionalInt(.lineNo), bin: try m.optionalString(.bin), item: try m.optionalString(.item),
            unitOfMeasure: try m.optionalString(.unitOfMeasure), quantity: try m.quantity(.quantity),
            lot: try m.optionalString(.lot), serial: try m.optionalString(.serial),
            expirationDate: try m.optionalString(.expirationDate))
    }

    public func encoded() -> JSON {
        var w = MemberWriter<Key>()
        w.set(.lineNo, lineNo)
        w.set(.bin, bin)
        w.set(.item, item)
        w.set(.unitOfMeasure, unitOfMeasure)
        w.set(.quantity, quantity)
        w.set(.lot, lot)
        w.set(.serial, serial)
        w.set(.expirationDate, expirationDate)
        return w.json
    }
}

/// The members of a request recalculating lines.
public enum RecalculateKey: String, MemberKey { case journal, lines }

/// Recalculates stale lines of a count journal (all of them when `lines` is nil).
public protocol RecalculateParams: RPCParams where Key == RecalculateKey {
    var journal: String { get }
    var lines: [Int]? { get }
    init(journal: String, lines: [Int]?)
}

extension RecalculateParams {
    public init(decoding p: Params) throws(RPCError) {
        let m = try Self.members(p)
        let journal = try m.string(.journal)
        self.init(journal: journal, lines: try m.optionalInts(.lines, max: AdmissionLimits.maxJournalLines))
    }

    public func encoded() -> JSON {
        var w = MemberWriter<Key>()
        w.set(.journal, journal)
        w.set(.lines, lines)
        return w.json
    }
}

/// `whsePhysInventory.recordCounts`.
public struct WhsePhysInventoryRecordCountsParams: CountsParams {
    public static let method = "whsePhysInventory.recordCounts"
    public var journal: String
    public var counts: [CountInput]
    public init(journal: String, counts: [CountInput]) {
        self.journal = journal
        self.counts = counts
    }
}

/// `whsePhysInventory.recalculate`.
public struct WhsePhysInventoryRecalculateParams: RecalculateParams {
    public static let method = "whsePhysInventory.recalculate"
    public var journal: String
    public var lines: [Int]?
    public init(journal: String, lines: [Int]? = nil) {
        self.journal = journal
        self.lines = lines
    }
}

/// `whsePhysInventory.delete`.
public struct WhsePhysInventoryDeleteParams: JournalParams {
    public static let method = "whsePhysInventory.delete"
    public var journal: String
    public init(journal: String) { self.journal = journal }
}

/// `whsePhysInventory.register`.
public struct WhsePhysInventoryRegisterParams: JournalParams {
    public static let method = "whsePhysInventory.register"
    public var journal: String
    public init(journal: String) { self.journal = journal }
}

/// `physInventory.calculate`.
public struct PhysInventoryCalculateParams: RPCParams {
    public static let method = "physInventory.calculate"
    public enum Key: String, MemberKey {
        case location, journal, documentNo, postingDate, item, bin, includeZero, countingPeriodDue
    }
    public var location: String
    public var journal: String?
    public var documentNo: String?
    public var postingDate: String?
    public var item: String?
    public var bin: String?
    public var includeZero: Bool?
    public var countingPeriodDue: Bool?

    public init(
        location: String, journal: String? = nil, documentNo: String? = nil, postingDate: String? = nil,
        item: String? = nil, bin: String? = nil, includeZero: Bool? = nil, countingPeriodDue: Bool? = nil
    ) {
        self.location = location
        self.journal = journal
        self.documentNo = documentNo
        self.postingDate = postingDate
        self.item = item
        self.bin = bin
        self.includeZero = includeZero
        self.countingPeriodDue = countingPeriodDue
    }

    public init(decoding p: Params) throws(RPCError) {
        let m = try Self.members(p)
        countingPeriodDue = try m.optionalBool(.countingPeriodDue)
        location = try m.string(.location)
        journal = try m.optionalString(.journal)
        documentNo = try m.optionalString(.documentNo)
        postingDate = try m.optionalString(.postingDate)
        item = try m.optionalString(.item)
        bin = try m.optionalString(.bin)
        includeZero = try m.optionalBool(.includeZero)
    }

    public func encoded() -> JSON {
        var w = MemberWriter<Key>()
        w.set(.location, location)
        w.set(.journal, journal)
        w.set(.documentNo, documentNo)
        w.set(.postingDate, postingDate)
        w.set(.item, item)
        w.set(.bin, bin)
        w.set(.includeZero, includeZero)
        w.set(.countingPeriodDue, countingPeriodDue)
        return w.json
    }
}

/// `physInventory.get`.
public struct PhysInventoryGetParams: RPCParams {
    public static let method = "physInventory.get"
    public enum Key: String, MemberKey { case journal, after, limit }
    public var journal: String
    public var after: Int?
    public var limit: Int?

    public init(journal: String, after: Int? = nil, limit: Int? = nil) {
        self.journal = journal
        self.after = after
        self.limit = limit
    }

    public init(decoding p: Params) throws(RPCError) {
        let m = try Self.members(p)
        journal = try m.string(.journal)
        after = try m.optionalInt(.after, range: LinePage.afterRange)
        limit = try m.optionalInt(.limit, range: LinePage.limitRange)
    }

    public func encoded() -> JSON {
        var w = MemberWriter<Key>()
        w.set(.journal, journal)
        w.set(.after, after)
        w.set(.limit, limit)
        return w.json
    }
}

/// `physInventory.list`.
public struct PhysInventoryListParams: NoParams {
    public static let method = "physInventory.list"
    public init() {}
}

/// `physInventory.recordCounts`.
public struct PhysInventoryRecordCountsParams: CountsParams {
    public static let method = "physInventory.recordCounts"
    public var journal: String
    public var counts: [CountInput]
    public init(journal: String, counts: [CountInput]) {
        self.journal = journal
        self.counts = counts
    }
}

/// `physInventory.recalculate`.
public struct PhysInventoryRecalculateParams: RecalculateParams {
    public static let method = "physInventory.recalculate"
    public var journal: String
    public var lines: [Int]?
    public init(journal: String, lines: [Int]? = nil) {
        self.journal = journal
        self.lines = lines
    }
}

/// `physInventory.delete`.
public struct PhysInventoryDeleteParams: JournalParams {
    public static let method = "physInventory.delete"
    public var journal: String
    public init(journal: String) { self.journal = journal }
}

/// `physInventory.post`.
public struct PhysInventoryPostParams: JournalParams {
    public static let method = "physInventory.post"
    public var journal: String
    public init(journal: String) { self.journal = journal }
}

extension ParamsCatalogue {
    static let counting: [any RPCParams.Type] = [
        WhsePhysInventoryCalculateParams.self, WhsePhysInventoryGetParams.self, WhsePhysInventoryListParams.self,
        WhsePhysInventoryRecordCountsParams.self, WhsePhysInventoryRecalculateParams.self,
        WhsePhysInventoryDeleteParams.self, WhsePhysInventoryRegisterParams.self, PhysInventoryCalculateParams.self,
        PhysInventoryGetParams.self, PhysInventoryListParams.self, PhysInventoryRecordCountsParams.self,
        PhysInventoryRecalculateParams.self, PhysInventoryDeleteParams.self, PhysInventoryPostParams.self
    ]
}
