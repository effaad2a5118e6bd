import Warehouse

// Params of the journal methods (protocol.md 13.2, 13.3) and the lines they carry. The lines are the ledger's own line
// types where the wire line and the ledger line are the same; an item journal line differs (its document no. and
// posting date default to the request's), so it has its own.

/// The members of a warehouse journal request: a location, the document, and lines of the journal's own type.
public enum WarehouseJournalKey: String, MemberKey {
    case location, documentNo, registeringDate, lines
}

/// A warehouse journal registered in one request. A new journal of this kind needs its line type (a `WireObject`)
/// and a params type naming its method and line.
public protocol WarehouseJournalParams: RPCParams where Key == WarehouseJournalKey {
    associatedtype Line: WireObject
    var location: String { get }
    var documentNo: String? { get }
    var registeringDate: String? { get }
    var lines: [Line] { get }
    init(location: String, documentNo: String?, registeringDate: String?, lines: [Line])
}

extension WarehouseJournalParams {
    public init(decoding p: Params) throws(RPCError) {
        let m = try Self.members(p)
        let location = try m.string(.location)
        let documentNo = try m.optionalString(.documentNo)
        let date = try m.optionalString(.registeringDate)
        let lines = try m.list(.lines, of: Line.self, max: AdmissionLimits.maxJournalLines)
        self.init(location: location, documentNo: documentNo, registeringDate: date, lines: lines)
    }

    public func encoded() -> JSON {
        var w = MemberWriter<Key>()
        w.set(.location, location)
        w.set(.documentNo, documentNo)
        w.set(.registeringDate, registeringDate)
        w.set(.lines, lines)
        return w.json
    }
}

/// `whseItemJournal.register`.
public struct WhseItemJournalRegisterParams: WarehouseJournalParams {
    public static let method = "whseItemJournal.register"
    public var location: String
    public var documentNo: String?
    public var registeringDate: String?
    public var lines: [WhseItemJournalLine]
    public init(
        location: String, documentNo: String? = nil, registeringDate: String? = nil, lines: [WhseItemJournalLine]
    ) {
        self.location = location
        self.documentNo = documentNo
        self.registeringDate = registeringDate
        self.lines = lines
    }
}

/// `whseReclassJournal.register`.
public struct WhseReclassJournalRegisterParams: WarehouseJournalParams {
    public static let method = "whseReclassJournal.register"
    public var location: String
    public var documentNo: String?
    public var registeringDate: String?
    public var lines: [WhseReclassJournalLine]
    public init(
        location: String, documentNo: String? = nil, registeringDate: String? = nil,
        lines: [WhseReclassJournalLine]
    ) {
        self.location = location
        self.documentNo = documentNo
        self.registeringDate = registeringDate
        self.lines = lines
    }
}

extension WhseItemJournalLine: WireObject {
    public enum Key: String, MemberKey {
        case item, zone, bin, quantity, unitOfMeasure, lot, serial, expirationDate
    }

    public init(decoding p: Params) throws(RPCError) {
        let m = try p.members(Key.self)
        self.init(
            item: try m.string(.item), zone: try m.optionalString(.zone), bin: try m.string(.bin),
            quantity: try m.quantity(.quantity), unitOfMeasure: try m.optionalString(.unitOfMeasure),
            lot: try m.optionalString(.lot), serial: try m.optionalString(.serial),
            expirationDate: try m.optionalString(.expirationDate))
    }

    public func encoded() -> JSON {
        var w = MemberWriter<Key>()
        w.set(.item, item)
        w.set(.zone, zone)
        w.set(.bin, bin)
        w.set(.quantity, quantity)
        w.set(.unitOfMeasure, unitOfMeasure)
        w.set(.lot, lot)
        w.set(.serial, serial)
        w.set(.expirationDate, expirationDate)
        return w.json
    }
}

extension WhseReclassJournalLine: WireObject {
    public enum Key: String, MemberKey {
        case item, fromBin, toBin, quantity, unitOfMeasure, lot, serial, newLot, newSerial, newExpirationDate
    }

