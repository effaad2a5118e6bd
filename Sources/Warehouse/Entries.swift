/// Entry types of the warehouse and item ledgers.
public enum EntryType: String, Sendable, Hashable, CaseIterable {
    case positiveAdjmt, negativeAdjmt, purchase, sale, movement, transfer
}

/// Who posted, and when, as stamped by the server before the command is logged. The domain keeps no clock.
public struct PostingContext: Sendable, Hashable {
    /// The Unix user that sent the request.
    public var user: String
    /// Wall-clock time of acceptance, ISO 8601 UTC.
    public var timestamp: String
    /// Today's date (YYYY-MM-DD) used when a request names no posting date.
    public var today: String
    /// The ledger rules the request was accepted under. A rule added later applies to requests accepted from its
    /// version on, so a record acknowledged under older rules replays as it was posted (docs/on-disk-format.md §4.4, protocol.md §16.5).
    /// 1: the first release. 2: stale Calculate Whse. Adjustment lines are refused (`adjustment_stale`); item
    /// journal postings at directed locations may not take the location's inventory below zero.
    public var rules: Int
    /// The rules this build accepts new requests under.
    public static let currentRules = 2

    public init(user: String, timestamp: String, today: String, rules: Int = PostingContext.currentRules) {
        self.user = user
        self.timestamp = timestamp
        self.today = today
        self.rules = rules
    }
}

/// One immutable warehouse entry: a signed quantity in one bin (DOMAIN.md §2.7).
public struct WarehouseEntry: Sendable, Hashable {
    public var entryNo: Int
    public var entryType: EntryType
    public var registeringDate: String
    public var location: String
    public var zone: String?
    public var bin: String
    public var item: String
    /// Signed, in `unitOfMeasure`.
    public var quantity: Quantity
    /// Signed, in the item's base unit.
    public var quantityBase: Quantity
    public var unitOfMeasure: String
    public var quantityPerUnit: Quantity
    public var documentNo: String
    /// Which journal wrote it: whseItemJournal, whseReclassJournal, whsePhysInventory, itemJournal, physInventory.
    public var source: String
    public var registerNo: Int
    public var user: String
    public var timestamp: String
    /// Lot, serial no. and expiration date, boxed: most entries are untracked and carry one nil pointer.
    var trackingBox: TrackingBox? = nil
    public var lot: String { trackingBox?.lot ?? "" }
    public var serial: String { trackingBox?.serial ?? "" }
    public var expirationDate: String? { trackingBox?.expirationDate }
}

/// One immutable item ledger entry: a signed base quantity at a location, no bin (DOMAIN.md §2.8).
public struct ItemLedgerEntry: Sendable, Hashable {
    public var entryNo: Int
    public var entryType: EntryType
    public var postingDate: String
    public var documentNo: String
    public var location: String
    public var item: String
    /// Signed, base unit.
    public var quantity: Quantity
    public var unitOfMeasure: String
    public var quantityPerUnit: Quantity
    /// Made by Calculate Whse. Adjustment (or a phys. inventory at a directed location).
    public var warehouseAdjustment: Bool
    public var source: String
    public var user: String
    public var timestamp: String
    /// Lot, serial no. and expiration date, boxed: most entries are untracked and carry one nil pointer.
    var trackingBox: TrackingBox? = nil
    public var lot: String { trackingBox?.lot ?? "" }
    public var serial: String { trackingBox?.serial ?? "" }
    public var expirationDate: String? { trackingBox?.expirationDate }
}

/// One physical inventory ledger entry: the record that an item was counted (DOMAIN.md §2.9).
public struct PhysInventoryLedgerEntry: Sendable, Hashable {
    public var entryNo: Int
    public var entryType: EntryType
    public var postingDate: String
    public var documentNo: String
    public var location: String
    public var bin: String?
    public var item: String
    /// The difference's magnitude; its direction is the entry type.
    public var quantity: Quantity
    public var quantityCalculated: Quantity
    public var quantityPhysInventory: Quantity
    public var unitOfMeasure: String
    /// The last item ledger entry number when the line was calculated.
    public var lastItemLedgerEntryNo: Int
    public var user: String
    public var timestamp: String
    public var lot: String = ""
    public var serial: String = ""
    /// Set when the line came from a counting-period calculation.
    public var countingPeriod: String? = nil
}

/// The ranges of entries one posting wrote (a warehouse/item register).
public struct PostingSummary: Sendable, Hashable {
    public var registerNo: Int
    public var warehouseEntries: ClosedRange<Int>?
    public var itemLedgerEntries: ClosedRange<Int>?
    public var physInventoryEntries: ClosedRange<Int>?
    public var lines: Int
    /// Capacity exceeded under Allow More Than Max. Capacity (and by counts), in entry order.
    public var warnings: [String] = []
}

/// The tracking numbers of a ledger entry (see `WarehouseEntry.lot`); nil for an untracked entry.
public final class TrackingBox: Sendable, Hashable {
    public let lot: String
    public let serial: String
    public let expirationDate: String?
    init(lot: String, serial: String, expirationDate: String?) {
        self.lot = lot
        self.serial = serial
        self.expirationDate = expirationDate
    }
    /// nil when there is nothing to keep.
    static func make(_ t: Tracking) -> TrackingBox? {
        make(lot: t.lot, serial: t.serial, expirationDate: t.expirationDate)
    }
    static func make(lot: String, serial: String, expirationDate: String?) -> TrackingBox? {
        lot.isEmpty && serial.isEmpty && expirationDate == nil
            ? nil : TrackingBox(lot: lot, serial: serial, expirationDate: expirationDate)
    }
    public static func == (a: TrackingBox, b: TrackingBox) -> Bool {
        a.lot == b.lot && a.serial == b.serial && a.expirationDate == b.expirationDate
    }
    public func hash(into h: inout Hasher) {
        h.combine(lot)
        h.combine(serial)
        h.combine(expirationDate)
    }
}
