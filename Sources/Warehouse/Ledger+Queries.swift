/// One row of bin contents or of an item's bins.
public struct BinContentRow: Sendable, Hashable {
    public var location: String
    public var zone: String?
    public var bin: String
    public var item: String
    public var unitOfMeasure: String
    public var quantity: Quantity
    public var quantityBase: Quantity
    public var adjustmentBin: Bool
    public var lot: String = ""
    public var serial: String = ""
    public var expirationDate: String? = nil
    /// The lot / serial no. is blocked: in the books, not available to pick.
    public var blocked: Bool = false
    /// The bin content's set-up (binContent.setup), if any.
    public var setup: BinContentSetup? = nil
}

/// An item's availability at one location (DOMAIN.md §2.6, E2): the adjustment bin never counts as available.
public struct Availability: Sendable, Hashable {
    public var location: String
    public var item: String
    /// Σ item ledger entries.
    public var inventory: Quantity
    /// Σ warehouse entries of all bins but the adjustment bin (physical stock); equals inventory at plain locations.
    public var inBins: Quantity
    /// Content of the adjustment bin (directed locations).
    public var adjustmentBin: Quantity
    /// Stock in bins not blocked for outbound movement, less the negative differences of counts entered but not
    /// yet registered.
    public var available: Quantity
    /// What can be picked (E2): directed — pick bins only; see `Ledger.pickableQuantity`.
    public var availableToPick: Quantity = .zero
    /// Σ open reservations.
    public var reserved: Quantity = .zero
    /// In bins (adjustment bin excluded), less ship bins and reservations (E2); never below zero.
    public var availableToReserve: Quantity = .zero
}

/// Filters and paging of an entry listing.
public struct EntryFilter: Sendable, Hashable {
    public var location: String?
    public var bin: String?
    public var item: String?
    public var entryType: EntryType?
    public var documentNo: String?
    public var lot: String? = nil
    public var serial: String? = nil
    /// The posting date (a warehouse entry's registering date) from / to, both included (YYYY-MM-DD).
    public var fromDate: String? = nil
    public var toDate: String? = nil
    /// Entry numbers from / to, both included.
    public var fromEntryNo: Int? = nil
    public var toEntryNo: Int? = nil
    /// Entries with a number greater than this.
    public var after: Int
    public var limit: Int
    public static let maxLimit = 1000
    public init(
        location: String? = nil, bin: String? = nil, item: String? = nil, entryType: EntryType? = nil,
        documentNo: String? = nil, lot: String? = nil, serial: String? = nil, fromDate: String? = nil,
        toDate: String? = nil, fromEntryNo: Int? = nil, toEntryNo: Int? = nil, after: Int = 0, limit: Int = 100
    ) {
        self.location = location
        self.bin = bin
        self.item = item
        self.entryType = entryType
        self.documentNo = documentNo
        self.lot = lot
        self.serial = serial
        self.fromDate = fromDate
        self.toDate = toDate
        self.fromEntryNo = fromEntryNo
        self.toEntryNo = toEntryNo
        self.after = after
        self.limit = limit
    }

    /// Entries numbered above this are the ones a page looks at: `after` and `fromEntryNo` together.
    public var start: Int { max(0, after, (fromEntryNo ?? 1) - 1) }

    /// One past the index of the last entry a page may look at among `count` entries (`toEntryNo`).
    public func end(_ count: Int) -> Int { min(count, max(0, toEntryNo ?? Int.max)) }

    /// Whether a posting date lies in `fromDate...toDate` (YYYY-MM-DD compares as text).
    public func inDates(_ date: String) -> Bool {
        (fromDate == nil || date >= fromDate!) && (toDate == nil || date <= toDate!)
    }

    /// Whether `text` is a YYYY-MM-DD calendar date (the filters' `fromDate` and `toDate`).
    public static func isDate(_ text: String) -> Bool {
        (try? Ledger.checkDate(text, "date")) != nil
    }
}

/// A page of entries; `nextAfter` continues the listing, nil at the end.
public struct EntryPage<Entry: Sendable>: Sendable {
    public var entries: [Entry]
    public var nextAfter: Int?
    public init(entries: [Entry], nextAfter: Int?) {
        self.entries = entries
        self.nextAfter = nextAfter
    }
}

extension EntryFilter {
    /// Whether a warehouse entry passes the filters (not the paging).
    public func matches(_ e: WarehouseEntry) -> Bool {
        (location == nil || e.location == location) && (bin == nil || e.bin == bin)
            && (item == nil || e.item == item) && (entryType == nil || e.entryType == entryType)
            && (documentNo == nil || e.documentNo == documentNo)
            && (lot == nil || e.lot == lot) && (serial == nil || e.serial == serial) && inDates(e.registeringDate)
    }

