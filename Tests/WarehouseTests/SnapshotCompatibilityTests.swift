import Testing

@testable import Warehouse

/// The first release's state encoding (version 1), kept verbatim so the reader's compatibility is tested against
/// the real thing: a state dir written by that release must still start.
extension LedgerState {
    func encodeVersion1(into w: inout SnapshotWriter) {
        w.uint(UInt64(locations.count))
        for l in locations.values.sorted(by: { $0.code < $1.code }) {
            w.string(l.code)
            w.string(l.name)
            w.uint(UInt64(LocationKind.allCases.firstIndex(of: l.kind)!))
            w.optString(l.adjustmentBin)
        }
        w.uint(UInt64(zones.count))
        for z in zones.values.sorted(by: { ($0.location, $0.code) < ($1.location, $1.code) }) {
            w.string(z.location)
            w.string(z.code)
            w.string(z.description)
            w.optString(z.binType)
        }
        w.uint(UInt64(bins.count))
        for b in bins.values.sorted(by: { ($0.location, $0.code) < ($1.location, $1.code) }) {
            w.string(b.location)
            w.string(b.code)
            w.string(b.description)
            w.optString(b.zone)
            w.optString(b.binType)
            w.uint(UInt64(BlockMovement.allCases.firstIndex(of: b.blockMovement)!))
        }
        w.uint(UInt64(items.count))
        for i in items.values.sorted(by: { $0.no < $1.no }) {
            w.string(i.no)
            w.string(i.description)
            w.string(i.baseUnitOfMeasure)
            w.bool(i.blocked)
            w.uint(UInt64(i.unitsOfMeasure.count))
            for (code, per) in i.unitsOfMeasure.sorted(by: { $0.key < $1.key }) {
                w.string(code)
                w.quantity(per)
            }
        }
        w.uint(UInt64(warehouseEntries.count))
        for e in warehouseEntries {
            w.uint(e.entryType.code)
            w.string(e.registeringDate)
            w.string(e.location)
            w.optString(e.zone)
            w.string(e.bin)
            w.string(e.item)
            w.quantity(e.quantity)
            w.quantity(e.quantityBase)
            w.string(e.unitOfMeasure)
            w.quantity(e.quantityPerUnit)
            w.string(e.documentNo)
            w.string(e.source)
            w.uint(UInt64(e.registerNo))
            w.string(e.user)
            w.string(e.timestamp)
        }
        w.uint(UInt64(itemLedgerEntries.count))
        for e in itemLedgerEntries {
            w.uint(e.entryType.code)
            w.string(e.postingDate)
            w.string(e.documentNo)
            w.string(e.location)
            w.string(e.item)
            w.quantity(e.quantity)
            w.string(e.unitOfMeasure)
            w.quantity(e.quantityPerUnit)
            w.bool(e.warehouseAdjustment)
            w.string(e.source)
            w.string(e.user)
            w.string(e.timestamp)
        }
        w.uint(UInt64(physInventoryEntries.count))
        for e in physInventoryEntries {
            w.uint(e.entryType.code)
            w.string(e.postingDate)
            w.string(e.documentNo)
            w.string(e.location)
            w.optString(e.bin)
            w.string(e.item)
            w.quantity(e.quantity)
            w.quantity(e.quantityCalculated)
            w.quantity(e.quantityPhysInventory)
            w.string(e.unitOfMeasure)
            w.uint(UInt64(e.lastItemLedgerEntryNo))
            w.string(e.user)
            w.string(e.timestamp)
        }
        w.uint(UInt64(lastRegisterNo))
        w.uint(UInt64(contents.count))
        for (k, c) in contents.sorted(by: { $0.key < $1.key }) {
            w.string(k.location)
            w.string(k.bin)
            w.string(k.item)
            w.string(k.unitOfMeasure)
            w.quantity(c.quantity)
            w.quantity(c.quantityBase)
            w.uint(UInt64(c.lastEntryNo))
        }
        w.uint(UInt64(itemLedgerTotals.count))
        for (k, q) in itemLedgerTotals.sorted(by: { $0.key < $1.key }) {
            w.string(k.item)
            w.string(k.location)
            w.quantity(q)
            w.uint(UInt64(itemLedgerLastEntry[k] ?? 0))
        }
        w.uint(UInt64(whseCountJournals.count))
        for j in whseCountJournals.values.sorted(by: { $0.name < $1.name }) {
            w.string(j.name)
            w.string(j.location)
            w.string(j.documentNo)
            w.string(j.registeringDate)
            w.string(j.createdBy)
            w.string(j.createdAt)
            w.bool(j.blind)
            w.uint(UInt64(j.lines.count))
            for l in j.lines {
                w.uint(UInt64(l.lineNo))
                w.optString(l.zone)
                w.string(l.bin)
                w.string(l.item)
                w.string(l.unitOfMeasure)
                w.quantity(l.quantityPerUnit)
                w.quantity(l.quantityCalculated)
                w.quantity(l.quantityCalculatedBase)
                w.quantity(l.quantityPhysInventory)
                w.bool(l.counted)
                w.uint(UInt64(l.lastEntryNo))
            }
        }
        w.uint(UInt64(physInventoryJournals.count))
        for j in physInventoryJournals.values.sorted(by: { $0.name < $1.name }) {
            w.string(j.name)
            w.string(j.location)
            w.string(j.documentNo)
            w.string(j.postingDate)
            w.string(j.createdBy)
            w.string(j.createdAt)
            w.uint(UInt64(j.lines.count))
            for l in j.lines {
                w.uint(UInt64(l.lineNo))
                w.string(l.item)
                w.optString(l.bin)
                w.string(l.unitOfMeasure)
                w.quantity(l.quantityCalculated)
                w.quantity(l.quantityPhysInventory)
                w.bool(l.counted)
                w.uint(UInt64(l.lastItemLedgerEntryNo))
                w.uint(UInt64(l.lastWarehouseEntryNo))
            }
        }
        w.uint(UInt64(itemJournalBatches.count))
        for b in itemJournalBatches.values.sorted(by: { $0.name < $1.name }) {
            w.string(b.name)
            w.uint(UInt64(b.lines.count))
            for l in b.lines {
                w.uint(l.entryType.code)
                w.string(l.location)
                w.optString(l.bin)
                w.string(l.item)
                w.quantity(l.quantity)
                w.bool(l.quantityBase != nil)
                if let qb = l.quantityBase { w.quantity(qb) }
                w.optString(l.unitOfMeasure)
                w.string(l.documentNo)
                w.optString(l.postingDate)
                w.bool(l.warehouseAdjustment)
            }
        }
        w.uint(UInt64(lastJournalSerial))
    }
}

