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
    /// The entries of the three ledgers (warehouse, item, phys. inventory): entry no. n is at index n - 1.
    public var entryCounts: (Int, Int, Int) {
        (state.warehouseEntries.count, state.itemLedgerEntries.count, state.physInventoryEntries.count)
    }
}