    /// Whether an item ledger entry passes the filters; item ledger entries have no bin, so `bin` is not looked at.
    public func matches(_ e: ItemLedgerEntry) -> Bool {
        (location == nil || e.location == location) && (item == nil || e.item == item)
            && (entryType == nil || e.entryType == entryType) && (documentNo == nil || e.documentNo == documentNo)
            && (lot == nil || e.lot == lot) && (serial == nil || e.serial == serial) && inDates(e.postingDate)
    }

    /// Whether a phys. inventory ledger entry passes the filters.
    public func matches(_ e: PhysInventoryLedgerEntry) -> Bool {
        (location == nil || e.location == location) && (item == nil || e.item == item)
            && (bin == nil || e.bin == bin)
            && (entryType == nil || e.entryType == entryType) && (documentNo == nil || e.documentNo == documentNo)
            && (lot == nil || e.lot == lot) && (serial == nil || e.serial == serial) && inDates(e.postingDate)
    }
}

extension Ledger {
    func row(_ key: ContentKey, _ c: BinContent) -> BinContentRow {
        let adj = state.locations[key.location]?.adjustmentBin == key.bin
        return BinContentRow(
            location: key.location, zone: state.bins[key.binKey]?.zone, bin: key.bin, item: key.item,
            unitOfMeasure: key.unitOfMeasure, quantity: c.quantity, quantityBase: c.quantityBase,
            adjustmentBin: adj, lot: key.lot, serial: key.serial,
            expirationDate: key.tracking.isEmpty
                ? nil
                : state.expirations[TrackingNo(key.item, lot: key.lot, serial: key.serial)],
            blocked: !key.tracking.isEmpty && isTrackingBlocked(key.item, lot: key.lot, serial: key.serial),
            setup: state.binContentSetups.isEmpty
                ? nil
                : state.binContentSetups[ContentKey(key.location, key.bin, key.item, key.unitOfMeasure)])
    }

    /// Set-up bin contents that are Fixed or Default but hold nothing (and never held anything): shown as zero rows.
    func setupOnlyKeys(_ match: (ContentKey) -> Bool) -> [ContentKey] {
        state.binContentSetups.filter { ($0.value.fixed || $0.value.isDefault) && match($0.key) }.keys
            .filter { k in
                !(state.contentsByBin[k.binKey] ?? []).contains {
                    $0.item == k.item && $0.unitOfMeasure == k.unitOfMeasure
                }
            }
    }

    /// Whether a zero row is shown without `includeZero`: when its set-up is Fixed or Default.
    func keepsZeroRow(_ k: ContentKey) -> Bool {
        guard !state.binContentSetups.isEmpty,
            let s = state.binContentSetups[ContentKey(k.location, k.bin, k.item, k.unitOfMeasure)]
        else {
            return false
        }
        return s.fixed || s.isDefault
    }

    /// The rows of `keys` in key order; a zero row only with `includeZero` or a Fixed / Default set-up (looked up for
    /// zero rows alone, so a listing of stock costs no set-up lookups).
    func rows<Keys: Sequence>(_ keys: Keys, includeZero: Bool) -> [BinContentRow] where Keys.Element == ContentKey {
        keys.sorted().compactMap { k in
            let c = state.contents[k] ?? BinContent(quantity: .zero, quantityBase: .zero, lastEntryNo: 0)
            guard includeZero || !(c.quantity.isZero && c.quantityBase.isZero) || keepsZeroRow(k) else { return nil }
            return row(k, c)
        }
    }

    /// What a bin holds, per item and unit (zero rows left out unless `includeZero`, or Fixed / Default).
    public func binContents(location: String, bin code: String, includeZero: Bool = false) throws(DomainError)
        -> [BinContentRow]
    {
        _ = try bin(location, code)
        let keys = (state.contentsByBin[BinKey(location, code)] ?? []).union(
            setupOnlyKeys { $0.location == location && $0.bin == code })
        return rows(keys, includeZero: includeZero)
    }

    /// Where an item is, per bin and unit, the adjustment bin included and marked.
    public func itemBins(item no: String, location: String? = nil, includeZero: Bool = false) throws(DomainError)
        -> [BinContentRow]
    {
        _ = try item(no)
        if let l = location { _ = try self.location(l) }
        let keys =
            (state.contentsByItem[no] ?? []).filter { location == nil || $0.location == location }
            + setupOnlyKeys { $0.item == no && (location == nil || $0.location == location) }
        return rows(keys, includeZero: includeZero)
    }

