/// A line of an Item Reclassification Journal (DOMAIN.md §3.7): a quantity moved to another bin, location or
/// lot / serial no. at basic and plain locations.
public struct ItemReclassJournalLine: Sendable, Hashable {
    public var item: String
    public var location: String
    public var bin: String?
    /// Defaults: the same location; at a basic location the same bin.
    public var newLocation: String?
    public var newBin: String?
    /// Positive, in `unitOfMeasure` (base when nil).
    public var quantity: Quantity
    public var unitOfMeasure: String?
    public var lot: String?
    public var serial: String?
    public var newLot: String?
    public var newSerial: String?
    public var newExpirationDate: String?
    public init(
        item: String, location: String, bin: String? = nil, newLocation: String? = nil, newBin: String? = nil,
        quantity: Quantity, unitOfMeasure: String? = nil, lot: String? = nil, serial: String? = nil,
        newLot: String? = nil, newSerial: String? = nil, newExpirationDate: String? = nil
    ) {
        self.item = item
        self.location = location
        self.bin = bin
        self.newLocation = newLocation
        self.newBin = newBin
        self.quantity = quantity
        self.unitOfMeasure = unitOfMeasure
        self.lot = lot
        self.serial = serial
        self.newLot = newLot
        self.newSerial = newSerial
        self.newExpirationDate = newExpirationDate
    }
}

extension Ledger {
    /// Posts an Item Reclassification Journal (§3.7, E12): bin to bin at one basic location writes Movement warehouse
    /// entries and no item ledger entry; a change of location or lot / serial writes an item ledger Transfer pair and the
    /// warehouse entries of each basic side. Directed locations refuse: their bins move through the warehouse
    /// reclassification journal, and stock leaves them by transfer (§4.3).
    @discardableResult
    public func postItemReclassJournal(
        documentNo: String = "", postingDate: String? = nil, lines: [ItemReclassJournalLine], context: PostingContext
    ) throws(DomainError) -> PostingSummary {
        try atomically { () throws(DomainError) -> PostingSummary in
            let date = postingDate ?? context.today
            try Ledger.checkDate(date, "posting date")
            try Ledger.checkText(documentNo, "document no.")
            guard !lines.isEmpty else { throw DomainError(.validationFailed, "the journal has no lines") }
            let reservationBefore = reservationLevels(lines.map { ItemLocationKey($0.item, $0.location) })
            let posted = try postLines(lines, number: { i, _ in i + 1 }) { (line, register) throws(DomainError) in
                let from = try location(line.location)
                let to = try location(line.newLocation ?? line.location)
                for l in [from, to] where l.kind == .directed {
                    throw DomainError(
                        .wrongLocationKind,
                        "you cannot reclassify at the directed location \(l.code); use the warehouse reclassification journal for its bins",
                        details: ["location": .text(l.code)])
                }
                let item = try item(line.item)
                try Ledger.checkLineQuantity(line.quantity, allowNegative: false)
                let (unit, perUnit) = try unit(item, line.unitOfMeasure)
                let qb = try base(line.quantity, perUnit, item, unit: unit)
                let (old, new, trackingChange) = try reclassTracking(
                    item, lot: line.lot, serial: line.serial, newLot: line.newLot, newSerial: line.newSerial,
                    newExpirationDate: line.newExpirationDate, perUnit: perUnit, quantity: line.quantity)
                let same = from.code == to.code
                func binOf(_ l: Location, _ code: String?, _ what: String) throws(DomainError) -> Bin? {
                    switch l.kind {
                    case .basic:
                        guard let code else {
                            throw DomainError(.validationFailed, "\(what) is required at the basic location \(l.code)")
                        }
                        return try bin(l.code, code)
                    default:
                        if let code {
                            throw DomainError(
                                .wrongLocationKind, "location \(l.code) has no bins; remove \(what) \(code)")
                        }
                        return nil
                    }
                }
                let fromBin = try binOf(from, line.bin, "bin")
                let toBin = try binOf(to, line.newBin ?? (same ? line.bin : nil), "newBin")
                if same && !trackingChange && fromBin?.code == toBin?.code {
                    throw DomainError(.validationFailed, "the line changes neither location, bin nor lot / serial no.")
                }
                if let b = fromBin { try Ledger.checkBlocked(b, inbound: false) }
                if let b = toBin { try Ledger.checkBlocked(b, inbound: true) }
                let internalMove = same && !trackingChange
                if from.kind == .plain {
                    // No bin guards a plain location: its ledger may not go below zero (per lot / serial too).
                    let have = ledgerQuantity(from.code, item: item.no, lot: old.lot, serial: old.serial)
                    if have < qb {
                        throw DomainError(
                            .insufficientQuantity,
                            "location \(from.code) holds \(have) of item \(item.no)\(old.isEmpty ? "" : " (\(old.label))"); \(qb) cannot be taken",
                            details: ["item": .text(item.no), "available": .quantity(have), "requested": .quantity(qb)])
                    }
                }
                if let b = fromBin {
                    try writeWarehouseEntry(
                        type: same ? .movement : .negativeAdjmt, date: date, location: from,
                        bin: b, item: item, quantity: qb.negated, quantityBase: qb.negated,
                        unit: item.baseUnitOfMeasure, perUnit: Quantity(1), documentNo: documentNo,
                        source: "itemReclassJournal", register: register, context: context, tracking: old)
                }
                if let b = toBin {
                    try writeWarehouseEntry(
                        type: same ? .movement : .positiveAdjmt, date: date, location: to,
                        bin: b, item: item, quantity: qb, quantityBase: qb, unit: item.baseUnitOfMeasure,
                        perUnit: Quantity(1), documentNo: documentNo, source: "itemReclassJournal",
                        register: register, context: context, tracking: new)
                }
                if !internalMove {
                    // Bin-to-bin inside one location posts no item ledger entry (§1.12); anything else a Transfer pair.
                    try writeItemLedgerEntry(
                        type: .transfer, date: date, documentNo: documentNo, location: from, item: item,
                        quantity: qb.negated, unit: unit, perUnit: perUnit, warehouseAdjustment: false,
                        source: "itemReclassJournal", context: context, tracking: old)
                    try writeItemLedgerEntry(
                        type: .transfer, date: date, documentNo: documentNo, location: to, item: item,
                        quantity: qb, unit: unit, perUnit: perUnit, warehouseAdjustment: false,
                        source: "itemReclassJournal", context: context, tracking: new)
                }
            }
            try checkReservations(reservationBefore)
            return posted
        }
    }
}
