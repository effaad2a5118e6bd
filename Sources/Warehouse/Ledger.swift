import HashTreeCollections

/// Everything the books hold. A value: tests copy it to prove that a refused request changed nothing,
/// and the snapshot writer serializes it.
public struct LedgerState: Sendable, Equatable {
    public var locations: [String: Location] = [:]
    public var zones: [BinKey: Zone] = [:]  // (location, zone code)
    public var bins: [BinKey: Bin] = [:]
    public var items: [String: Item] = [:]

    public var warehouseEntries = ChunkedArray<WarehouseEntry>()
    public var itemLedgerEntries = ChunkedArray<ItemLedgerEntry>()
    public var physInventoryEntries = ChunkedArray<PhysInventoryLedgerEntry>()
    /// Number of the last register (one per successful posting).
    public var lastRegisterNo: Int = 0

    /// Bin content per (bin, item, unit); never removed once created, so zero-quantity keys are remembered
    /// for "include items not on inventory".
    public var contents = ContentTable()
    public var contentsByBin: TreeDictionary<BinKey, TreeSet<ContentKey>> = [:]
    public var contentsByItem: TreeDictionary<String, TreeSet<ContentKey>> = [:]
    /// Σ item ledger entries per (item, location), base unit.
    public var itemLedgerTotals: TreeDictionary<ItemLocationKey, Quantity> = [:]
    /// Last item ledger entry number per (item, location).
    public var itemLedgerLastEntry: TreeDictionary<ItemLocationKey, Int> = [:]

    /// Open Whse. Phys. Inventory journals by name.
    public var whseCountJournals: [String: WhseCountJournal] = [:]
    /// Open (item) Phys. Inventory journals by name.
    public var physInventoryJournals: [String: PhysInventoryJournal] = [:]
    /// Item journal batches holding generated lines (Calculate Whse. Adjustment).
    public var itemJournalBatches: [String: ItemJournalBatch] = [:]
    /// Serial for generated journal names.
    public var lastJournalSerial: Int = 0

    /// Σ item ledger entries per (item, location, lot, serial) for tracked entries.
    public var trackingTotals: TreeDictionary<TrackingKey, Quantity> = [:]
    /// Expiration date per lot (or per serial of an item without lots).
    public var expirations: TreeDictionary<TrackingNo, String> = [:]
    /// Phys. inventory counting periods by code.
    public var countingPeriods: [String: CountingPeriod] = [:]
    /// Open reservations by number.
    public var reservations: TreeDictionary<Int, Reservation> = [:]
    public var lastReservationNo: Int = 0
    /// Derived indexes for the serial checks (rebuilt when a snapshot is read): a serial's stock in a location's bins
    /// (the adjustment bin aside), keyed (item, location, "", serial), and its item-ledger total over all locations
    /// and lots, keyed (item, "", "", serial).
    public var serialsInBins: TreeDictionary<TrackingKey, Quantity> = [:]
    public var serialLedger: TreeDictionary<TrackingKey, Quantity> = [:]
    /// Lots / serial nos. blocked: not available to pick or reserve (§4.5).
    public var blockedTracking: TreeSet<TrackingNo> = []
    /// Bin content set-ups (min./max. quantity, Fixed, Default) per (location, bin, item, unit).
    public var binContentSetups: TreeDictionary<ContentKey, BinContentSetup> = [:]

    public init() {}
}

/// The books: master data, the two ledgers and the journals, with every posting rule of DOMAIN.md.
///
/// Deterministic and free of I/O: replaying the same commands with the same contexts yields the same state.
/// Every public mutating call is atomic: it either succeeds completely or leaves the state as it was.
/// Callers batching several calls (group commit) use `savepoint()` / `rollback(to:)` / `release()`.
public final class Ledger: @unchecked Sendable {
    public internal(set) var state = LedgerState()

    /// Things to restore on rollback, newest last.
    enum Undo {
        case location(String, Location?)
        case zone(BinKey, Zone?)
        case bin(BinKey, Bin?)
        case item(String, Item?)
        case content(ContentKey, BinContent)
        case newContent(ContentKey)
        case itemTotal(ItemLocationKey, Quantity?, Int?)
        case whseCount(String, WhseCountJournal?)
        case physJournal(String, PhysInventoryJournal?)
        case itemBatch(String, ItemJournalBatch?)
        case trackingTotal(TrackingKey, Quantity?)
        case expiration(TrackingNo, String?)
        case countingPeriod(String, CountingPeriod?)
        case reservation(Int, Reservation?)
        case blocked(TrackingNo, Bool)
        case setup(ContentKey, BinContentSetup?)
        case serialInBins(TrackingKey, Quantity?)
        case serialLedger(TrackingKey, Quantity?)
    }

