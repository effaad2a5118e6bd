import Warehouse

/// One location's availability of an item (`item.availability`).
public struct AvailabilityResult: RPCResult, Hashable {
    public enum Key: String, MemberKey {
        case location, item, inventory, inBins, adjustmentBin, available, availableToPick, reserved, availableToReserve,
            lots
    }

    /// What one lot of the item can still be picked and reserved at the location.
    public struct Lot: RPCResult, Hashable {
        public enum Key: String, MemberKey { case lot, availableToPick, availableToReserve }
        public var lot: String
        public var availableToPick: Quantity
        public var availableToReserve: Quantity

        public init(lot: String, availableToPick: Quantity, availableToReserve: Quantity) {
            self.lot = lot
            self.availableToPick = availableToPick
            self.availableToReserve = availableToReserve
        }

        public init(decoding p: Params) throws(RPCError) {
            let m = p.resultMembers(Key.self)
            lot = try m.text(.lot)
            availableToPick = try m.quantity(.availableToPick)
            availableToReserve = try m.quantity(.availableToReserve)
        }

        public func encoded() -> JSON {
            var w = MemberWriter<Key>()
            w.set(.lot, lot)
            w.set(.availableToPick, availableToPick)
            w.set(.availableToReserve, availableToReserve)
            return w.json
        }
    }

    public var location: String
    public var item: String
    public var inventory: Quantity
    public var inBins: Quantity
    public var adjustmentBin: Quantity
    public var available: Quantity
    public var availableToPick: Quantity
    public var reserved: Quantity
    public var availableToReserve: Quantity
    /// Only when the request asked for the lots: one row per lot.
    public var lots: [Lot]?

    public init(
        location: String, item: String, inventory: Quantity, inBins: Quantity, adjustmentBin: Quantity,
        available: Quantity, availableToPick: Quantity, reserved: Quantity, availableToReserve: Quantity,
        lots: [Lot]? = nil
    ) {
        self.location = location
        self.item = item
        self.inventory = inventory
        self.inBins = inBins
        self.adjustmentBin = adjustmentBin
        self.available = available
        self.availableToPick = availableToPick
        self.reserved = reserved
        self.availableToReserve = availableToReserve
        self.lots = lots
    }

    public init(_ a: Availability, lots: [Lot]? = nil) {
        self.init(
            location: a.location, item: a.item, inventory: a.inventory, inBins: a.inBins,
            adjustmentBin: a.adjustmentBin, available: a.available, availableToPick: a.availableToPick,
            reserved: a.reserved, availableToReserve: a.availableToReserve, lots: lots)
    }

    public init(decoding p: Params) throws(RPCError) {
        let m = p.resultMembers(Key.self)
        location = try m.text(.location)
        item = try m.text(.item)
        inventory = try m.quantity(.inventory)
        inBins = try m.quantity(.inBins)
        adjustmentBin = try m.quantity(.adjustmentBin)
        available = try m.quantity(.available)
        availableToPick = try m.quantity(.availableToPick)
        reserved = try m.quantity(.reserved)
        availableToReserve = try m.quantity(.availableToReserve)
        lots = try m.optionalArray(.lots) == nil ? nil : try m.objects(.lots, of: Lot.self)
    }

    public func encoded() -> JSON {
        var w = MemberWriter<Key>()
        w.set(.location, location)
        w.set(.item, item)
        w.set(.inventory, inventory)
        w.set(.inBins, inBins)
        w.set(.adjustmentBin, adjustmentBin)
        w.set(.available, available)
        w.set(.availableToPick, availableToPick)
        w.set(.reserved, reserved)
        w.set(.availableToReserve, availableToReserve)
        w.set(.lots, lots)
        return w.json
    }
}

/// The answer of `item.availability`.
public struct ItemAvailabilityResult: RPCResult {
    public enum Key: String, MemberKey { case locations }
    public var locations: [AvailabilityResult]

    public init(locations: [AvailabilityResult]) { self.locations = locations }

    public init(decoding p: Params) throws(RPCError) {
        locations = try p.resultMembers(Key.self).objects(.locations, of: AvailabilityResult.self)
    }

    public func encoded() -> JSON {
        var w = MemberWriter<Key>()
        w.set(.locations, locations)
        return w.json
    }
}

