/// A reservation of stock for a source document (DOMAIN.md E2): the reserved quantity must be available to pick.
public struct Reservation: Sendable, Hashable {
    public var no: Int
    public var location: String
    public var item: String
    /// Reserved from this lot / serial only when set ("" = any).
    public var lot: String
    public var serial: String
    /// In the item's base unit.
    public var quantityBase: Quantity
    /// The document the stock is reserved for, e.g. a sales order no.
    public var source: String
    public var createdBy: String
    public var createdAt: String
}

/// Reservations and pick availability (DOMAIN.md §2.6, E2).
extension Ledger {
    /// Most open reservations.
    public static let maxReservations = 100_000

    /// Stock that can be picked: directed — bins whose type has Pick (PICK, PUTPICK); basic — every bin; in both cases
    /// not blocked for outbound movement, never the adjustment bin, less the negative differences of counts entered but
    /// not registered (E9). Plain — the item ledger. Filtered to a lot/serial when given.
    public func pickableQuantity(location: Location, item: String, lot: String = "", serial: String = "") -> Quantity {
        let blocked = state.blockedTracking
        func isBlocked(_ l: String, _ s: String) -> Bool {
            !blocked.isEmpty && isTrackingBlocked(item, lot: l, serial: s)
        }
        func matches(_ k: ContentKey) -> Bool {
            (lot.isEmpty || k.lot == lot) && (serial.isEmpty || k.serial == serial) && !isBlocked(k.lot, k.serial)
        }
        if location.kind == .plain {
            if lot.isEmpty && serial.isEmpty && blocked.isEmpty {
                return state.itemLedgerTotals[ItemLocationKey(item, location.code)] ?? .zero
            }
            if state.items[item]?.tracking.isTracked != true {
                return state.itemLedgerTotals[ItemLocationKey(item, location.code)] ?? .zero
            }
            var t = Quantity.zero
            for (k, q) in state.trackingTotals
            where k.item == item && k.location == location.code
                && (lot.isEmpty || k.lot == lot) && (serial.isEmpty || k.serial == serial)
                && !isBlocked(k.lot, k.serial)
            {
                t = t.adding(q) ?? t
            }
            return t.isNegative ? .zero : t
        }
        func pickBin(_ b: Bin?) -> Bool {
            guard let b, b.code != location.adjustmentBin, !b.blockMovement.blocksOutbound else { return false }
            if location.kind == .directed { return b.binType.flatMap { BinType.standard[$0]?.pick } ?? false }
            return true
        }
        var total = Quantity.zero
        for k in state.contentsByItem[item] ?? [] where k.location == location.code && matches(k) {
            guard pickBin(state.bins[k.binKey]), let c = state.contents[k] else { continue }
            total = total.adding(c.quantityBase) ?? total
        }
        for j in state.whseCountJournals.values where j.location == location.code {
            for line in j.lines
            where line.item == item && line.counted && (lot.isEmpty || line.lot == lot)
                && (serial.isEmpty || line.serial == serial) && !isBlocked(line.lot, line.serial)
                && pickBin(state.bins[BinKey(j.location, line.bin)])
            {
                let physBase = line.quantityPhysInventory.multiplied(by: line.quantityPerUnit) ?? .zero
                if let d = physBase.subtracting(line.quantityCalculatedBase), d.isNegative {
                    total = total.adding(d) ?? total
                }
            }
        }
        return total.isNegative ? .zero : total
    }

    /// Σ open reservations of an item at a location (those of one lot/serial, or all when none is given).
    public func reservedQuantity(location: String, item: String, lot: String = "", serial: String = "") -> Quantity {
        var t = Quantity.zero
        for r in state.reservations.values
        where r.location == location && r.item == item
            && (lot.isEmpty || r.lot == lot) && (serial.isEmpty || r.serial == serial)
        {
            t = t.adding(r.quantityBase) ?? t
        }
        return t
    }

    /// Reserves stock. The reservation must fit what is available to pick less what is already reserved (E2): 5 in pick
    /// bins and 100 in put-away bins can carry at most 5 reserved.
    @discardableResult
    public func createReservation(
        location code: String, item no: String, quantity: Quantity, unitOfMeasure: String? = nil, lot: String? = nil,
        serial: String? = nil, source: String, context: PostingContext
    ) throws(DomainError) -> Reservation {
        try atomically { () throws(DomainError) -> Reservation in
            let location = try location(code)
            let item = try item(no)
            try Ledger.checkText(source, "source")
            try Ledger.checkLineQuantity(quantity, allowNegative: false)
            let (_, perUnit) = try unit(item, unitOfMeasure)
            let qb = try base(quantity, perUnit, item)
            let lot = lot ?? ""
            let serial = serial ?? ""
            try checkTrackingNumbers(item, lot: lot, serial: serial)
            guard state.reservations.count < Ledger.maxReservations else {
                throw DomainError(
                    .limitExceeded, "at most \(Ledger.maxReservations) reservations may be open",
                    details: ["limit": .text("maxReservations"), "max": .int(Ledger.maxReservations)])
            }
            // The whole item, then the lot/serial asked for.
            var checks = [("", "")]
            if !lot.isEmpty || !serial.isEmpty { checks.append((lot, serial)) }
            for (l, s) in checks {
                let pickable = pickableQuantity(location: location, item: no, lot: l, serial: s)
                let reserved = reservedQuantity(location: code, item: no, lot: l, serial: s)
                let free = pickable.subtracting(reserved) ?? .zero
                if qb > free {
                    let what = Tracking(lot: l, serial: s).label
                    throw DomainError(
                        .insufficientQuantity,
                        "only \(free.isNegative ? .zero : free) \(item.baseUnitOfMeasure) of item \(no)\(what.isEmpty ? "" : " (\(what))") can be reserved at \(code): \(pickable) available to pick, \(reserved) already reserved",
                        details: [
                            "item": .text(no), "location": .text(code), "availableToPick": .quantity(pickable),
                            "reserved": .quantity(reserved), "requested": .quantity(qb)
                        ])
                }
            }
            state.lastReservationNo += 1
            let r = Reservation(
                no: state.lastReservationNo, location: code, item: no, lot: lot, serial: serial, quantityBase: qb,
                source: source, createdBy: context.user, createdAt: context.timestamp)
            setReservation(r.no, r)
            return r
        }
    }

