/// A line of a Whse. Item Journal: a signed quantity into (+) or out of (−) one bin.
public struct WhseItemJournalLine: Sendable, Hashable {
    public var item: String
    public var zone: String?
    public var bin: String
    public var quantity: Quantity
    public var unitOfMeasure: String?
    public var lot: String?
    public var serial: String?
    public var expirationDate: String?
    public init(
        item: String, zone: String? = nil, bin: String, quantity: Quantity, unitOfMeasure: String? = nil,
        lot: String? = nil, serial: String? = nil, expirationDate: String? = nil
    ) {
        self.item = item
        self.zone = zone
        self.bin = bin
        self.quantity = quantity
        self.unitOfMeasure = unitOfMeasure
        self.lot = lot
        self.serial = serial
        self.expirationDate = expirationDate
    }
}

/// A line of a Whse. Reclassification Journal: a quantity moved from one bin to another.
public struct WhseReclassJournalLine: Sendable, Hashable {
    public var item: String
    public var fromBin: String
    public var toBin: String
    public var quantity: Quantity
    public var unitOfMeasure: String?
    public var lot: String?
    public var serial: String?
    /// Reclassify the tracking: the To entry carries these (an item ledger Transfer pair records the change, §3.3).
    public var newLot: String?
    public var newSerial: String?
    public var newExpirationDate: String?
    public init(
        item: String, fromBin: String, toBin: String, quantity: Quantity, unitOfMeasure: String? = nil,
        lot: String? = nil, serial: String? = nil, newLot: String? = nil, newSerial: String? = nil,
        newExpirationDate: String? = nil
    ) {
        self.item = item
        self.fromBin = fromBin
        self.toBin = toBin
        self.quantity = quantity
        self.unitOfMeasure = unitOfMeasure
        self.lot = lot
        self.serial = serial
        self.newLot = newLot
        self.newSerial = newSerial
        self.newExpirationDate = newExpirationDate
    }
}

/// Warehouse journals (DOMAIN.md §3.2, §3.3): directed locations only, warehouse entries only.
extension Ledger {
    func directedLocation(_ code: String, _ journal: String) throws(DomainError) -> (Location, Bin) {
        let location = try location(code)
        guard location.kind == .directed, let adj = location.adjustmentBin else {
            throw DomainError(
                .wrongLocationKind,
                "\(journal) is only for directed put-away and pick locations; \(code) is \(location.kind.rawValue)",
                details: ["location": .text(code)])
        }
        return (location, try bin(code, adj))
    }

    /// A bin a user names on a journal line: it exists, matches the zone if one is given, and is not the adjustment bin.
    func userBin(_ location: Location, _ code: String, zone: String?) throws(DomainError) -> Bin {
        let bin = try bin(location.code, code)
        if location.adjustmentBin == code {
            throw DomainError(
                .adjustmentBin, "the adjustment bin \(code) cannot be used on a journal line",
                details: ["bin": .text(code)])
        }
        if let z = zone, z != bin.zone {
            throw DomainError(.validationFailed, "bin \(code) is in zone \(bin.zone ?? "-"), not \(z)")
        }
        return bin
    }

    static func checkBlocked(_ bin: Bin, inbound: Bool) throws(DomainError) {
        let blocked = inbound ? bin.blockMovement.blocksInbound : bin.blockMovement.blocksOutbound
        if blocked {
            throw DomainError(
                .binBlocked,
                "bin \(bin.code) is blocked for \(inbound ? "inbound" : "outbound") movement (block movement: \(bin.blockMovement.rawValue))",
                details: ["bin": .text(bin.code), "blockMovement": .text(bin.blockMovement.rawValue)])
        }
    }

    /// Checks a line quantity: non-zero unless `allowZero`, and within the line limit.
    static func checkLineQuantity(_ q: Quantity, allowZero: Bool = false, allowNegative: Bool = true)
        throws(DomainError)
    {
        if q.isZero && !allowZero { throw DomainError(.validationFailed, "quantity must not be 0") }
        if q.isNegative && !allowNegative { throw DomainError(.validationFailed, "quantity must not be negative") }
        if q.magnitude > Quantity.maxLineMagnitude {
            throw DomainError(.validationFailed, "quantity \(q) is too large")
        }
    }