@Suite struct SnapshotCompatibility {
    @Test func versionOneSnapshotStillLoads() throws {
        let l = try e6Setup()
        try l.calculateWhseCount(location: "WH1", journal: "C", context: ctx)
        try l.calculateWhseAdjustment(location: "WH1", context: ctx)
        try l.registerWhseItemJournal(
            location: "WH1", lines: [WhseItemJournalLine(item: "ITEM1", bin: "A-01", quantity: Quantity(-2))],
            context: ctx)
        try l.calculateWhseAdjustment(batch: "B", location: "WH1", context: ctx)
        var w = SnapshotWriter()
        l.state.encodeVersion1(into: &w)
        var bytes = w.finish()
        // finish() writes the current version; a version-1 file says 1 (the byte after the 10-byte magic).
        #expect(bytes[10] == UInt8(LedgerState.snapshotVersion))
        bytes[10] = 1
        var r = try SnapshotReader(bytes)
        #expect(r.version == 1)
        let back = try LedgerState.decode(from: &r)
        #expect(r.atEnd)
        // Version 1 has no batch basis: the batch comes back without one, so its lines count as stale until a
        // recalculation refreshes them (state version 3).
        var expected = l.state
        for name in expected.itemJournalBatches.keys { expected.itemJournalBatches[name]!.basis = [:] }
        #expect(back == expected)
        let loaded = Ledger(state: back)
        #expect(loaded.verify() == [])
        #expect(throws: DomainError.self) { try loaded.postItemJournalBatch("B", context: ctx) }
        try loaded.calculateWhseAdjustment(batch: "B", location: "WH1", context: ctx)
        try loaded.postItemJournalBatch("B", context: ctx)
        #expect(loaded.verify() == [])
        // A version from the future is refused, not guessed at.
        bytes[10] = UInt8(LedgerState.snapshotVersion + 1)
        #expect(throws: SnapshotError.self) { _ = try SnapshotReader(bytes) }
    }
}