    public init(decoding p: Params) throws(RPCError) {
        let m = try p.members(Key.self)
        self.init(
            item: try m.string(.item), fromBin: try m.string(.fromBin), toBin: try m.string(.toBin),
            quantity: try m.quantity(.quantity), unitOfMeasure: try m.optionalString(.unitOfMeasure),
            lot: try m.optionalString(.lot), serial: try m.optionalString(.serial),
            newLot: try m.optionalString(.newLot),
            newSerial: try m.optionalString(.newSerial), newExpirationDate: try m.optionalString(.newExpirationDate))
    }

    public func encoded() -> JSON {
        var w = MemberWriter<Key>()
        w.set(.item, item)
        w.set(.fromBin, fromBin)
        w.set(.toBin, toBin)
        w.set(.quantity, quantity)
        w.set(.unitOfMeasure, unitOfMeasure)
        w.set(.lot, lot)
        w.set(.serial, serial)
        w.set(.newLot, newLot)
        w.set(.newSerial, newSerial)
        w.set(.newExpirationDate, newExpirationDate)
        return w.json
    }
}

/// `itemJournal.calculateWhseAdjustment`.
public struct ItemJournalCalculateWhseAdjustmentParams: RPCParams {
    public static let method = "itemJournal.calculateWhseAdjustment"
    public enum Key: String, MemberKey { case batch, location, item, documentNo, postingDate }
    public var batch: String?
    public var location: String?
    public var item: String?
    public var documentNo: String?
    public var postingDate: String?

    public init(
        batch: String? = nil, location: String? = nil, item: String? = nil, documentNo: String? = nil,
        postingDate: String? = nil
    ) {
        self.batch = batch
        self.location = location
        self.item = item
        self.documentNo = documentNo
        self.postingDate = postingDate
    }

    public init(decoding p: Params) throws(RPCError) {
        let m = try Self.members(p)
        batch = try m.optionalString(.batch)
        location = try m.optionalString(.location)
        item = try m.optionalString(.item)
        documentNo = try m.optionalString(.documentNo)
        postingDate = try m.optionalString(.postingDate)
    }

    public func encoded() -> JSON {
        var w = MemberWriter<Key>()
        w.set(.batch, batch)
        w.set(.location, location)
        w.set(.item, item)
        w.set(.documentNo, documentNo)
        w.set(.postingDate, postingDate)
        return w.json
    }
}

/// The batch a request names; `DEFAULT` when it names none.
public enum BatchKey: String, MemberKey { case batch }

/// Params naming only an item journal batch.
public protocol BatchParams: RPCParams where Key == BatchKey {
    var batch: String? { get }
    init(batch: String?)
}

extension BatchParams {
    public static var defaultBatch: String { "DEFAULT" }

    public init(decoding p: Params) throws(RPCError) {
        self.init(batch: try Self.members(p).optionalString(.batch))
    }

    public func encoded() -> JSON {
        var w = MemberWriter<Key>()
        w.set(.batch, batch)
        return w.json
    }
}

/// `itemJournal.get`.
public struct ItemJournalGetParams: BatchParams {
    public static let method = "itemJournal.get"
    public var batch: String?
    public init(batch: String? = nil) { self.batch = batch }
}

/// `itemJournal.delete`.
public struct ItemJournalDeleteParams: BatchParams {
    public static let method = "itemJournal.delete"
    public var batch: String?
    public init(batch: String? = nil) { self.batch = batch }
}

/// `itemJournal.post`: either a batch made by Calculate Whse. Adjustment, or lines.
public struct ItemJournalPostParams: RPCParams {
    public static let method = "itemJournal.post"
    public enum Key: String, MemberKey { case batch, lines, documentNo, postingDate }
    public var batch: String?
    /// Empty when `batch` is given.
    public var lines: [ItemJournalPostLine]
    /// The default of the lines' own.
    public var documentNo: String?
    public var postingDate: String?

    public init(batch: String) {
        self.batch = batch
        self.lines = []
        self.documentNo = nil
        self.postingDate = nil
    }

    public init(lines: [ItemJournalPostLine], documentNo: String? = nil, postingDate: String? = nil) {
        self.batch = nil
        self.lines = lines
        self.documentNo = documentNo
        self.postingDate = postingDate
    }

