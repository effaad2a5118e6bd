import Testing

@testable import Warehouse

/// DOMAIN.md §5.2, with its numbers.
@Suite struct WorkedExamples {
    @Test func e6WhseItemJournal() throws {
        let l = try e6Setup()
        let before = l.state.warehouseEntries.count
        let ileBefore = l.state.itemLedgerEntries.count
        try l.registerWhseItemJournal(
            location: "WH1",
            lines: [
                WhseItemJournalLine(item: "ITEM1", bin: "A-01", quantity: Quantity(5)),
                WhseItemJournalLine(item: "ITEM1", bin: "A-02", quantity: Quantity(-3))
            ], context: ctx)
        let we = l.weSince(before)
        #expect(we.count == 4)
        #expect(we[0] == ("ADJ", .negativeAdjmt, Quantity(-5)))
        #expect(we[1] == ("A-01", .positiveAdjmt, Quantity(5)))
        #expect(we[2] == ("A-02", .negativeAdjmt, Quantity(-3)))
        #expect(we[3] == ("ADJ", .positiveAdjmt, Quantity(3)))
        #expect(l.content("WH1", "A-01", "ITEM1") == Quantity(65))
        #expect(l.content("WH1", "A-02", "ITEM1") == Quantity(37))
        #expect(l.content("WH1", "ADJ", "ITEM1") == Quantity(-2))
        #expect(l.inventory("ITEM1", "WH1") == Quantity(100))
        #expect(l.state.itemLedgerEntries.count == ileBefore, "no item ledger entry")
        let a = try l.availability(item: "ITEM1", location: "WH1")[0]
        #expect(a.inBins == Quantity(102))  // physical = 100 − (−2)
        #expect(a.adjustmentBin == Quantity(-2))
        #expect(l.verify() == [])
    }

    @Test func e7CalculateWhseAdjustmentThenPost() throws {
        let l = try e6Setup()
        try l.registerWhseItemJournal(
            location: "WH1",
            lines: [
                WhseItemJournalLine(item: "ITEM1", bin: "A-01", quantity: Quantity(5)),
                WhseItemJournalLine(item: "ITEM1", bin: "A-02", quantity: Quantity(-3))
            ], context: ctx)
        let lines = try l.calculateWhseAdjustment(location: "WH1", context: ctx)
        #expect(lines.count == 1)
        #expect(lines[0].entryType == .positiveAdjmt)
        #expect(lines[0].quantity == Quantity(2))
        #expect(lines[0].warehouseAdjustment)
        #expect(lines[0].bin == nil)
        // A second run before posting proposes nothing twice.
        #expect(try l.calculateWhseAdjustment(location: "WH1", context: ctx).isEmpty)
        #expect(l.state.itemJournalBatches["DEFAULT"]?.lines.count == 1)
        let weBefore = l.state.warehouseEntries.count
        let ileBefore = l.state.itemLedgerEntries.count
        try l.postItemJournalBatch("DEFAULT", context: ctx)
        let ile = l.state.itemLedgerEntries[ileBefore]
        #expect(ile.entryType == .positiveAdjmt && ile.quantity == Quantity(2))
        #expect(l.weSince(weBefore).elementsEqual([("ADJ", EntryType.positiveAdjmt, Quantity(2))], by: { $0 == $1 }))
        #expect(l.inventory("ITEM1", "WH1") == Quantity(102))
        #expect(l.content("WH1", "ADJ", "ITEM1") == .zero)
        #expect(l.content("WH1", "A-01", "ITEM1") == Quantity(65))
        #expect(l.content("WH1", "A-02", "ITEM1") == Quantity(37))
        #expect(l.verify() == [])
    }

    /// E8 starts from the state after E7: A-01 65, A-02 37, Σ ILE 102, ADJ 0.
    func e8Setup() throws -> Ledger {
        let l = try e6Setup()
        try l.registerWhseItemJournal(
            location: "WH1",
            lines: [
                WhseItemJournalLine(item: "ITEM1", bin: "A-01", quantity: Quantity(5)),
                WhseItemJournalLine(item: "ITEM1", bin: "A-02", quantity: Quantity(-3))
            ], context: ctx)
        try l.calculateWhseAdjustment(location: "WH1", context: ctx)
        try l.postItemJournalBatch("DEFAULT", context: ctx)
        return l
    }

