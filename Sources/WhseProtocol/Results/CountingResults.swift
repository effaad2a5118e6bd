import Warehouse

/// The answer of the `whsePhysInventory.*` methods that show a count journal (`calculate`, `get`, `recordCounts`,
/// `recalculate`): the count list. On a blind count the calculated quantities and the difference are null.
public struct WhseCountJournalResult: RPCResult {
    public enum Key: String, MemberKey {
        case journal, location, documentNo, registeringDate, createdBy, createdAt, blind, lines, nextAfter
    }

    /// One line of the count list.
    public struct Line: RPCResult, Hashable {
        public enum Key: String, MemberKey {
            case lineNo, zone, bin, item, unitOfMeasure, counted, stale, lot, serial, expirationDate, countingPeriod,
                quantityCalculated, quantityPhysInventory, difference
        }
        public var lineNo: Int
        public var zone: String?
        public var bin: String
        public var item: String
        public var unitOfMeasure: String
        public var counted: Bool
        public var stale: Bool
        public var lot: String?
        public var serial: String?
        public var expirationDate: String?
        public var countingPeriod: String?
        public var quantityCalculated: Quantity?
        public var quantityPhysInventory: Quantity?
        public var difference: Quantity?

        public init(
            lineNo: Int, zone: String? = nil, bin: String, item: String, unitOfMeasure: String,
            counted: Bool = false, stale: Bool = false, lot: String? = nil, serial: String? = nil,
            expirationDate: String? = nil, countingPeriod: String? = nil, quantityCalculated: Quantity? = nil,
            quantityPhysInventory: Quantity? = nil, difference: Quantity? = nil
        ) {
            self.lineNo = lineNo
            self.zone = zone
            self.bin = bin
            self.item = item
            self.unitOfMeasure = unitOfMeasure
            self.counted = counted
            self.stale = stale
            self.lot = lot
            self.serial = serial
            self.expirationDate = expirationDate
            self.countingPeriod = countingPeriod
            self.quantityCalculated = quantityCalculated
            self.quantityPhysInventory = quantityPhysInventory
            self.difference = difference
        }

        public init(decoding p: Params) throws(RPCError) {
            let m = p.resultMembers(Key.self)
            lineNo = try m.int(.lineNo, range: 0...Int.max)
            zone = try m.optionalText(.zone)
            bin = try m.text(.bin)
            item = try m.text(.item)
            unitOfMeasure = try m.optionalText(.unitOfMeasure) ?? ""
            counted = try m.optionalBool(.counted) ?? false
            stale = try m.optionalBool(.stale) ?? false
            lot = try m.optionalText(.lot)
            serial = try m.optionalText(.serial)
            expirationDate = try m.optionalText(.expirationDate)
            countingPeriod = try m.optionalText(.countingPeriod)
            quantityCalculated = try m.optionalQuantity(.quantityCalculated)
            quantityPhysInventory = try m.optionalQuantity(.quantityPhysInventory)
            difference = try m.optionalQuantity(.difference)
        }

        public func encoded() -> JSON {
            var w = MemberWriter<Key>()
            w.set(.lineNo, lineNo)
            w.setOrNull(.zone, zone)
            w.set(.bin, bin)
            w.set(.item, item)
            w.set(.unitOfMeasure, unitOfMeasure)
            w.set(.counted, counted)
            w.set(.stale, stale)
            w.setOrNull(.lot, lot)
            w.setOrNull(.serial, serial)
            w.setOrNull(.expirationDate, expirationDate)
            w.setOrNull(.countingPeriod, countingPeriod)
            w.setOrNull(.quantityCalculated, quantityCalculated)
            w.setOrNull(.quantityPhysInventory, quantityPhysInventory)
            w.setOrNull(.difference, difference)
            return w.json
        }
    }

    public var journal: String
    public var location: String
    public var documentNo: String
    public var registeringDate: String?
    public var createdBy: String?
    public var createdAt: String?
    public var blind: Bool
    public var lines: [Line]
    /// Only when the request asked for a page: the `after` of the next page, `.some(nil)` after the last one.
    public var nextAfter: Int??

    public init(
        journal: String, location: String, documentNo: String = "", registeringDate: String? = nil,
        createdBy: String? = nil, createdAt: String? = nil, blind: Bool = false, lines: [Line],
        nextAfter: Int?? = nil
    ) {
        self.journal = journal
        self.location = location
        self.documentNo = documentNo
        self.registeringDate = registeringDate
        self.createdBy = createdBy
        self.createdAt = createdAt
        self.blind = blind
        self.lines = lines
        self.nextAfter = nextAfter
    }

    public init(decoding p: Params) throws(RPCError) {
        let m = p.resultMembers(Key.self)
        journal = try m.text(.journal)
        location = try m.text(.location)
        documentNo = try m.optionalText(.documentNo) ?? ""
        registeringDate = try m.optionalText(.registeringDate)
        createdBy = try m.optionalText(.createdBy)
        createdAt = try m.optionalText(.createdAt)
        blind = try m.optionalBool(.blind) ?? false
        lines = try m.objects(.lines, max: Int.max) { (x: Params) throws(RPCError) -> Line in try Line(decoding: x) }
        nextAfter = m.has(.nextAfter) ? .some(try m.optionalInt(.nextAfter, range: 0...Int.max)) : nil
    }

    public func encoded() -> JSON {
        var w = MemberWriter<Key>()
        w.set(.journal, journal)
        w.set(.location, location)
        w.set(.documentNo, documentNo)
        w.set(.registeringDate, registeringDate)
        w.set(.createdBy, createdBy)
        w.set(.createdAt, createdAt)
        w.set(.blind, blind)
        w.set(.lines, lines)
        if let nextAfter { w.setOrNull(.nextAfter, nextAfter) }
        return w.json
    }
}
