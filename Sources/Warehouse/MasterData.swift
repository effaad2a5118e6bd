/// How a location keeps its stock (DOMAIN.md §2.1, §3.7, §3.8).
public enum LocationKind: String, Sendable, Hashable, CaseIterable {
    /// Directed put-away and pick: zones, a default adjustment bin, warehouse journals.
    case directed
    /// Bin mandatory without directed put-away and pick: item journal lines carry a bin.
    case basic
    /// No bins: item ledger entries only.
    case plain
}

/// Bin Capacity Policy (DOMAIN.md §2.1, §4.2): what placing more than a bin or bin content holds does.
public enum CapacityPolicy: String, Sendable, Hashable, CaseIterable {
    /// No capacity check.
    case never
    /// Allowed, with a warning in the posting's result.
    case allowMore
    /// Refused with `capacity_exceeded` (counts only warn: they record what is there).
    case prohibitMore
}

/// A location (warehouse site) of the books.
public struct Location: Sendable, Hashable {
    public var code: String
    public var name: String
    public var kind: LocationKind
    /// The default adjustment bin; set exactly for directed locations.
    public var adjustmentBin: String?
    public var binCapacityPolicy: CapacityPolicy = .never
    /// Check Whse. Class: an item goes only into bins of its warehouse class.
    public var checkWarehouseClass: Bool = false
    /// Item journal lines may take the location's inventory below zero (directed and plain locations, whose item
    /// ledger no bin guards). Off by default, as Business Central's Prevent Negative Inventory is on.
    public var allowNegativeInventory: Bool = false
}

/// A bin type (DOMAIN.md §2.3). whsed ships the standard set; its flags drive the bin rules.
public struct BinType: Sendable, Hashable {
    public var code: String
    public var receive: Bool
    public var ship: Bool
    public var putAway: Bool
    public var pick: Bool

    /// The docs' standard set: RECEIVE, SHIP, PUTAWAY, PICK, PUTPICK and QC (all flags off).
    public static let standard: [String: BinType] = [
        "RECEIVE": BinType(code: "RECEIVE", receive: true, ship: false, putAway: false, pick: false),
        "SHIP": BinType(code: "SHIP", receive: false, ship: true, putAway: false, pick: false),
        "PUTAWAY": BinType(code: "PUTAWAY", receive: false, ship: false, putAway: true, pick: false),
        "PICK": BinType(code: "PICK", receive: false, ship: false, putAway: false, pick: true),
        "PUTPICK": BinType(code: "PUTPICK", receive: false, ship: false, putAway: true, pick: true),
        "QC": BinType(code: "QC", receive: false, ship: false, putAway: false, pick: false)
    ]
}

/// A zone of a directed location.
public struct Zone: Sendable, Hashable {
    public var location: String
    public var code: String
    public var description: String
    public var binType: String?
    /// Copied to the zone's new bins.
    public var warehouseClass: String? = nil
}

/// Which directions of movement a bin refuses.
public enum BlockMovement: String, Sendable, Hashable, CaseIterable {
    case none, inbound, outbound, all

    public var blocksInbound: Bool { self == .inbound || self == .all }
    public var blocksOutbound: Bool { self == .outbound || self == .all }
}

/// A bin at a directed or basic location.
public struct Bin: Sendable, Hashable {
    public var location: String
    public var code: String
    public var description: String
    public var zone: String?
    public var binType: String?
    public var blockMovement: BlockMovement
    /// Capacity in the items' cubage and weight units; 0 = unlimited.
    public var maximumCubage: Quantity = .zero
    public var maximumWeight: Quantity = .zero
    public var warehouseClass: String? = nil
}

/// Cubage and weight of one unit of measure of an item (for bin capacity).
public struct UnitMeasure: Sendable, Hashable {
    public var cubage: Quantity
    public var weight: Quantity
    public init(cubage: Quantity = .zero, weight: Quantity = .zero) {
        self.cubage = cubage
        self.weight = weight
    }
}

/// The set-up of one bin content (DOMAIN.md §2.6): min./max. quantity in its unit, Fixed, Default.
public struct BinContentSetup: Sendable, Hashable {
    public var minQuantity: Quantity = .zero
    /// 0 = no maximum.
    public var maxQuantity: Quantity = .zero
    public var fixed: Bool = false
    public var isDefault: Bool = false
    public init(
        minQuantity: Quantity = .zero, maxQuantity: Quantity = .zero, fixed: Bool = false, isDefault: Bool = false
    ) {
        self.minQuantity = minQuantity
        self.maxQuantity = maxQuantity
        self.fixed = fixed
        self.isDefault = isDefault
    }
}