    @Test func e8WarehouseCountThenPhysInventory() throws {
        let l = try e8Setup()
        let j = try l.calculateWhseCount(location: "WH1", journal: "COUNT1", context: ctx)
        #expect(j.lines.map(\.bin) == ["A-01", "A-02"])  // no line for ADJ
        #expect(j.lines.map(\.quantityCalculated) == [Quantity(65), Quantity(37)])
        #expect(j.lines.map(\.quantityPhysInventory) == [Quantity(65), Quantity(37)])
        try l.recordWhseCounts(
            journal: "COUNT1",
            counts: [
                CountInput(bin: "A-01", item: "ITEM1", quantity: Quantity(62)),
                CountInput(bin: "A-02", item: "ITEM1", quantity: Quantity(37))
            ], context: ctx)
        let before = l.state.warehouseEntries.count
        try l.registerWhseCount(journal: "COUNT1", context: ctx)
        let we = l.weSince(before)
        #expect(we.count == 4)
        #expect(we[0] == ("A-01", .negativeAdjmt, Quantity(-3)))
        #expect(we[1] == ("ADJ", .positiveAdjmt, Quantity(3)))
        #expect(we[2] == ("ADJ", .negativeAdjmt, .zero))
        #expect(we[3] == ("A-02", .positiveAdjmt, .zero))
        #expect(l.content("WH1", "A-01", "ITEM1") == Quantity(62))
        #expect(l.content("WH1", "ADJ", "ITEM1") == Quantity(3))
        #expect(l.state.whseCountJournals["COUNT1"] == nil)
        #expect(l.verify() == [])

        let p = try l.calculatePhysInventory(location: "WH1", journal: "PHYS1", item: "ITEM1", context: ctx)
        #expect(p.lines.count == 1)
        #expect(p.lines[0].quantityCalculated == Quantity(102))
        #expect(p.lines[0].quantityPhysInventory == Quantity(99))
        #expect(p.lines[0].difference == Quantity(-3))
        let weBefore = l.state.warehouseEntries.count
        let ileBefore = l.state.itemLedgerEntries.count
        try l.postPhysInventory(journal: "PHYS1", context: ctx)
        let ile = l.state.itemLedgerEntries[ileBefore]
        #expect(ile.entryType == .negativeAdjmt && ile.quantity == Quantity(-3))
        let pile = l.state.physInventoryEntries.last!
        #expect(pile.entryType == .negativeAdjmt && pile.quantity == Quantity(3))
        #expect(pile.quantityCalculated == Quantity(102) && pile.quantityPhysInventory == Quantity(99))
        #expect(l.weSince(weBefore).elementsEqual([("ADJ", EntryType.negativeAdjmt, Quantity(-3))], by: { $0 == $1 }))
        #expect(l.inventory("ITEM1", "WH1") == Quantity(99))
        #expect(l.content("WH1", "A-01", "ITEM1") == Quantity(62))
        #expect(l.content("WH1", "A-02", "ITEM1") == Quantity(37))
        #expect(l.content("WH1", "ADJ", "ITEM1") == .zero)
        #expect(l.verify() == [])
    }

    /// E4: converting a location to a warehouse location: the item ledger's quantities are registered into the
    /// adjustment bin, then a warehouse count moves them into real bins.
    @Test func e4ConvertingALocation() throws {
        let l = Ledger()
        try l.createLocation(code: "SHOP", kind: .plain)
        try l.createItem(no: "ITEM1")
        try l.createItem(no: "ITEM2", baseUnitOfMeasure: "KG")
        try l.postItemJournal(
            lines: [
                ItemJournalLine(entryType: .purchase, location: "SHOP", item: "ITEM1", quantity: Quantity(40)),
                ItemJournalLine(entryType: .purchase, location: "SHOP", item: "ITEM2", quantity: q("2.5"))
            ], context: ctx)
        #expect(throws: DomainError.self) { try l.registerWhseItemJournal(location: "SHOP", lines: [], context: ctx) }
        try l.convertToDirected(location: "SHOP", context: ctx)
        #expect(l.state.locations["SHOP"]?.kind == .directed)
        #expect(l.content("SHOP", "ADJ", "ITEM1") == Quantity(40))
        #expect(l.content("SHOP", "ADJ", "ITEM2", "KG") == q("2.5"))
        #expect(l.verify() == [])
        #expect(try l.availability(item: "ITEM1", location: "SHOP")[0].inBins == .zero)
        try l.createZone(location: "SHOP", code: "PICK", binType: "PICK")
        try l.createBin(location: "SHOP", code: "A-01", zone: "PICK")
        try l.calculateWhseCount(location: "SHOP", journal: "MOVE-IN", includeZero: true, context: ctx)
        try l.recordWhseCounts(
            journal: "MOVE-IN",
            counts: [
                CountInput(bin: "A-01", item: "ITEM1", quantity: Quantity(40)),
                CountInput(bin: "A-01", item: "ITEM2", quantity: q("2.5"))
            ], context: ctx)
        try l.registerWhseCount(journal: "MOVE-IN", context: ctx)
        #expect(l.content("SHOP", "A-01", "ITEM1") == Quantity(40))
        #expect(l.content("SHOP", "ADJ", "ITEM1") == .zero)
        #expect(l.content("SHOP", "ADJ", "ITEM2", "KG") == .zero)
        #expect(l.inventory("ITEM1", "SHOP") == Quantity(40), "the item ledger is not touched")
        #expect(l.verify() == [])
        #expect(throws: DomainError.self) { try l.convertToDirected(location: "SHOP", context: ctx) }
    }