    /// A point to roll back to.
    public struct Savepoint: Sendable {
        let undoCount: Int
        let warehouseEntries: Int
        let itemLedgerEntries: Int
        let physInventoryEntries: Int
        let lastRegisterNo: Int
        let lastJournalSerial: Int
        let lastReservationNo: Int
        let warnings: Int
    }

    var undoLog: [Undo] = []
    /// Warnings of the postings in the open savepoints (capacity under Allow More), kept and undone like the entries:
    /// a posting's summary holds those since its own savepoint.
    var warnings: [String] = []
    var savepointDepth = 0
    /// The (location, item, lot) whose availability a posting changed without writing entries (reservations,
    /// lot / serial blocks), for the change feed's `entries.availability` (Ledger+Follow.swift). Not part of the
    /// state: the writer empties it before each posting and reads it after.
    public var followTouched: Set<FollowAvailabilityKey> = []

    public init() {}
    public init(state: LedgerState) { self.state = state }

    /// Replaces the whole state (loading a snapshot).
    public func restore(_ state: LedgerState) {
        self.state = state
        undoLog.removeAll()
        savepointDepth = 0
        followTouched = []
    }

    /// Lets the entries below `firstInMemory` of each ledger be read through these (the history files).
    public func attachHistory(
        warehouse: @escaping @Sendable (Range<Int>) throws -> [WarehouseEntry],
        item: @escaping @Sendable (Range<Int>) throws -> [ItemLedgerEntry],
        physInventory: @escaping @Sendable (Range<Int>) throws -> [PhysInventoryLedgerEntry]
    ) {
        state.warehouseEntries.load = warehouse
        state.itemLedgerEntries.load = item
        state.physInventoryEntries.load = physInventory
    }

    /// Lets the whole chunks of entries below `counts` leave memory (they must be readable through the history).
    public func dropEntries(below counts: HistoryCounts) {
        state.warehouseEntries.dropChunks(below: counts.warehouse)
        state.itemLedgerEntries.dropChunks(below: counts.item)
        state.physInventoryEntries.dropChunks(below: counts.physInventory)
    }

    /// The first entry index (entry no. - 1) of each ledger still in memory.
    public var firstInMemory: HistoryCounts {
        HistoryCounts(
            warehouse: state.warehouseEntries.firstInMemory, item: state.itemLedgerEntries.firstInMemory,
            physInventory: state.physInventoryEntries.firstInMemory)
    }

    public func savepoint() -> Savepoint {
        savepointDepth += 1
        return Savepoint(
            undoCount: undoLog.count,
            warehouseEntries: state.warehouseEntries.count,
            itemLedgerEntries: state.itemLedgerEntries.count,
            physInventoryEntries: state.physInventoryEntries.count,
            lastRegisterNo: state.lastRegisterNo,
            lastJournalSerial: state.lastJournalSerial,
            lastReservationNo: state.lastReservationNo,
            warnings: warnings.count)
    }

    /// Undoes everything after `point`.
    public func rollback(to point: Savepoint) {
        while undoLog.count > point.undoCount {
            switch undoLog.removeLast() {
            case .location(let k, let v): state.locations[k] = v
            case .zone(let k, let v): state.zones[k] = v
            case .bin(let k, let v): state.bins[k] = v
            case .item(let k, let v): state.items[k] = v
            case .content(let k, let v): state.contents[k] = v
            case .newContent(let k):
                state.contents[k] = nil
                state.contentsByBin[k.binKey]?.remove(k)
                if state.contentsByBin[k.binKey]?.isEmpty == true { state.contentsByBin[k.binKey] = nil }
                state.contentsByItem[k.item]?.remove(k)
                if state.contentsByItem[k.item]?.isEmpty == true { state.contentsByItem[k.item] = nil }
            case .itemTotal(let k, let total, let last):
                state.itemLedgerTotals[k] = total
                state.itemLedgerLastEntry[k] = last
            case .whseCount(let k, let v): state.whseCountJournals[k] = v
            case .physJournal(let k, let v): state.physInventoryJournals[k] = v
            case .itemBatch(let k, let v): state.itemJournalBatches[k] = v
            case .trackingTotal(let k, let v): state.trackingTotals[k] = v
            case .expiration(let k, let v): state.expirations[k] = v
            case .countingPeriod(let k, let v): state.countingPeriods[k] = v
            case .reservation(let k, let v): state.reservations[k] = v
            case .setup(let k, let v): state.binContentSetups[k] = v
            case .serialInBins(let k, let v): state.serialsInBins[k] = v
            case .serialLedger(let k, let v): state.serialLedger[k] = v
            case .blocked(let k, let wasBlocked):
                if wasBlocked { state.blockedTracking.insert(k) } else { state.blockedTracking.remove(k) }
            }
        }
        state.warehouseEntries.removeSubrange(point.warehouseEntries...)
        state.itemLedgerEntries.removeSubrange(point.itemLedgerEntries...)
        state.physInventoryEntries.removeSubrange(point.physInventoryEntries...)
        state.lastRegisterNo = point.lastRegisterNo
        state.lastJournalSerial = point.lastJournalSerial
        state.lastReservationNo = point.lastReservationNo
        if warnings.count > point.warnings { warnings.removeSubrange(point.warnings...) }
        end(point)
    }