/// The answer of `bin.contents` and `item.bins`: bin content rows, lean or with the members `fields` chose
/// (`MemberDefaults.binContentRow`), so each row stays the JSON object whsed wrote.
public struct BinContentRowsResult: RPCResult {
    public enum Key: String, MemberKey { case rows }
    public var rows: [JSON]

    public init(rows: [JSON]) { self.rows = rows }

    public init(decoding p: Params) throws(RPCError) {
        rows = try p.resultMembers(Key.self).optionalArray(.rows) ?? []
    }

    public func encoded() -> JSON {
        var w = MemberWriter<Key>()
        w.set(.rows, rows)
        return w.json
    }
}

/// A line of an item journal batch as `itemJournal.get` and `itemJournal.calculateWhseAdjustment` show it.
public struct ItemJournalLineResult: RPCResult, Hashable {
    public enum Key: String, MemberKey {
        case entryType, location, bin, item, quantity, quantityBase, unitOfMeasure, documentNo, postingDate,
            warehouseAdjustment, lot, serial, expirationDate, tracking
    }

    /// One tracking line of a line that carries several lots or serial nos.
    public struct Tracking: RPCResult, Hashable {
        public enum Key: String, MemberKey { case lot, serial, expirationDate, quantity, quantityBase }
        public var lot: String?
        public var serial: String?
        public var expirationDate: String?
        public var quantity: Quantity
        public var quantityBase: Quantity?

        public init(
            lot: String? = nil, serial: String? = nil, expirationDate: String? = nil, quantity: Quantity,
            quantityBase: Quantity? = nil
        ) {
            self.lot = lot
            self.serial = serial
            self.expirationDate = expirationDate
            self.quantity = quantity
            self.quantityBase = quantityBase
        }

        public init(_ t: TrackingLine) {
            self.init(
                lot: t.lot, serial: t.serial, expirationDate: t.expirationDate, quantity: t.quantity,
                quantityBase: t.quantityBase)
        }

        public init(decoding p: Params) throws(RPCError) {
            let m = p.resultMembers(Key.self)
            lot = try m.optionalText(.lot)
            serial = try m.optionalText(.serial)
            expirationDate = try m.optionalText(.expirationDate)
            quantity = try m.quantity(.quantity)
            quantityBase = try m.optionalQuantity(.quantityBase)
        }

        public func encoded() -> JSON {
            var w = MemberWriter<Key>()
            w.setOrNull(.lot, lot)
            w.setOrNull(.serial, serial)
            w.setOrNull(.expirationDate, expirationDate)
            w.set(.quantity, quantity)
            w.setOrNull(.quantityBase, quantityBase)
            return w.json
        }
    }

    public var entryType: EntryType
    public var location: String
    public var bin: String?
    public var item: String
    public var quantity: Quantity
    public var quantityBase: Quantity?
    public var unitOfMeasure: String?
    public var documentNo: String
    public var postingDate: String?
    public var warehouseAdjustment: Bool
    public var lot: String?
    public var serial: String?
    public var expirationDate: String?
    public var tracking: [Tracking]

    public init(
        entryType: EntryType, location: String, bin: String? = nil, item: String, quantity: Quantity,
        quantityBase: Quantity? = nil, unitOfMeasure: String? = nil, documentNo: String = "",
        postingDate: String? = nil, warehouseAdjustment: Bool = false, lot: String? = nil, serial: String? = nil,
        expirationDate: String? = nil, tracking: [Tracking] = []
    ) {
        self.entryType = entryType
        self.location = location
        self.bin = bin
        self.item = item
        self.quantity = quantity
        self.quantityBase = quantityBase
        self.unitOfMeasure = unitOfMeasure
        self.documentNo = documentNo
        self.postingDate = postingDate
        self.warehouseAdjustment = warehouseAdjustment
        self.lot = lot
        self.serial = serial
        self.expirationDate = expirationDate
        self.tracking = tracking
    }

    public init(_ l: ItemJournalLine) {
        self.init(
            entryType: l.entryType, location: l.location, bin: l.bin, item: l.item, quantity: l.quantity,
            quantityBase: l.quantityBase, unitOfMeasure: l.unitOfMeasure, documentNo: l.documentNo,
            postingDate: l.postingDate, warehouseAdjustment: l.warehouseAdjustment, lot: l.lot, serial: l.serial,
            expirationDate: l.expirationDate, tracking: l.tracking.map(Tracking.init))
    }