    public init(decoding p: Params) throws(RPCError) {
        let m = try Self.members(p)
        if let batch = try m.optionalString(.batch) {
            for k in [Key.lines, .documentNo, .postingDate] where m.has(k) {
                throw RPCError.invalidParams(
                    "\(k.rawValue) does not go with batch: a batch's lines carry their own",
                    param: k.rawValue)
            }
            self.init(batch: batch)
            return
        }
        let documentNo = try m.optionalString(.documentNo)
        let postingDate = try m.optionalString(.postingDate)
        let lines = try m.list(.lines, of: ItemJournalPostLine.self, max: AdmissionLimits.maxJournalLines)
        self.init(lines: lines, documentNo: documentNo, postingDate: postingDate)
    }

    public func encoded() -> JSON {
        var w = MemberWriter<Key>()
        if let batch {
            w.set(.batch, batch)
        } else {
            w.set(.lines, lines)
            w.set(.documentNo, documentNo)
            w.set(.postingDate, postingDate)
        }
        return w.json
    }
}

/// A line of `itemJournal.post`. Its tracking is the whole line's (`lot`, `serial`, `expirationDate`) or split over
/// `tracking` lines.
public struct ItemJournalPostLine: WireObject, Hashable {
    public enum Key: String, MemberKey {
        case entryType, location, bin, item, quantity, unitOfMeasure, documentNo, postingDate, lot, serial,
            expirationDate,
            tracking
    }
    public var entryType: EntryType
    public var location: String
    public var bin: String?
    public var item: String
    public var quantity: Quantity
    public var unitOfMeasure: String?
    /// nil: the request's.
    public var documentNo: String?
    public var postingDate: String?
    public var lot: String?
    public var serial: String?
    public var expirationDate: String?
    public var tracking: [TrackingLine]

    public init(
        entryType: EntryType, location: String, bin: String? = nil, item: String, quantity: Quantity,
        unitOfMeasure: String? = nil, documentNo: String? = nil, postingDate: String? = nil, lot: String? = nil,
        serial: String? = nil, expirationDate: String? = nil, tracking: [TrackingLine] = []
    ) {
        self.entryType = entryType
        self.location = location
        self.bin = bin
        self.item = item
        self.quantity = quantity
        self.unitOfMeasure = unitOfMeasure
        self.documentNo = documentNo
        self.postingDate = postingDate
        self.lot = lot
        self.serial = serial
        self.expirationDate = expirationDate
        self.tracking = tracking
    }

    public init(decoding p: Params) throws(RPCError) {
        let m = try p.members(Key.self)
        entryType = try m.requiredEnum(.entryType, EntryType.self)
        tracking = try m.list(
            .tracking, of: TrackingLine.self, max: Ledger.maxTrackingLines, limit: "maxTrackingLines",
            required: false)
        location = try m.string(.location)
        bin = try m.optionalString(.bin)
        item = try m.string(.item)
        quantity = try m.quantity(.quantity)
        unitOfMeasure = try m.optionalString(.unitOfMeasure)
        documentNo = try m.optionalString(.documentNo)
        postingDate = try m.optionalString(.postingDate)
        lot = try m.optionalString(.lot)
        serial = try m.optionalString(.serial)
        expirationDate = try m.optionalString(.expirationDate)
    }

    public func encoded() -> JSON {
        var w = MemberWriter<Key>()
        w.set(.entryType, entryType)
        w.set(.location, location)
        w.set(.bin, bin)
        w.set(.item, item)
        w.set(.quantity, quantity)
        w.set(.unitOfMeasure, unitOfMeasure)
        w.set(.documentNo, documentNo)
        w.set(.postingDate, postingDate)
        w.set(.lot, lot)
        w.set(.serial, serial)
        w.set(.expirationDate, expirationDate)
        if !tracking.isEmpty { w.set(.tracking, tracking) }
        return w.json
    }