    /// The base quantity of `q` units of `perUnit`. With the item: `q` must be a multiple of the unit's rounding
    /// precision (no silent rounding of what a person entered), and the base quantity is rounded to the base unit's
    /// precision (E3: 5/6 BOX of 6 PCS is 4.99998 PCS, or 5 with a base precision of 1).
    func base(_ q: Quantity, _ perUnit: Quantity, _ item: Item? = nil, unit: String? = nil) throws(DomainError)
        -> Quantity
    {
        if let item, let unit {
            let p = item.precision(unit)
            if p.units > 1 && q.units % p.units != 0 {
                throw DomainError(
                    .unitOfMeasure,
                    "quantity \(q) \(unit) of item \(item.no) is not a multiple of the unit's rounding precision \(p)",
                    details: ["item": .text(item.no), "unitOfMeasure": .text(unit), "roundingPrecision": .quantity(p)])
            }
        }
        guard var b = q.multiplied(by: perUnit), b.magnitude <= Quantity.maxLineMagnitude else {
            throw DomainError(.overflow, "quantity \(q) × \(perUnit) is out of range")
        }
        if let item, perUnit != Quantity(1) {
            b = b.rounded(toMultipleOf: item.precision(item.baseUnitOfMeasure))
            if b.isZero && !q.isZero {
                throw DomainError(
                    .unitOfMeasure,
                    "\(q) \(unit ?? "") of item \(item.no) is less than the base unit's rounding precision \(item.precision(item.baseUnitOfMeasure)) \(item.baseUnitOfMeasure)",
                    details: [
                        "item": .text(item.no), "roundingPrecision": .quantity(item.precision(item.baseUnitOfMeasure))
                    ])
            }
        }
        return b
    }

    /// The base quantity a take of `quantity` (negative) really moves out of a bin: when it empties the bin content in
    /// its unit, all of the content's base goes with it, so no rounding residue is stranded in the bin (BC registers
    /// such a residue against the adjustment bin, §3.1 step 5). The adjustment bin takes what it is given.
    func takeBase(
        _ location: Location, _ bin: Bin, _ item: Item, unit: String, tracking: Tracking, quantity: Quantity,
        quantityBase: Quantity
    ) -> Quantity {
        guard location.adjustmentBin != bin.code,
            let c = state.contents[ContentKey(location.code, bin.code, item.no, unit, tracking)],
            c.quantity.adding(quantity) == .zero
        else { return quantityBase }
        return c.quantityBase.negated
    }

    /// What every warehouse journal checks first: a directed location (and its adjustment bin), the date, the
    /// document no., and at least one line.
    func whseJournalHeader(
        _ code: String, _ journal: String, registeringDate: String?, documentNo: String, lineCount: Int,
        context: PostingContext
    ) throws(DomainError) -> (Location, Bin, String) {
        let (location, adj) = try directedLocation(code, journal)
        let date = registeringDate ?? context.today
        try Ledger.checkDate(date, "registering date")
        try Ledger.checkText(documentNo, "document no.")
        guard lineCount > 0 else { throw DomainError(.validationFailed, "the journal has no lines") }
        return (location, adj, date)
    }

    /// Registers a Whse. Item Journal: +q moves from the adjustment bin into the bin, −q back (§3.2).
    /// All lines or none; a bin never goes below zero.
    @discardableResult
    public func registerWhseItemJournal(
        location code: String, documentNo: String = "", registeringDate: String? = nil,
        lines: [WhseItemJournalLine], context: PostingContext
    ) throws(DomainError) -> PostingSummary {
        try atomically { () throws(DomainError) -> PostingSummary in
            let (location, adj, date) = try whseJournalHeader(
                code, "the warehouse item journal", registeringDate: registeringDate,
                documentNo: documentNo, lineCount: lines.count, context: context)
            let reservationBefore = reservationLevels(lines.map { ItemLocationKey($0.item, code) })
            let posted = try postLines(lines, number: { i, _ in i + 1 }) { (line, register) throws(DomainError) in
                let item = try item(line.item)
                let bin = try userBin(location, line.bin, zone: line.zone)
                try Ledger.checkLineQuantity(line.quantity)
                let (unit, perUnit) = try unit(item, line.unitOfMeasure)
                let q = line.quantity
                let qb = try base(q, perUnit, item, unit: unit)
                let tracking = try resolveTracking(
                    item, lot: line.lot, serial: line.serial, expirationDate: line.expirationDate,
                    inbound: q.isPositive, perUnit: perUnit, quantity: q)
                // Take entry first, then place entry (§3.1).
                let (from, to) = q.isPositive ? (adj, bin) : (bin, adj)
                try Ledger.checkBlocked(bin, inbound: q.isPositive)
                let moved = takeBase(
                    location, from, item, unit: unit, tracking: tracking, quantity: q.magnitude.negated,
                    quantityBase: qb.magnitude.negated)
                try writeWarehouseEntry(
                    type: .negativeAdjmt, date: date, location: location, bin: from, item: item,
                    quantity: q.magnitude.negated, quantityBase: moved, unit: unit,
                    perUnit: perUnit, documentNo: documentNo, source: "whseItemJournal",
                    register: register, context: context, tracking: tracking)
                try writeWarehouseEntry(
                    type: .positiveAdjmt, date: date, location: location, bin: to, item: item,
                    quantity: q.magnitude, quantityBase: moved.negated, unit: unit,
                    perUnit: perUnit, documentNo: documentNo, source: "whseItemJournal",
                    register: register, context: context, tracking: tracking)
            }
            try checkReservations(reservationBefore)
            return posted
        }
    }