    public init(decoding p: Params) throws(RPCError) {
        let m = p.resultMembers(Key.self)
        entryType = try m.requiredEnum(.entryType, EntryType.self)
        location = try m.text(.location)
        bin = try m.optionalText(.bin)
        item = try m.text(.item)
        quantity = try m.quantity(.quantity)
        quantityBase = try m.optionalQuantity(.quantityBase)
        unitOfMeasure = try m.optionalText(.unitOfMeasure)
        documentNo = try m.optionalText(.documentNo) ?? ""
        postingDate = try m.optionalText(.postingDate)
        warehouseAdjustment = try m.optionalBool(.warehouseAdjustment) ?? false
        lot = try m.optionalText(.lot)
        serial = try m.optionalText(.serial)
        expirationDate = try m.optionalText(.expirationDate)
        tracking = try m.list(.tracking, of: Tracking.self, max: Int.max, required: false)
    }

    public func encoded() -> JSON {
        var w = MemberWriter<Key>()
        w.set(.entryType, entryType)
        w.set(.location, location)
        w.setOrNull(.bin, bin)
        w.set(.item, item)
        w.set(.quantity, quantity)
        w.setOrNull(.quantityBase, quantityBase)
        w.setOrNull(.unitOfMeasure, unitOfMeasure)
        w.set(.documentNo, documentNo)
        w.setOrNull(.postingDate, postingDate)
        w.set(.warehouseAdjustment, warehouseAdjustment)
        w.setOrNull(.lot, lot)
        w.setOrNull(.serial, serial)
        w.setOrNull(.expirationDate, expirationDate)
        w.set(.tracking, tracking)
        return w.json
    }
}

/// The answer of the `physInventory.*` methods that show a journal (`calculate`, `get`, `recordCounts`,
/// `recalculate`): its lines with the adjustment each would post.
public struct PhysInventoryJournalResult: RPCResult {
    public enum Key: String, MemberKey {
        case journal, location, documentNo, postingDate, createdBy, createdAt, lines, nextAfter
    }

    /// One line of the journal.
    public struct Line: RPCResult, Hashable {
        public enum Key: String, MemberKey {
            case lineNo, item, bin, unitOfMeasure, quantityCalculated, quantityPhysInventory, counted, entryType,
                quantity, stale, lot, serial, countingPeriod, expirationDate
        }
        public var lineNo: Int
        public var item: String
        public var bin: String?
        public var unitOfMeasure: String
        public var quantityCalculated: Quantity
        public var quantityPhysInventory: Quantity
        public var counted: Bool
        /// `positiveAdjmt` or `negativeAdjmt`: the kind of entry posting would write.
        public var entryType: EntryType
        /// The magnitude of the difference.
        public var quantity: Quantity
        public var stale: Bool
        public var lot: String?
        public var serial: String?
        public var countingPeriod: String?
        public var expirationDate: String?

        public init(
            lineNo: Int, item: String, bin: String? = nil, unitOfMeasure: String, quantityCalculated: Quantity,
            quantityPhysInventory: Quantity, counted: Bool = false, entryType: EntryType = .positiveAdjmt,
            quantity: Quantity = .zero, stale: Bool = false, lot: String? = nil, serial: String? = nil,
            countingPeriod: String? = nil, expirationDate: String? = nil
        ) {
            self.lineNo = lineNo
            self.item = item
            self.bin = bin
            self.unitOfMeasure = unitOfMeasure
            self.quantityCalculated = quantityCalculated
            self.quantityPhysInventory = quantityPhysInventory
            self.counted = counted
            self.entryType = entryType
            self.quantity = quantity
            self.stale = stale
            self.lot = lot
            self.serial = serial
            self.countingPeriod = countingPeriod
            self.expirationDate = expirationDate
        }

        public init(_ l: PhysInventoryLine, stale: Bool) {
            let d = l.difference
            self.init(
                lineNo: l.lineNo, item: l.item, bin: l.bin, unitOfMeasure: l.unitOfMeasure,
                quantityCalculated: l.quantityCalculated, quantityPhysInventory: l.quantityPhysInventory,
                counted: l.counted, entryType: d.isNegative ? .negativeAdjmt : .positiveAdjmt, quantity: d.magnitude,
                stale: stale, lot: l.lot.codeOrNil, serial: l.serial.codeOrNil, countingPeriod: l.countingPeriod,
                expirationDate: l.expirationDate)
        }