    /// Keeps everything after `point`; when no savepoint remains open the undo log is dropped.
    public func release(_ point: Savepoint) {
        end(point)
    }

    private func end(_ point: Savepoint) {
        savepointDepth -= 1
        if savepointDepth <= 0 {
            savepointDepth = 0
            undoLog.removeAll(keepingCapacity: true)
            warnings.removeAll()
        }
    }

    /// Runs `body` atomically: on a thrown error everything it changed is undone.
    func atomically<T>(_ body: () throws(DomainError) -> T) throws(DomainError) -> T {
        let point = savepoint()
        do throws(DomainError) {
            let result = try body()
            release(point)
            return result
        } catch {
            rollback(to: point)
            throw error
        }
    }

    // MARK: - Recorded mutations

    func setLocation(_ l: Location) {
        undoLog.append(.location(l.code, state.locations[l.code]))
        state.locations[l.code] = l
    }
    func setZone(_ z: Zone) {
        let k = BinKey(z.location, z.code)
        undoLog.append(.zone(k, state.zones[k]))
        state.zones[k] = z
    }
    func setBin(_ b: Bin) {
        let k = BinKey(b.location, b.code)
        undoLog.append(.bin(k, state.bins[k]))
        state.bins[k] = b
    }
    func setItem(_ i: Item) {
        undoLog.append(.item(i.no, state.items[i.no]))
        state.items[i.no] = i
    }
    func setWhseCountJournal(_ name: String, _ j: WhseCountJournal?) {
        undoLog.append(.whseCount(name, state.whseCountJournals[name]))
        state.whseCountJournals[name] = j
    }
    func setPhysJournal(_ name: String, _ j: PhysInventoryJournal?) {
        undoLog.append(.physJournal(name, state.physInventoryJournals[name]))
        state.physInventoryJournals[name] = j
    }
    func setItemBatch(_ name: String, _ b: ItemJournalBatch?) {
        undoLog.append(.itemBatch(name, state.itemJournalBatches[name]))
        state.itemJournalBatches[name] = b
    }

    func setExpiration(_ no: TrackingNo, _ date: String?) {
        undoLog.append(.expiration(no, state.expirations[no]))
        state.expirations[no] = date
    }
    func setCountingPeriod(_ code: String, _ p: CountingPeriod?) {
        undoLog.append(.countingPeriod(code, state.countingPeriods[code]))
        state.countingPeriods[code] = p
    }
    func setBinContentSetup(_ key: ContentKey, _ s: BinContentSetup?) {
        undoLog.append(.setup(key, state.binContentSetups[key]))
        state.binContentSetups[key] = s
    }
    func setBlocked(_ no: TrackingNo, _ blocked: Bool) {
        undoLog.append(.blocked(no, state.blockedTracking.contains(no)))
        touchForFollow(no)
        if blocked { state.blockedTracking.insert(no) } else { state.blockedTracking.remove(no) }
    }
    func setReservation(_ no: Int, _ r: Reservation?) {
        for c in [state.reservations[no], r].compactMap({ $0 }) {
            followTouched.insert(FollowAvailabilityKey(location: c.location, item: c.item, lot: ""))
            if !c.lot.isEmpty {
                followTouched.insert(FollowAvailabilityKey(location: c.location, item: c.item, lot: c.lot))
            }
        }
        undoLog.append(.reservation(no, state.reservations[no]))
        state.reservations[no] = r
    }