    /// Registers a Whse. Reclassification Journal: bin to bin, Movement entries, no item ledger entry (§3.3).
    @discardableResult
    public func registerWhseReclassJournal(
        location code: String, documentNo: String = "", registeringDate: String? = nil,
        lines: [WhseReclassJournalLine], context: PostingContext
    ) throws(DomainError) -> PostingSummary {
        try atomically { () throws(DomainError) -> PostingSummary in
            let (location, _, date) = try whseJournalHeader(
                code, "the warehouse reclassification journal",
                registeringDate: registeringDate, documentNo: documentNo,
                lineCount: lines.count, context: context)
            let reservationBefore = reservationLevels(lines.map { ItemLocationKey($0.item, code) })
            let posted = try postLines(lines, number: { i, _ in i + 1 }) { (line, register) throws(DomainError) in
                let item = try item(line.item)
                let from = try userBin(location, line.fromBin, zone: nil)
                let to = try userBin(location, line.toBin, zone: nil)
                guard from.code != to.code else {
                    throw DomainError(.validationFailed, "from bin and to bin are the same (\(from.code))")
                }
                for b in [from, to] where b.binType.flatMap({ BinType.standard[$0]?.receive }) == true {
                    throw DomainError(
                        .validationFailed, "bin \(b.code) is a receive bin and cannot be reclassified",
                        details: ["bin": .text(b.code)])
                }
                try Ledger.checkLineQuantity(line.quantity, allowNegative: false)
                try Ledger.checkBlocked(from, inbound: false)
                try Ledger.checkBlocked(to, inbound: true)
                let (unit, perUnit) = try unit(item, line.unitOfMeasure)
                let q = line.quantity
                let qb = try base(q, perUnit, item, unit: unit)
                let (old, new, changes) = try reclassTracking(
                    item, lot: line.lot, serial: line.serial, newLot: line.newLot, newSerial: line.newSerial,
                    newExpirationDate: line.newExpirationDate, perUnit: perUnit, quantity: q)
                let moved = takeBase(
                    location, from, item, unit: unit, tracking: old, quantity: q.negated, quantityBase: qb.negated)
                try writeWarehouseEntry(
                    type: .movement, date: date, location: location, bin: from, item: item,
                    quantity: q.negated, quantityBase: moved, unit: unit, perUnit: perUnit,
                    documentNo: documentNo, source: "whseReclassJournal", register: register,
                    context: context, tracking: old)
                try writeWarehouseEntry(
                    type: .movement, date: date, location: location, bin: to, item: item,
                    quantity: q, quantityBase: moved.negated, unit: unit, perUnit: perUnit,
                    documentNo: documentNo, source: "whseReclassJournal", register: register,
                    context: context, tracking: new)
                if changes {
                    // The item ledger follows the tracking change: a Transfer pair at the location (§3.3).
                    try writeItemLedgerEntry(
                        type: .transfer, date: date, documentNo: documentNo, location: location, item: item,
                        quantity: moved, unit: unit, perUnit: perUnit, warehouseAdjustment: true,
                        source: "whseReclassJournal", context: context, tracking: old)
                    try writeItemLedgerEntry(
                        type: .transfer, date: date, documentNo: documentNo, location: location, item: item,
                        quantity: moved.negated, unit: unit, perUnit: perUnit, warehouseAdjustment: true,
                        source: "whseReclassJournal", context: context, tracking: new)
                }
            }
            try checkReservations(reservationBefore)
            return posted
        }
    }
}