    /// E5: the adjustment bin report — what ADJ holds after a count, and that it is empty once the item ledger is synced.
    @Test func e5AdjustmentBinReport() throws {
        let l = try e8Setup()
        #expect(try l.binContents(location: "WH1", bin: "ADJ").isEmpty, "typically the adjustment bin is empty")
        try l.calculateWhseCount(location: "WH1", journal: "C", context: ctx)
        try l.recordWhseCounts(
            journal: "C", counts: [CountInput(bin: "A-02", item: "ITEM1", quantity: Quantity(35))], context: ctx)
        try l.registerWhseCount(journal: "C", context: ctx)
        let rows = try l.binContents(location: "WH1", bin: "ADJ")
        #expect(rows.count == 1 && rows[0].item == "ITEM1" && rows[0].quantity == Quantity(2) && rows[0].adjustmentBin)
        try l.calculateWhseAdjustment(location: "WH1", context: ctx)
        try l.postItemJournalBatch("DEFAULT", context: ctx)
        #expect(try l.binContents(location: "WH1", bin: "ADJ").isEmpty)
        #expect(try l.binContents(location: "WH1", bin: "ADJ", includeZero: true).count == 1)
    }

    @Test func e9StockTakenBetweenCalculateAndRegister() throws {
        let l = try e8Setup()
        try l.calculateWhseCount(location: "WH1", journal: "COUNT1", context: ctx)
        try l.recordWhseCounts(
            journal: "COUNT1", counts: [CountInput(bin: "A-01", item: "ITEM1", quantity: Quantity(62))], context: ctx)
        // The entered count already reduces availability (E9: counts as Neg. Adjmt. Qty.).
        #expect(try l.availability(item: "ITEM1", location: "WH1")[0].available == Quantity(99))
        // 63 leave A-01 (A-01 holds 2) before registering.
        try l.registerWhseReclassJournal(
            location: "WH1",
            lines: [
                WhseReclassJournalLine(item: "ITEM1", fromBin: "A-01", toBin: "A-02", quantity: Quantity(63))
            ], context: ctx)
        let before = l.state
        #expect(throws: DomainError.self) { try l.registerWhseCount(journal: "COUNT1", context: ctx) }
        do {
            try l.registerWhseCount(journal: "COUNT1", context: ctx)
        } catch {
            #expect(error.reason == .countStale)
            if case .ints(let lines)? = error.details["staleLines"] {
                #expect(lines == [10000, 20000])
            } else {
                Issue.record("no staleLines")
            }
        }
        #expect(l.state == before, "nothing registered")
        try l.recalculateWhseCount(journal: "COUNT1", lines: [10000, 20000])
        try l.recordWhseCounts(
            journal: "COUNT1", counts: [CountInput(lineNo: 10000, quantity: Quantity(2))], context: ctx)
        try l.registerWhseCount(journal: "COUNT1", context: ctx)
        #expect(l.content("WH1", "A-01", "ITEM1") == Quantity(2))
        #expect(l.verify() == [])
    }