        public init(decoding p: Params) throws(RPCError) {
            let m = p.resultMembers(Key.self)
            lineNo = try m.int(.lineNo, range: 0...Int.max)
            item = try m.text(.item)
            bin = try m.optionalText(.bin)
            unitOfMeasure = try m.text(.unitOfMeasure)
            quantityCalculated = try m.quantity(.quantityCalculated)
            quantityPhysInventory = try m.quantity(.quantityPhysInventory)
            counted = try m.optionalBool(.counted) ?? false
            entryType = try m.requiredEnum(.entryType, EntryType.self)
            quantity = try m.quantity(.quantity)
            stale = try m.optionalBool(.stale) ?? false
            lot = try m.optionalText(.lot)
            serial = try m.optionalText(.serial)
            countingPeriod = try m.optionalText(.countingPeriod)
            expirationDate = try m.optionalText(.expirationDate)
        }

        public func encoded() -> JSON {
            var w = MemberWriter<Key>()
            w.set(.lineNo, lineNo)
            w.set(.item, item)
            w.setOrNull(.bin, bin)
            w.set(.unitOfMeasure, unitOfMeasure)
            w.set(.quantityCalculated, quantityCalculated)
            w.set(.quantityPhysInventory, quantityPhysInventory)
            w.set(.counted, counted)
            w.set(.entryType, entryType)
            w.set(.quantity, quantity)
            w.set(.stale, stale)
            w.setOrNull(.lot, lot)
            w.setOrNull(.serial, serial)
            w.setOrNull(.countingPeriod, countingPeriod)
            w.setOrNull(.expirationDate, expirationDate)
            return w.json
        }
    }

    public var journal: String
    public var location: String
    public var documentNo: String
    public var postingDate: String
    public var createdBy: String
    public var createdAt: String
    public var lines: [Line]
    /// Only when the request asked for a page: the `after` of the next page, `.some(nil)` after the last one.
    public var nextAfter: Int??

    public init(
        journal: String, location: String, documentNo: String = "", postingDate: String, createdBy: String,
        createdAt: String, lines: [Line], nextAfter: Int?? = nil
    ) {
        self.journal = journal
        self.location = location
        self.documentNo = documentNo
        self.postingDate = postingDate
        self.createdBy = createdBy
        self.createdAt = createdAt
        self.lines = lines
        self.nextAfter = nextAfter
    }

    /// The journal as whsed shows it; `stale` names the lines whose bin content changed since they were calculated.
    public init(_ j: PhysInventoryJournal, stale: [Int] = [], nextAfter: Int?? = nil) {
        let staleSet = Set(stale)
        self.init(
            journal: j.name, location: j.location, documentNo: j.documentNo, postingDate: j.postingDate,
            createdBy: j.createdBy, createdAt: j.createdAt,
            lines: j.lines.map { Line($0, stale: staleSet.contains($0.lineNo)) }, nextAfter: nextAfter)
    }

    public init(decoding p: Params) throws(RPCError) {
        let m = p.resultMembers(Key.self)
        journal = try m.text(.journal)
        location = try m.text(.location)
        documentNo = try m.optionalText(.documentNo) ?? ""
        postingDate = try m.text(.postingDate)
        createdBy = try m.text(.createdBy)
        createdAt = try m.text(.createdAt)
        lines = try m.objects(.lines, of: Line.self)
        nextAfter = m.has(.nextAfter) ? .some(try m.optionalInt(.nextAfter, range: 0...Int.max)) : nil
    }

    public func encoded() -> JSON {
        var w = MemberWriter<Key>()
        w.set(.journal, journal)
        w.set(.location, location)
        w.set(.documentNo, documentNo)
        w.set(.postingDate, postingDate)
        w.set(.createdBy, createdBy)
        w.set(.createdAt, createdAt)
        w.set(.lines, lines)
        if let nextAfter { w.setOrNull(.nextAfter, nextAfter) }
        return w.json
    }
}