    /// Opens a new register number for one posting.
    func nextRegister() -> Int {
        state.lastRegisterNo += 1
        return state.lastRegisterNo
    }

    /// A generated journal name: prefix + serial.
    func nextJournalName(_ prefix: String) -> String {
        state.lastJournalSerial += 1
        let n = String(state.lastJournalSerial)
        return prefix + String(repeating: "0", count: max(0, 6 - n.count)) + n
    }

    /// Appends a warehouse entry and moves the bin content; refuses a non-adjustment bin going below zero.
    @discardableResult
    func writeWarehouseEntry(
        type: EntryType, date: String, location: Location, bin: Bin, item: Item,
        quantity: Quantity, quantityBase: Quantity, unit: String, perUnit: Quantity,
        documentNo: String, source: String, register: Int, context: PostingContext, tracking: Tracking = .none
    ) throws(DomainError) -> Int {
        let key = ContentKey(location.code, bin.code, item.no, unit, tracking)
        let isAdjustment = location.adjustmentBin == bin.code
        // One unit per serial no. in the location's bins (the adjustment bin aside) (§4.5).
        if !tracking.serial.isEmpty && !isAdjustment && quantityBase.isPositive {
            let have =
                state.serialsInBins[TrackingKey(item.no, location.code, lot: "", serial: tracking.serial)] ?? .zero
            if let after = have.adding(quantityBase), after > Quantity(1) {
                throw DomainError(
                    .itemTracking,
                    "serial \(tracking.serial) of item \(item.no) is already in inventory at \(location.code)",
                    details: ["item": .text(item.no), "serial": .text(tracking.serial)])
            }
        }
        let id = state.contents.id(of: key)
        let old = id.flatMap { state.contents[id: $0] }
        let current = old ?? BinContent(quantity: .zero, quantityBase: .zero, lastEntryNo: 0)
        guard let newQty = current.quantity.adding(quantity), let newBase = current.quantityBase.adding(quantityBase)
        else { throw DomainError(.overflow, "quantity in bin \(bin.code) would overflow") }
        if !isAdjustment && (newBase.isNegative || newQty.isNegative) {
            let what = tracking.isEmpty ? "" : " (\(tracking.label))"
            var details: [String: DomainError.DetailValue] = [
                "bin": .text(bin.code), "item": .text(item.no), "unitOfMeasure": .text(unit),
                "available": .quantity(current.quantity), "requested": .quantity(quantity.magnitude)
            ]
            if !tracking.lot.isEmpty { details["lot"] = .text(tracking.lot) }
            if !tracking.serial.isEmpty { details["serial"] = .text(tracking.serial) }
            throw DomainError(
                .insufficientQuantity,
                "bin \(bin.code) holds \(current.quantity) \(unit) of item \(item.no)\(what); \(quantity.magnitude) \(unit) cannot be taken",
                details: details)
        }
        let entryNo = state.warehouseEntries.count + 1
        state.warehouseEntries.append(
            WarehouseEntry(
                entryNo: entryNo, entryType: type, registeringDate: date, location: location.code, zone: bin.zone,
                bin: bin.code, item: item.no, quantity: quantity, quantityBase: quantityBase, unitOfMeasure: unit,
                quantityPerUnit: perUnit, documentNo: documentNo, source: source, registerNo: register,
                user: context.user, timestamp: context.timestamp,
                trackingBox: tracking.isEmpty ? nil : TrackingBox.make(tracking)))
        if let old {
            undoLog.append(.content(key, old))
        } else {
            undoLog.append(.newContent(key))
            state.contentsByBin[key.binKey, default: []].insert(key)
            state.contentsByItem[item.no, default: []].insert(key)
        }
        let content = BinContent(quantity: newQty, quantityBase: newBase, lastEntryNo: entryNo)
        if let id { state.contents.replace(id: id, with: content) } else { state.contents[key] = content }
        if quantityBase.isPositive && !isAdjustment {
            try checkPlacement(location: location, bin: bin, item: item, unit: unit, source: source)
        }
        if !tracking.serial.isEmpty && !isAdjustment && !quantityBase.isZero {
            let serialKey = TrackingKey(item.no, location.code, lot: "", serial: tracking.serial)
            let old = state.serialsInBins[serialKey]
            undoLog.append(.serialInBins(serialKey, old))
            let t = (old ?? .zero).adding(quantityBase) ?? .zero
            state.serialsInBins[serialKey] = t.isZero ? nil : t
        }
        return entryNo
    }