    /// Availability per location (all locations where the item has entries, or the one asked for).
    public func availability(item no: String, location: String? = nil) throws(DomainError) -> [Availability] {
        _ = try item(no)
        var codes: Set<String> = []
        if let l = location {
            codes = [try self.location(l).code]
        } else {
            for k in state.itemLedgerTotals.keys where k.item == no { codes.insert(k.location) }
            for k in state.contentsByItem[no] ?? [] { codes.insert(k.location) }
        }
        return codes.sorted().map { code in
            let loc = state.locations[code]!
            let inventory = state.itemLedgerTotals[ItemLocationKey(no, code)] ?? .zero
            var inBins = Quantity.zero
            var adj = Quantity.zero
            var available = Quantity.zero
            var inShip = Quantity.zero
            if loc.kind == .plain {
                inBins = inventory
                available = inventory.isNegative ? .zero : inventory
            } else {
                for k in state.contentsByItem[no] ?? [] where k.location == code {
                    guard let c = state.contents[k] else { continue }
                    if k.bin == loc.adjustmentBin {
                        adj = adj.adding(c.quantityBase) ?? adj
                    } else {
                        inBins = inBins.adding(c.quantityBase) ?? inBins
                        if state.bins[k.binKey]?.binType.flatMap({ BinType.standard[$0]?.ship }) == true {
                            inShip = inShip.adding(c.quantityBase) ?? inShip
                        }
                        if state.bins[k.binKey]?.blockMovement.blocksOutbound != true {
                            available = available.adding(c.quantityBase) ?? available
                        }
                    }
                }
                // Counts entered but not registered already take their negative difference out (E9).
                for j in state.whseCountJournals.values where j.location == code {
                    for line in j.lines where line.item == no && line.counted {
                        let physBase = line.quantityPhysInventory.multiplied(by: line.quantityPerUnit) ?? .zero
                        if let d = physBase.subtracting(line.quantityCalculatedBase), d.isNegative {
                            available = available.adding(d) ?? available
                        }
                    }
                }
                if available.isNegative { available = .zero }
            }
            let reserved = reservedQuantity(location: code, item: no)
            var toReserve = (inBins.subtracting(inShip) ?? .zero).subtracting(reserved) ?? .zero
            if toReserve.isNegative { toReserve = .zero }
            return Availability(
                location: code, item: no, inventory: inventory, inBins: inBins, adjustmentBin: adj,
                available: available, availableToPick: pickableQuantity(location: loc, item: no),
                reserved: reserved, availableToReserve: toReserve)
        }
    }

    /// The linear scan behind `entries.*`: the first `limit` entries after `f.after` (and in `fromEntryNo...toEntryNo`)
    /// that match, in entry-no. order; `nextAfter` is set when another match follows them. Entries no longer in
    /// memory are read from the history files (a thrown error: they cannot be read).
    public static func page<E>(
        _ all: ChunkedArray<E>, _ f: EntryFilter, entryNo: (E) -> Int,
        matches: (E) -> Bool
    ) throws -> EntryPage<E> {
        var out: [E] = []
        // Entry n is at index n-1, so `after` is the index to start from.
        let next = try scan(
            all, from: f.start, to: f.end(all.count), limit: max(1, min(f.limit, EntryFilter.maxLimit)),
            into: &out, entryNo: entryNo, matches: matches)
        return EntryPage(entries: out, nextAfter: next)
    }

    /// Appends to `out` the entries at indexes `from..<to` that match, until `out` holds `limit`; returns the entry
    /// no. of the last one kept when another match follows (the page's `nextAfter`), else nil. Entries no longer in
    /// memory are read from the history files (a thrown error: they cannot be read). Also the entry index's scan
    /// of what it has not indexed yet.
    public static func scan<E>(
        _ all: ChunkedArray<E>, from: Int, to end: Int, limit: Int, into out: inout [E], entryNo: (E) -> Int,
        matches: (E) -> Bool
    ) throws -> Int? {
        var next: Int?
        var i = from
        try all.scan(from: from) { e in
            guard i < end else { return false }
            i += 1
            guard matches(e) else { return true }
            if out.count == limit {
                next = entryNo(out[out.count - 1])
                return false
            }
            out.append(e)
            return true
        }
        return next
    }

    public func warehouseEntries(_ f: EntryFilter) throws -> EntryPage<WarehouseEntry> {
        try Ledger.page(state.warehouseEntries, f, entryNo: \.entryNo, matches: f.matches)
    }

    public func itemLedgerEntries(_ f: EntryFilter) throws -> EntryPage<ItemLedgerEntry> {
        try Ledger.page(state.itemLedgerEntries, f, entryNo: \.entryNo, matches: f.matches)
    }

    public func physInventoryEntries(_ f: EntryFilter) throws -> EntryPage<PhysInventoryLedgerEntry> {
        try Ledger.page(state.physInventoryEntries, f, entryNo: \.entryNo, matches: f.matches)
    }

    /// Counts for status.
    public var counts:
        (
            locations: Int, bins: Int, items: Int, warehouseEntries: Int, itemLedgerEntries: Int,
            physInventoryEntries: Int, openCountJournals: Int
        )
    {
        (
            state.locations.count, state.bins.count, state.items.count, state.warehouseEntries.count,
            state.itemLedgerEntries.count, state.physInventoryEntries.count,
            state.whseCountJournals.count + state.physInventoryJournals.count
        )
    }
}