/// The answer of `whsePhysInventory.list` and `physInventory.list`: one summary per open journal, by name.
public struct CountJournalListResult: RPCResult {
    public enum Key: String, MemberKey { case journals }

    /// An open journal, without its lines. `blind` only for warehouse counts.
    public struct Summary: RPCResult, Hashable {
        public enum Key: String, MemberKey {
            case journal, location, documentNo, lines, counted, blind, createdBy, createdAt
        }
        public var journal: String
        public var location: String
        public var documentNo: String
        /// How many lines the journal has, and how many of them are counted.
        public var lines: Int
        public var counted: Int
        /// Only in `whsePhysInventory.list`.
        public var blind: Bool?
        public var createdBy: String
        public var createdAt: String

        public init(
            journal: String, location: String, documentNo: String = "", lines: Int, counted: Int,
            blind: Bool? = nil, createdBy: String, createdAt: String
        ) {
            self.journal = journal
            self.location = location
            self.documentNo = documentNo
            self.lines = lines
            self.counted = counted
            self.blind = blind
            self.createdBy = createdBy
            self.createdAt = createdAt
        }

        public init(_ j: WhseCountJournal) {
            self.init(
                journal: j.name, location: j.location, documentNo: j.documentNo, lines: j.lines.count,
                counted: j.lines.filter(\.counted).count, blind: j.blind, createdBy: j.createdBy,
                createdAt: j.createdAt)
        }

        public init(_ j: PhysInventoryJournal) {
            self.init(
                journal: j.name, location: j.location, documentNo: j.documentNo, lines: j.lines.count,
                counted: j.lines.filter(\.counted).count, createdBy: j.createdBy, createdAt: j.createdAt)
        }

        public init(decoding p: Params) throws(RPCError) {
            let m = p.resultMembers(Key.self)
            journal = try m.text(.journal)
            location = try m.text(.location)
            documentNo = try m.optionalText(.documentNo) ?? ""
            lines = try m.int(.lines, range: 0...Int.max)
            counted = try m.int(.counted, range: 0...Int.max)
            blind = try m.optionalBool(.blind)
            createdBy = try m.text(.createdBy)
            createdAt = try m.text(.createdAt)
        }

        public func encoded() -> JSON {
            var w = MemberWriter<Key>()
            w.set(.journal, journal)
            w.set(.location, location)
            w.set(.documentNo, documentNo)
            w.set(.lines, lines)
            w.set(.counted, counted)
            w.set(.blind, blind)
            w.set(.createdBy, createdBy)
            w.set(.createdAt, createdAt)
            return w.json
        }
    }

    public var journals: [Summary]

    public init(journals: [Summary]) { self.journals = journals }

    public init(decoding p: Params) throws(RPCError) {
        journals = try p.resultMembers(Key.self).objects(.journals, of: Summary.self)
    }

    public func encoded() -> JSON {
        var w = MemberWriter<Key>()
        w.set(.journals, journals)
        return w.json
    }
}

extension WhseCountJournalResult {
    /// The count list as whsed shows it: `blind` (or a journal calculated blind) hides the calculated quantities and
    /// the preset counts; `stale` names the lines whose bin content changed since they were calculated.
    public init(_ j: WhseCountJournal, blind wantBlind: Bool, stale: [Int] = [], nextAfter: Int?? = nil) {
        let blind = wantBlind || j.blind
        let staleSet = Set(stale)
        self.init(
            journal: j.name, location: j.location, documentNo: j.documentNo, registeringDate: j.registeringDate,
            createdBy: j.createdBy, createdAt: j.createdAt, blind: blind,
            lines: j.lines.map { l in
                Line(
                    lineNo: l.lineNo, zone: l.zone, bin: l.bin, item: l.item, unitOfMeasure: l.unitOfMeasure,
                    counted: l.counted, stale: staleSet.contains(l.lineNo), lot: l.lot.codeOrNil,
                    serial: l.serial.codeOrNil, expirationDate: l.expirationDate, countingPeriod: l.countingPeriod,
                    quantityCalculated: blind ? nil : l.quantityCalculated,
                    quantityPhysInventory: blind && !l.counted ? nil : l.quantityPhysInventory,
                    difference: blind ? nil : (l.quantityPhysInventory.subtracting(l.quantityCalculated) ?? .zero))
            }, nextAfter: nextAfter)
    }
}