    /// Appends an item ledger entry (signed base quantity) and moves the item's total at the location.
    @discardableResult
    func writeItemLedgerEntry(
        type: EntryType, date: String, documentNo: String, location: Location, item: Item, quantity: Quantity,
        unit: String, perUnit: Quantity, warehouseAdjustment: Bool, source: String, context: PostingContext,
        tracking: Tracking = .none
    ) throws(DomainError) -> Int {
        let key = ItemLocationKey(item.no, location.code)
        let old = state.itemLedgerTotals[key]
        guard let total = (old ?? .zero).adding(quantity) else {
            throw DomainError(.overflow, "inventory of item \(item.no) at \(location.code) would overflow")
        }
        if !tracking.isEmpty {
            let tk = TrackingKey(item.no, location.code, lot: tracking.lot, serial: tracking.serial)
            let oldT = state.trackingTotals[tk]
            guard let t = (oldT ?? .zero).adding(quantity) else {
                throw DomainError(.overflow, "inventory of item \(item.no) at \(location.code) would overflow")
            }
            if !tracking.serial.isEmpty {
                // The item ledger holds a serial no. once, across all locations and lots (§4.5).
                let sk = TrackingKey(item.no, "", lot: "", serial: tracking.serial)
                let oldS = state.serialLedger[sk]
                let onHand = (oldS ?? .zero).adding(quantity) ?? .zero
                if quantity.isPositive && onHand > Quantity(1) {
                    throw DomainError(
                        .itemTracking, "serial \(tracking.serial) of item \(item.no) is already on inventory",
                        details: ["item": .text(item.no), "serial": .text(tracking.serial)])
                }
                undoLog.append(.serialLedger(sk, oldS))
                state.serialLedger[sk] = onHand.isZero ? nil : onHand
            }
            undoLog.append(.trackingTotal(tk, oldT))
            state.trackingTotals[tk] = t.isZero ? nil : t
        }
        let entryNo = state.itemLedgerEntries.count + 1
        state.itemLedgerEntries.append(
            ItemLedgerEntry(
                entryNo: entryNo, entryType: type, postingDate: date, documentNo: documentNo, location: location.code,
                item: item.no, quantity: quantity, unitOfMeasure: unit, quantityPerUnit: perUnit,
                warehouseAdjustment: warehouseAdjustment, source: source, user: context.user,
                timestamp: context.timestamp,
                trackingBox: tracking.isEmpty ? nil : TrackingBox.make(tracking)))
        undoLog.append(.itemTotal(key, old, state.itemLedgerLastEntry[key]))
        state.itemLedgerTotals[key] = total
        state.itemLedgerLastEntry[key] = entryNo
        return entryNo
    }

    func writePhysInventoryEntry(_ e: PhysInventoryLedgerEntry) -> Int {
        var entry = e
        entry.entryNo = state.physInventoryEntries.count + 1
        state.physInventoryEntries.append(entry)
        return entry.entryNo
    }

    /// Posts journal lines as one register: all or none. `body` writes one line's entries; an error names the line
    /// (`number` gives the number a caller sees: the position, or the journal's line number).
    func postLines<Line>(
        _ lines: [Line], number: (Int, Line) -> Int, _ body: (Line, Int) throws(DomainError) -> Void
    ) throws(DomainError) -> PostingSummary {
        let start = savepoint()
        defer { release(start) }
        let register = nextRegister()
        for (i, line) in lines.enumerated() {
            do throws(DomainError) {
                try body(line, register)
            } catch {
                throw error.atLine(number(i, line))
            }
        }
        return summary(since: start, register: register, lines: lines.count)
    }

    /// The summary of what was written since the counts in `point`.
    func summary(since point: Savepoint, register: Int, lines: Int) -> PostingSummary {
        func range(_ from: Int, _ to: Int) -> ClosedRange<Int>? { to > from ? (from + 1)...to : nil }
        return PostingSummary(
            registerNo: register,
            warehouseEntries: range(point.warehouseEntries, state.warehouseEntries.count),
            itemLedgerEntries: range(point.itemLedgerEntries, state.itemLedgerEntries.count),
            physInventoryEntries: range(point.physInventoryEntries, state.physInventoryEntries.count),
            lines: lines, warnings: Array(warnings[point.warnings...]))
    }
}