    @Test func e11TwoUnitsOfMeasure() throws {
        let l = Ledger()
        try l.createLocation(code: "WH1")
        try l.createZone(location: "WH1", code: "PICK", binType: "PICK")
        try l.createBin(location: "WH1", code: "A-01", zone: "PICK")
        try l.createItem(no: "ITEM2", baseUnitOfMeasure: "PCS", unitsOfMeasure: [("BOX", Quantity(12))])
        // 14 PCS bought (into ADJ at a directed location), 10 PCS and 1 BOX put into A-01 by warehouse journals.
        try l.postItemJournal(
            lines: [ItemJournalLine(entryType: .purchase, location: "WH1", item: "ITEM2", quantity: Quantity(14))],
            context: ctx)
        try l.registerWhseItemJournal(
            location: "WH1",
            lines: [
                WhseItemJournalLine(item: "ITEM2", bin: "A-01", quantity: Quantity(1), unitOfMeasure: "BOX"),
                WhseItemJournalLine(item: "ITEM2", bin: "A-01", quantity: Quantity(10), unitOfMeasure: "PCS")
            ], context: ctx)
        // ADJ holds −1 BOX (Qty. (Base) −12) and +4 PCS, exactly as E11.
        #expect(l.content("WH1", "ADJ", "ITEM2", "BOX") == Quantity(-1))
        #expect(l.state.contents[ContentKey("WH1", "ADJ", "ITEM2", "BOX")]?.quantityBase == Quantity(-12))
        #expect(l.content("WH1", "ADJ", "ITEM2", "PCS") == Quantity(4))
        // The BOX content is its own key: 11 PCS cannot be taken from 10 PCS + 1 BOX.
        #expect(throws: DomainError.self) {
            try l.registerWhseItemJournal(
                location: "WH1",
                lines: [
                    WhseItemJournalLine(item: "ITEM2", bin: "A-01", quantity: Quantity(-11), unitOfMeasure: "PCS")
                ], context: ctx)
        }
        let lines = try l.calculateWhseAdjustment(location: "WH1", context: ctx)
        #expect(lines.count == 2, "separate lines per unit, not one net 8 PCS line")
        let box = lines.first { $0.unitOfMeasure == "BOX" }
        let pcs = lines.first { $0.unitOfMeasure == "PCS" }
        #expect(box?.entryType == .positiveAdjmt && box?.quantity == Quantity(1))
        #expect(pcs?.entryType == .negativeAdjmt && pcs?.quantity == Quantity(4))
        try l.postItemJournalBatch("DEFAULT", context: ctx)
        #expect(l.content("WH1", "ADJ", "ITEM2", "BOX") == .zero)
        #expect(l.content("WH1", "ADJ", "ITEM2", "PCS") == .zero)
        #expect(l.inventory("ITEM2", "WH1") == Quantity(22))  // 14 + 12 − 4 = the 10 PCS + 1 BOX in A-01
        #expect(l.verify() == [])
    }

    @Test func e12BasicLocation() throws {
        let l = Ledger()
        try l.createLocation(code: "BASIC", kind: .basic)
        try l.createBin(location: "BASIC", code: "S-01")
        try l.createBin(location: "BASIC", code: "S-02")
        try l.createItem(no: "ITEM1")
        try l.postItemJournal(
            lines: [
                ItemJournalLine(
                    entryType: .positiveAdjmt, location: "BASIC", bin: "S-01", item: "ITEM1", quantity: Quantity(6)),
                ItemJournalLine(
                    entryType: .positiveAdjmt, location: "BASIC", bin: "S-02", item: "ITEM1", quantity: Quantity(4))
            ], context: ctx)
        #expect(l.inventory("ITEM1", "BASIC") == Quantity(10))
        var before = l.state.warehouseEntries.count
        try l.postItemJournal(
            lines: [
                ItemJournalLine(
                    entryType: .negativeAdjmt, location: "BASIC", bin: "S-02", item: "ITEM1",
                    quantity: Quantity(2))
            ], context: ctx)
        #expect(l.state.itemLedgerEntries.last?.quantity == Quantity(-2))
        #expect(l.weSince(before).elementsEqual([("S-02", EntryType.negativeAdjmt, Quantity(-2))], by: { $0 == $1 }))
        let snapshot = l.state
        do {
            try l.postItemJournal(
                lines: [
                    ItemJournalLine(
                        entryType: .negativeAdjmt, location: "BASIC", bin: "S-02", item: "ITEM1",
                        quantity: Quantity(5))
                ], context: ctx)
            Issue.record("taking 5 from a bin holding 2 must fail")
        } catch {
            #expect(error.reason == .insufficientQuantity)
        }
        #expect(l.state == snapshot)
        let j = try l.calculatePhysInventory(location: "BASIC", journal: "P1", context: ctx)
        #expect(j.lines.map { $0.bin ?? "" } == ["S-01", "S-02"])
        #expect(j.lines.map(\.quantityCalculated) == [Quantity(6), Quantity(2)])
        try l.recordPhysInventoryCounts(
            journal: "P1",
            counts: [
                CountInput(bin: "S-01", item: "ITEM1", quantity: Quantity(7)),
                CountInput(bin: "S-02", item: "ITEM1", quantity: Quantity(2))
            ])
        before = l.state.warehouseEntries.count
        let ileBefore = l.state.itemLedgerEntries.count
        let pileBefore = l.state.physInventoryEntries.count
        try l.postPhysInventory(journal: "P1", context: ctx)
        #expect(l.state.itemLedgerEntries.count == ileBefore + 1, "the zero line writes no item ledger entry")
        #expect(l.state.itemLedgerEntries.last?.quantity == Quantity(1))
        #expect(l.state.physInventoryEntries.count == pileBefore + 2)
        let we = l.weSince(before)
        #expect(we.count == 2)
        #expect(we[0] == ("S-01", .positiveAdjmt, Quantity(1)))
        #expect(we[1] == ("S-02", .positiveAdjmt, .zero))
        #expect(l.verify() == [])
    }
}

func == (a: (String, EntryType, Quantity), b: (String, EntryType, Quantity)) -> Bool {
    a.0 == b.0 && a.1 == b.1 && a.2 == b.2
}
