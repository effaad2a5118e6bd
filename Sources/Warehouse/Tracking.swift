/// Item tracking (DOMAIN.md §2.5, §4.5): which numbers an item carries through bins and ledgers.
public struct ItemTracking: Sendable, Hashable {
    /// Lot Warehouse Tracking: every entry carries a lot no.
    public var lot: Bool
    /// SN Warehouse Tracking: every entry carries a serial no.; one unit per serial.
    public var serial: Bool
    /// Man. Expir. Date Entry Reqd.: a lot (or serial) coming in needs an expiration date.
    public var expirationRequired: Bool
    public init(lot: Bool = false, serial: Bool = false, expirationRequired: Bool = false) {
        self.lot = lot
        self.serial = serial
        self.expirationRequired = expirationRequired
    }
    public static let none = ItemTracking()
    public var isTracked: Bool { lot || serial }
}

/// The tracking numbers of one entry or line; empty strings mean "none".
public struct Tracking: Sendable, Hashable, Comparable {
    public var lot: String
    public var serial: String
    public var expirationDate: String?
    public init(lot: String = "", serial: String = "", expirationDate: String? = nil) {
        self.lot = lot
        self.serial = serial
        self.expirationDate = expirationDate
    }
    public static let none = Tracking()
    public var isEmpty: Bool { lot.isEmpty && serial.isEmpty }
    public static func < (a: Tracking, b: Tracking) -> Bool { (a.lot, a.serial) < (b.lot, b.serial) }
    /// "lot L1", "serial S1", "lot L1 serial S1" or "" for messages.
    public var label: String {
        [lot.isEmpty ? nil : "lot \(lot)", serial.isEmpty ? nil : "serial \(serial)"].compactMap { $0 }.joined(
            separator: " ")
    }
}

/// Item ledger total of one tracking number at a location.
public struct TrackingKey: Hashable, Sendable, Comparable {
    public var item: String
    public var location: String
    public var lot: String
    public var serial: String
    public init(_ item: String, _ location: String, lot: String, serial: String) {
        self.item = item
        self.location = location
        self.lot = lot
        self.serial = serial
    }
    public static func < (a: TrackingKey, b: TrackingKey) -> Bool {
        (a.location, a.item, a.lot, a.serial) < (b.location, b.item, b.lot, b.serial)
    }
}

/// The number an expiration date belongs to: the lot, or the serial of an item without lots.
public struct TrackingNo: Hashable, Sendable, Comparable {
    public var item: String
    public var lot: String
    public var serial: String
    public init(_ item: String, lot: String, serial: String) {
        self.item = item
        self.lot = lot
        self.serial = lot.isEmpty ? serial : ""
    }
    public static func < (a: TrackingNo, b: TrackingNo) -> Bool {
        (a.item, a.lot, a.serial) < (b.item, b.lot, b.serial)
    }
}

extension Ledger {
    /// Checks the lot / serial no. named for `item`: only the kinds of number the item is tracked by, each a valid code.
    func checkTrackingNumbers(_ item: Item, lot: String, serial: String) throws(DomainError) {
        if !lot.isEmpty {
            guard item.tracking.lot else {
                throw DomainError(
                    .itemTracking, "item \(item.no) is not lot tracked; remove lot \(lot)",
                    details: ["item": .text(item.no)])
            }
            try Ledger.checkCode(lot, "lot no.")
        }
        if !serial.isEmpty {
            guard item.tracking.serial else {
                throw DomainError(
                    .itemTracking, "item \(item.no) is not serial tracked; remove serial \(serial)",
                    details: ["item": .text(item.no)])
            }
            try Ledger.checkCode(serial, "serial no.")
        }
    }

    /// The tracking a reclassification line takes (`old`) and gives (`new`); `changes` when the lot or serial no.
    /// changes, which the item ledger records as a Transfer pair (§3.3). A new expiration date needs a new number.
    func reclassTracking(
        _ item: Item, lot: String?, serial: String?, newLot: String?, newSerial: String?, newExpirationDate: String?,
        perUnit: Quantity, quantity: Quantity
    ) throws(DomainError) -> (old: Tracking, new: Tracking, changes: Bool) {
        let old = try resolveTracking(
            item, lot: lot, serial: serial, expirationDate: nil, inbound: false, perUnit: perUnit,
            quantity: quantity)
        let changes = (newLot != nil && newLot != old.lot) || (newSerial != nil && newSerial != old.serial)
        if newExpirationDate != nil && !changes && newExpirationDate != old.expirationDate {
            throw DomainError(
                .itemTracking,
                "a lot's expiration date does not change; reclassify the stock into a new lot with newLot and newExpirationDate"
            )
        }
        guard changes else { return (old, old, false) }
        let new = try resolveTracking(
            item, lot: newLot ?? lot, serial: newSerial ?? serial,
            expirationDate: newExpirationDate ?? (newLot == nil ? old.expirationDate : nil),
            inbound: true, perUnit: perUnit, quantity: quantity)
        return (old, new, true)
    }

    /// Checks the tracking numbers a line gives for `item` and resolves its expiration date (§4.5):
    /// a lot-tracked item needs a lot, a serial-tracked one a serial in a unit of 1 with a quantity of 0 or 1;
    /// an untracked item takes neither. A lot's expiration date never changes; an incoming lot of an item that
    /// requires one must have it (given now or known from before). A new date is remembered for the lot.
    func resolveTracking(
        _ item: Item, lot: String?, serial: String?, expirationDate: String?, inbound: Bool,
        perUnit: Quantity, quantity: Quantity, record: Bool = true
    ) throws(DomainError) -> Tracking {
        let lot = lot ?? ""
        let serial = serial ?? ""
        let t = item.tracking
        func fail(_ m: String) -> DomainError {
            DomainError(.itemTracking, m, details: ["item": .text(item.no)])
        }
        try checkTrackingNumbers(item, lot: lot, serial: serial)
        if lot.isEmpty && t.lot { throw fail("item \(item.no) is lot tracked: the line needs a lot no.") }
        if serial.isEmpty && t.serial { throw fail("item \(item.no) is serial tracked: the line needs a serial no.") }
        if t.serial {
            guard perUnit == Quantity(1) else {
                throw fail("item \(item.no) is serial tracked: use a unit of measure of quantity 1, not \(perUnit)")
            }
            guard quantity.isZero || quantity.magnitude == Quantity(1) else {
                throw fail(
                    "serial \(serial) of item \(item.no): the quantity must be 0 or 1, not \(quantity.magnitude)")
            }
        }
        var expiration = expirationDate
        if let e = expirationDate {
            try Ledger.checkDate(e, "expiration date")
            guard t.isTracked else {
                throw fail("item \(item.no) is not tracked; an expiration date needs a lot or serial no.")
            }
        }
        if t.isTracked {
            let no = TrackingNo(item.no, lot: lot, serial: serial)
            let known = state.expirations[no]
            if let e = expirationDate, let k = known, e != k {
                throw fail(
                    "the expiration date of \(Tracking(lot: lot, serial: serial).label) of item \(item.no) is \(k); it must not change (\(e) given)"
                )
            }
            expiration = expirationDate ?? known
            if inbound && t.expirationRequired && expiration == nil {
                throw fail(
                    "item \(item.no) requires an expiration date for \(Tracking(lot: lot, serial: serial).label)")
            }
            if record, let e = expirationDate, known == nil { setExpiration(no, e) }
        }
        return Tracking(lot: lot, serial: serial, expirationDate: expiration)
    }

}