/// An item with its base unit of measure and further units.
public struct Item: Sendable, Hashable {
    public var no: String
    public var description: String
    public var baseUnitOfMeasure: String
    /// Unit code → quantity per unit in base units; always holds the base unit with 1.
    public var unitsOfMeasure: [String: Quantity]
    public var blocked: Bool
    /// Lot / serial / expiration tracking (fixed at creation).
    public var tracking: ItemTracking = .none
    public var warehouseClass: String? = nil
    /// Cubage and weight per unit (units not listed: 0).
    public var unitMeasures: [String: UnitMeasure] = [:]
    /// Qty. Rounding Precision per unit (DOMAIN.md §2.5); a unit not listed uses 0.00001.
    public var roundingPrecision: [String: Quantity] = [:]
    /// Counting fields, boxed so copying an item on every journal line stays cheap.
    var countingBox: CountingBox? = nil
    /// Phys. inventory counting period (§2.12) and its dates (YYYY-MM-DD).
    public var countingPeriod: String? {
        get { countingBox?.fields[0] }
        set { setCounting(0, newValue) }
    }
    public var lastCountingPeriodUpdate: String? {
        get { countingBox?.fields[1] }
        set { setCounting(1, newValue) }
    }
    public var nextCountingStart: String? {
        get { countingBox?.fields[2] }
        set { setCounting(2, newValue) }
    }
    public var nextCountingEnd: String? {
        get { countingBox?.fields[3] }
        set { setCounting(3, newValue) }
    }
    /// Posting date of the newest phys. inventory ledger entry.
    public var lastPhysInventoryDate: String? {
        get { countingBox?.fields[4] }
        set { setCounting(4, newValue) }
    }
    private mutating func setCounting(_ i: Int, _ v: String?) {
        var f = countingBox?.fields ?? [nil, nil, nil, nil, nil]
        f[i] = v
        countingBox = f.allSatisfy { $0 == nil } ? nil : CountingBox(fields: f)
    }

    /// Quantity per unit of `code`, or nil when the item has no such unit.
    public func quantityPerUnit(_ code: String) -> Quantity? { unitsOfMeasure[code] }
    /// The rounding precision of `code`: quantities in that unit are multiples of it.
    public func precision(_ code: String) -> Quantity { roundingPrecision[code] ?? Quantity(units: 1) }
}

/// Key of a bin inside the site.
public struct BinKey: Hashable, Sendable, Comparable {
    public var location: String
    public var bin: String
    public init(_ location: String, _ bin: String) {
        self.location = location
        self.bin = bin
    }
    public static func < (a: BinKey, b: BinKey) -> Bool { (a.location, a.bin) < (b.location, b.bin) }
}

/// Key of an item at a location.
public struct ItemLocationKey: Hashable, Sendable, Comparable {
    public var item: String
    public var location: String
    public init(_ item: String, _ location: String) {
        self.item = item
        self.location = location
    }
    public static func < (a: ItemLocationKey, b: ItemLocationKey) -> Bool {
        (a.location, a.item) < (b.location, b.item)
    }
}

/// Key of one bin content record: bin, item, unit of measure and, for tracked items, lot and serial no.
/// (DOMAIN.md §2.6; "" = none).
public struct ContentKey: Hashable, Sendable, Comparable {
    public var location: String
    public var bin: String
    public var item: String
    public var unitOfMeasure: String
    public var lot: String
    public var serial: String
    public init(
        _ location: String, _ bin: String, _ item: String, _ unitOfMeasure: String, lot: String = "",
        serial: String = ""
    ) {
        self.location = location
        self.bin = bin
        self.item = item
        self.unitOfMeasure = unitOfMeasure
        self.lot = lot
        self.serial = serial
    }
    public init(_ location: String, _ bin: String, _ item: String, _ unitOfMeasure: String, _ t: Tracking) {
        self.init(location, bin, item, unitOfMeasure, lot: t.lot, serial: t.serial)
    }
    public var binKey: BinKey { BinKey(location, bin) }
    public var itemLocation: ItemLocationKey { ItemLocationKey(item, location) }
    public var tracking: Tracking { Tracking(lot: lot, serial: serial) }
    // Hashing and equality by hand: the most telling fields first, and no work for the empty lot / serial of an
    // untracked item (this key is looked up twice per warehouse entry).
    public static func == (a: ContentKey, b: ContentKey) -> Bool {
        a.item == b.item && a.bin == b.bin && a.unitOfMeasure == b.unitOfMeasure && a.location == b.location
            && a.lot == b.lot && a.serial == b.serial
    }
    public func hash(into h: inout Hasher) {
        h.combine(item)
        h.combine(bin)
        h.combine(unitOfMeasure)
        h.combine(location)
        if !lot.isEmpty || !serial.isEmpty {
            h.combine(lot)
            h.combine(serial)
        }
    }
    public static func < (a: ContentKey, b: ContentKey) -> Bool {
        (a.location, a.bin, a.item, a.unitOfMeasure, a.lot, a.serial) < (
            b.location, b.bin, b.item, b.unitOfMeasure, b.lot, b.serial
        )
    }
}

/// The running total of one bin content key.
public struct BinContent: Sendable, Hashable {
    /// In the content's unit of measure.
    public var quantity: Quantity
    /// In the item's base unit.
    public var quantityBase: Quantity
    /// Number of the last warehouse entry on this key: a count calculated earlier is stale when it moved.
    public var lastEntryNo: Int
}

/// An item's counting-period fields (immutable; a change makes a new box).
final class CountingBox: Sendable, Hashable {
    let fields: [String?]
    init(fields: [String?]) { self.fields = fields }
    static func == (a: CountingBox, b: CountingBox) -> Bool { a.fields == b.fields }
    func hash(into h: inout Hasher) { h.combine(fields) }
}
