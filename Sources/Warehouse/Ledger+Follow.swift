/// Stock levels for the change feed (`entries.follow`, protocol.md 13.9): what a web shop or an ERP needs per item,
/// location and lot after a posting.
public struct FollowAvailability: Sendable, Hashable {
    public var location: String
    public var item: String
    /// "" for the item as a whole; a lot number for a row of one lot of a lot-tracked item.
    public var lot: String
    /// `Ledger.pickableQuantity`: what can be picked now (blocked bins, blocked lots and the adjustment bin excluded).
    public var availableToPick: Quantity
    /// The item row: `Availability.availableToReserve`. A lot row: what can be picked of the lot less its open
    /// reservations, never below zero.
    public var availableToReserve: Quantity
}

/// Which (location, item, lot) a posting touched; `lot` is "" for the item row.
public struct FollowAvailabilityKey: Sendable, Hashable, Comparable {
    public var location: String
    public var item: String
    public var lot: String
    public init(location: String, item: String, lot: String) {
        self.location = location
        self.item = item
        self.lot = lot
    }
    public static func < (a: Self, b: Self) -> Bool {
        (a.location, a.item, a.lot) < (b.location, b.item, b.lot)
    }
}

extension Ledger {
    /// The availability of one key, or nil when its location or item no longer exists.
    public func followAvailability(_ key: FollowAvailabilityKey) -> FollowAvailability? {
        guard let location = state.locations[key.location], state.items[key.item] != nil else { return nil }
        if key.lot.isEmpty {
            guard let a = try? availability(item: key.item, location: key.location).first else { return nil }
            return FollowAvailability(
                location: key.location, item: key.item, lot: "",
                availableToPick: a.availableToPick, availableToReserve: a.availableToReserve)
        }
        let pick = pickableQuantity(location: location, item: key.item, lot: key.lot)
        var reserve = pick.subtracting(reservedQuantity(location: key.location, item: key.item, lot: key.lot)) ?? .zero
        if reserve.isNegative { reserve = .zero }
        return FollowAvailability(
            location: key.location, item: key.item, lot: key.lot, availableToPick: pick,
            availableToReserve: reserve)
    }
}

extension Ledger {
    /// The lots of an item at a location that have stock (bin content, or item ledger totals at a plain location) or
    /// an open reservation, sorted: the lot rows `item.availability` gives with `lots`.
    public func followLots(item: String, location: String) -> [String] {
        var lots: Set<String> = []
        for k in state.contentsByItem[item] ?? [] where k.location == location && !k.lot.isEmpty { lots.insert(k.lot) }
        if state.locations[location]?.kind == .plain {
            for (k, _) in state.trackingTotals where k.item == item && k.location == location && !k.lot.isEmpty {
                lots.insert(k.lot)
            }
        }
        for r in state.reservations.values where r.item == item && r.location == location && !r.lot.isEmpty {
            lots.insert(r.lot)
        }
        return lots.sorted()
    }

    /// A lot / serial no. is blocked or unblocked: the item row and the lot row at every location holding it change.
    func touchForFollow(_ no: TrackingNo) {
        var lots: [String: Set<String>] = [:]  // location → lots of the stock blocked ("" for none)
        for k in state.contentsByItem[no.item] ?? []
        where (no.lot.isEmpty || k.lot == no.lot) && (no.serial.isEmpty || k.serial == no.serial) {
            lots[k.location, default: []].insert(k.lot)
        }
        for (code, location) in state.locations where location.kind == .plain {
            guard state.itemLedgerTotals[ItemLocationKey(no.item, code)] != nil else { continue }
            lots[code, default: []].insert(no.lot)
        }
        for (location, ls) in lots {
            followTouched.insert(FollowAvailabilityKey(location: location, item: no.item, lot: ""))
            for l in ls where !l.isEmpty {
                followTouched.insert(FollowAvailabilityKey(location: location, item: no.item, lot: l))
            }
        }
    }
}

extension Ledger {
    /// The entries of the three ledgers (warehouse, item, phys. inventory): entry no. n is at index n - 1.
    public var entryCounts: (Int, Int, Int) {
        (state.warehouseEntries.count, state.itemLedgerEntries.count, state.physInventoryEntries.count)
    }
}