    /// True when the lot, or the serial no., is blocked.
    public func isTrackingBlocked(_ item: String, lot: String, serial: String) -> Bool {
        (!lot.isEmpty && state.blockedTracking.contains(TrackingNo(item, lot: lot, serial: "")))
            || (!serial.isEmpty && state.blockedTracking.contains(TrackingNo(item, lot: "", serial: serial)))
    }

    /// Blocks or unblocks a lot / serial no. of an item: blocked stock stays in the books but is not available to pick
    /// or reserve (§4.5).
    public func setTrackingBlocked(item no: String, lot: String?, serial: String?, blocked: Bool) throws(DomainError)
        -> Bool
    {
        try atomically { () throws(DomainError) -> Bool in
            let item = try item(no)
            guard item.tracking.isTracked else {
                throw DomainError(.itemTracking, "item \(no) is not lot or serial tracked")
            }
            let lot = lot ?? ""
            let serial = serial ?? ""
            guard lot.isEmpty != serial.isEmpty else {
                throw DomainError(.itemTracking, "name a lot or a serial no. (one of them)")
            }
            try checkTrackingNumbers(item, lot: lot, serial: serial)
            guard state.blockedTracking.count < Ledger.maxReservations || !blocked else {
                throw DomainError(
                    .limitExceeded, "at most \(Ledger.maxReservations) lots / serial nos. may be blocked",
                    details: ["limit": .text("maxBlockedTracking"), "max": .int(Ledger.maxReservations)])
            }
            setBlocked(TrackingNo(no, lot: lot, serial: serial), blocked)
            return blocked
        }
    }

    /// Cancels (deletes) a reservation.
    @discardableResult
    public func cancelReservation(_ no: Int) throws(DomainError) -> Reservation {
        try atomically { () throws(DomainError) -> Reservation in
            guard let r = state.reservations[no] else {
                throw DomainError(.notFound, "reservation \(no) does not exist", details: ["reservation": .int(no)])
            }
            setReservation(no, nil)
            return r
        }
    }

    /// One level a reservation guard watches: an item at a location, or one of its reserved lots / serial nos.
    struct ReservationLevel {
        var key: ItemLocationKey
        var lot: String
        var serial: String
        var pickableBefore: Quantity
    }

    /// Before a posting: the pick availability of every touched item that carries reservations, and of each of its
    /// reserved lots / serial nos. Empty (and free) when nothing is reserved.
    func reservationLevels(_ touched: @autoclosure () -> [ItemLocationKey]) -> [ReservationLevel] {
        guard !state.reservations.isEmpty else { return [] }
        var levels: [ReservationLevel] = []
        for k in Set(touched()).sorted() {
            guard let location = state.locations[k.location] else { continue }
            let rs = state.reservations.values.filter { $0.location == k.location && $0.item == k.item }
            guard !rs.isEmpty else { continue }
            var numbers: Set<Tracking> = [.none]
            for r in rs where !(r.lot.isEmpty && r.serial.isEmpty) {
                numbers.insert(Tracking(lot: r.lot, serial: r.serial))
            }
            for t in numbers.sorted() {
                levels.append(
                    ReservationLevel(
                        key: k, lot: t.lot, serial: t.serial,
                        pickableBefore: pickableQuantity(location: location, item: k.item, lot: t.lot, serial: t.serial)
                    ))
            }
        }
        return levels
    }

    /// After a posting: a touched item (or reserved lot / serial no.) whose pick availability fell below what is reserved
    /// is refused. The caller cancels reservations first; a posting never breaks one silently (BC asks for
    /// confirmation, §4.4). A posting that does not lower availability passes even while it is short (after a block
    /// or a count).
    func checkReservations(_ levels: [ReservationLevel]) throws(DomainError) {
        for level in levels {
            guard let location = state.locations[level.key.location] else { continue }
            let reserved = reservedQuantity(
                location: level.key.location, item: level.key.item, lot: level.lot, serial: level.serial)
            guard reserved.isPositive else { continue }
            let pickable = pickableQuantity(
                location: location, item: level.key.item, lot: level.lot, serial: level.serial)
            if pickable < level.pickableBefore && pickable < reserved {
                let what = Tracking(lot: level.lot, serial: level.serial).label
                throw DomainError(
                    .reserved,
                    "the posting would leave \(pickable) of item \(level.key.item)\(what.isEmpty ? "" : " (\(what))") available to pick at \(level.key.location) while \(reserved) is reserved; cancel reservations first",
                    details: [
                        "item": .text(level.key.item), "location": .text(level.key.location),
                        "availableToPick": .quantity(pickable),
                        "reserved": .quantity(reserved)
                    ])
            }
        }
    }
}