    /// The ledger's line, with the request's document no. and posting date where the line names none.
    public func ledgerLine(documentNo: String, postingDate: String?) -> ItemJournalLine {
        ItemJournalLine(
            entryType: entryType, location: location, bin: bin, item: item, quantity: quantity,
            unitOfMeasure: unitOfMeasure, documentNo: self.documentNo ?? documentNo,
            postingDate: self.postingDate ?? postingDate, lot: lot, serial: serial, expirationDate: expirationDate,
            tracking: tracking)
    }
}

/// A tracking line of an item journal line. `quantityBase` is the ledger's own (set on generated lines), never sent.
extension TrackingLine: WireObject {
    public enum Key: String, MemberKey { case lot, serial, expirationDate, quantity }

    public init(decoding p: Params) throws(RPCError) {
        let m = try p.members(Key.self)
        self.init(
            lot: try m.optionalString(.lot), serial: try m.optionalString(.serial),
            expirationDate: try m.optionalString(.expirationDate), quantity: try m.quantity(.quantity))
    }

    public func encoded() -> JSON {
        var w = MemberWriter<Key>()
        w.set(.lot, lot)
        w.set(.serial, serial)
        w.set(.expirationDate, expirationDate)
        w.set(.quantity, quantity)
        return w.json
    }
}

/// `itemReclassJournal.post`.
public struct ItemReclassJournalPostParams: RPCParams {
    public static let method = "itemReclassJournal.post"
    public enum Key: String, MemberKey { case documentNo, postingDate, lines }
    public var documentNo: String?
    public var postingDate: String?
    public var lines: [ItemReclassJournalLine]

    public init(documentNo: String? = nil, postingDate: String? = nil, lines: [ItemReclassJournalLine]) {
        self.documentNo = documentNo
        self.postingDate = postingDate
        self.lines = lines
    }

    public init(decoding p: Params) throws(RPCError) {
        let m = try Self.members(p)
        documentNo = try m.optionalString(.documentNo)
        postingDate = try m.optionalString(.postingDate)
        lines = try m.list(.lines, of: ItemReclassJournalLine.self, max: AdmissionLimits.maxJournalLines)
    }

    public func encoded() -> JSON {
        var w = MemberWriter<Key>()
        w.set(.documentNo, documentNo)
        w.set(.postingDate, postingDate)
        w.set(.lines, lines)
        return w.json
    }
}

extension ItemReclassJournalLine: WireObject {
    public enum Key: String, MemberKey {
        case item, location, bin, newLocation, newBin, quantity, unitOfMeasure, lot, serial, newLot, newSerial,
            newExpirationDate
    }

    public init(decoding p: Params) throws(RPCError) {
        let m = try p.members(Key.self)
        self.init(
            item: try m.string(.item), location: try m.string(.location), bin: try m.optionalString(.bin),
            newLocation: try m.optionalString(.newLocation), newBin: try m.optionalString(.newBin),
            quantity: try m.quantity(.quantity), unitOfMeasure: try m.optionalString(.unitOfMeasure),
            lot: try m.optionalString(.lot), serial: try m.optionalString(.serial),
            newLot: try m.optionalString(.newLot),
            newSerial: try m.optionalString(.newSerial), newExpirationDate: try m.optionalString(.newExpirationDate))
    }

    public func encoded() -> JSON {
        var w = MemberWriter<Key>()
        w.set(.item, item)
        w.set(.location, location)
        w.set(.bin, bin)
        w.set(.newLocation, newLocation)
        w.set(.newBin, newBin)
        w.set(.quantity, quantity)
        w.set(.unitOfMeasure, unitOfMeasure)
        w.set(.lot, lot)
        w.set(.serial, serial)
        w.set(.newLot, newLot)
        w.set(.newSerial, newSerial)
        w.set(.newExpirationDate, newExpirationDate)
        return w.json
    }
}

extension ParamsCatalogue {
    static let journals: [any RPCParams.Type] = [
        WhseItemJournalRegisterParams.self, WhseReclassJournalRegisterParams.self,
        ItemJournalCalculateWhseAdjustmentParams.self, ItemJournalGetParams.self, ItemJournalDeleteParams.self,
        ItemJournalPostParams.self, ItemReclassJournalPostParams.self
    ]
}
