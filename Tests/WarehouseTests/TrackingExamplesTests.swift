import Testing

@testable import Warehouse

extension Ledger {
    func content(
        _ location: String, _ bin: String, _ item: String, lot: String = "", serial: String = "", unit: String = "PCS"
    ) -> Quantity {
        state.contents[ContentKey(location, bin, item, unit, lot: lot, serial: serial)]?.quantity ?? .zero
    }
    func inventory(_ item: String, _ location: String, lot: String, serial: String = "") -> Quantity {
        state.trackingTotals[TrackingKey(item, location, lot: lot, serial: serial)] ?? .zero
    }
}

/// A directed WH1 with pick bins, a put-away bin B-01 and a ship bin S-01.
func directedWH1() throws -> Ledger {
    let l = Ledger()
    try l.createLocation(code: "WH1", kind: .directed)
    try l.createZone(location: "WH1", code: "PICK", binType: "PICK")
    try l.createZone(location: "WH1", code: "BULK", binType: "PUTAWAY")
    try l.createZone(location: "WH1", code: "SHIP", binType: "SHIP")
    try l.createBin(location: "WH1", code: "A-01", zone: "PICK")
    try l.createBin(location: "WH1", code: "A-02", zone: "PICK")
    try l.createBin(location: "WH1", code: "B-01", zone: "BULK")
    try l.createBin(location: "WH1", code: "S-01", zone: "SHIP")
    return l
}

func expectRefusal(
    _ reason: DomainError.Reason, _ l: Ledger, sourceLocation: SourceLocation = #_sourceLocation,
    _ body: () throws(DomainError) -> Void
) {
    let before = l.state
    do throws(DomainError) {
        try body()
        Issue.record("expected a refusal with \(reason.rawValue)", sourceLocation: sourceLocation)
    } catch {
        #expect(error.reason == reason, "\(error)", sourceLocation: sourceLocation)
    }
    #expect(l.state == before, "a refused request changes nothing", sourceLocation: sourceLocation)
}

/// DOMAIN.md §5 E1, E2, E3, E10, E12 (item reclassification), E13, and the tracking rules of §4.5.
@Suite struct TrackingExamples {
    /// E1: a lot-tracked count. Expected LOT1001 80, LOT1003 30, LOT1006 10 (total 120); counted LOT1001 80,
    /// LOT1002 12 (a lot the ledger does not know), LOT1003 20, LOT1006 0 → post 0, +12, −10, −10; total 112, −8.
    @Test func e1LotTrackedCount() throws {
        let l = Ledger()
        try l.createLocation(code: "MAIN", kind: .plain)
        try l.createItem(no: "LOTITEM", tracking: ItemTracking(lot: true))
        try l.postItemJournal(
            lines: [
                ItemJournalLine(
                    entryType: .purchase, location: "MAIN", item: "LOTITEM", quantity: Quantity(120),
                    tracking: [
                        TrackingLine(lot: "LOT1001", quantity: Quantity(80)),
                        TrackingLine(lot: "LOT1003", quantity: Quantity(30)),
                        TrackingLine(lot: "LOT1006", quantity: Quantity(10))
                    ])
            ], context: ctx)
        #expect(l.inventory("LOTITEM", "MAIN") == Quantity(120))
        let j = try l.calculatePhysInventory(location: "MAIN", journal: "E1", context: ctx)
        #expect(j.lines.map(\.lot) == ["LOT1001", "LOT1003", "LOT1006"])
        #expect(j.lines.map(\.quantityCalculated) == [Quantity(80), Quantity(30), Quantity(10)])
        // A lot-tracked count names the lot; a count without one is refused when the item has several lines.
        expectRefusal(.validationFailed, l) { () throws(DomainError) in
            try l.recordPhysInventoryCounts(journal: "E1", counts: [CountInput(item: "LOTITEM", quantity: Quantity(1))])
        }
        try l.recordPhysInventoryCounts(
            journal: "E1",
            counts: [
                CountInput(item: "LOTITEM", quantity: Quantity(80), lot: "LOT1001"),
                CountInput(item: "LOTITEM", quantity: Quantity(12), lot: "LOT1002"),
                CountInput(item: "LOTITEM", quantity: Quantity(20), lot: "LOT1003"),
                CountInput(item: "LOTITEM", quantity: Quantity(0), lot: "LOT1006")
            ])
        let counted = try l.physInventoryJournal("E1")
        let byLot = Dictionary(
            uniqueKeysWithValues: counted.lines.map { ($0.lot, ($0.quantityCalculated, $0.quantityPhysInventory)) })
        #expect(byLot["LOT1002"]! == (Quantity(0), Quantity(12)))
        var total = Quantity.zero
        for line in counted.lines { total = total.adding(line.difference)! }
        #expect(total == Quantity(-8))
        let ileBefore = l.state.itemLedgerEntries.count
        let pileBefore = l.state.physInventoryEntries.count
        try l.postPhysInventory(journal: "E1", context: ctx)
        let iles = l.state.itemLedgerEntries.dropFirst(ileBefore).map { ($0.lot, $0.entryType, $0.quantity) }
        #expect(iles.count == 3, "LOT1001 counted as expected writes no item ledger entry")
        #expect(iles.contains { $0 == ("LOT1002", .positiveAdjmt, Quantity(12)) })
        #expect(iles.contains { $0 == ("LOT1003", .negativeAdjmt, Quantity(-10)) })
        #expect(iles.contains { $0 == ("LOT1006", .negativeAdjmt, Quantity(-10)) })
        #expect(
            l.state.physInventoryEntries.count == pileBefore + 4,
            "one phys. inventory ledger entry per lot, zero included")
        #expect(l.inventory("LOTITEM", "MAIN") == Quantity(112))
        #expect(l.inventory("LOTITEM", "MAIN", lot: "LOT1001") == Quantity(80))
        #expect(l.inventory("LOTITEM", "MAIN", lot: "LOT1002") == Quantity(12))
        #expect(l.inventory("LOTITEM", "MAIN", lot: "LOT1003") == Quantity(20))
        #expect(l.inventory("LOTITEM", "MAIN", lot: "LOT1006") == .zero)
        #expect(l.verify() == [])
    }

    /// E2: 5 in pick bins, 100 in put-away bins; reserving more than 5 fails because reserved stock must be pickable.
    @Test func e2PickAvailabilityAndReservations() throws {
        let l = try directedWH1()
        try l.createItem(no: "ITEM1")
        try l.postItemJournal(
            lines: [ItemJournalLine(entryType: .purchase, location: "WH1", item: "ITEM1", quantity: Quantity(105))],
            context: ctx)
        try l.registerWhseItemJournal(
            location: "WH1",
            lines: [
                WhseItemJournalLine(item: "ITEM1", bin: "A-01", quantity: Quantity(5)),
                WhseItemJournalLine(item: "ITEM1", bin: "B-01", quantity: Quantity(100))
            ], context: ctx)
        var a = try l.availability(item: "ITEM1", location: "WH1")[0]
        #expect(a.inBins == Quantity(105))
        #expect(a.availableToPick == Quantity(5))
        #expect(a.availableToReserve == Quantity(105))
        expectRefusal(.insufficientQuantity, l) { () throws(DomainError) in
            try l.createReservation(
                location: "WH1", item: "ITEM1", quantity: Quantity(6), source: "SO-1001", context: ctx)
        }
        let r = try l.createReservation(
            location: "WH1", item: "ITEM1", quantity: Quantity(5), source: "SO-1001", context: ctx)
        a = try l.availability(item: "ITEM1", location: "WH1")[0]
        #expect(a.reserved == Quantity(5))
        #expect(a.availableToReserve == Quantity(100))
        expectRefusal(.insufficientQuantity, l) { () throws(DomainError) in
            try l.createReservation(
                location: "WH1", item: "ITEM1", quantity: Quantity(1), source: "SO-1002", context: ctx)
        }
        // Taking reserved stock out of the pick bin is refused until the reservation is cancelled.
        expectRefusal(.reserved, l) { () throws(DomainError) in
            try l.registerWhseItemJournal(
                location: "WH1", lines: [WhseItemJournalLine(item: "ITEM1", bin: "A-01", quantity: Quantity(-1))],
                context: ctx)
        }
        // Moving more stock into a pick bin makes more pickable.
        try l.registerWhseReclassJournal(
            location: "WH1",
            lines: [
                WhseReclassJournalLine(item: "ITEM1", fromBin: "B-01", toBin: "A-02", quantity: Quantity(10))
            ], context: ctx)
        try l.createReservation(location: "WH1", item: "ITEM1", quantity: Quantity(10), source: "SO-1002", context: ctx)
        // Stock in a ship bin and in the adjustment bin cannot be reserved.
        try l.registerWhseReclassJournal(
            location: "WH1",
            lines: [
                WhseReclassJournalLine(item: "ITEM1", fromBin: "B-01", toBin: "S-01", quantity: Quantity(20))
            ], context: ctx)
        a = try l.availability(item: "ITEM1", location: "WH1")[0]
        #expect(a.availableToReserve == Quantity(105 - 20 - 15))
        try l.cancelReservation(r.no)
        try l.registerWhseItemJournal(
            location: "WH1", lines: [WhseItemJournalLine(item: "ITEM1", bin: "A-01", quantity: Quantity(-1))],
            context: ctx)
        #expect(l.verify() == [])
    }

    /// E3: Qty. Rounding Precision. 0.83333 BOX of 6 PCS is 4.99998 PCS; with a base precision of 1 it is 5.
    @Test func e3RoundingPrecision() throws {
        let l = try directedWH1()
        try l.createItem(no: "FINE", unitsOfMeasure: [(code: "BOX", quantityPerUnit: Quantity(6))])
        try l.createItem(
            no: "WHOLE", unitsOfMeasure: [(code: "BOX", quantityPerUnit: Quantity(6))],
            roundingPrecision: ["PCS": Quantity(1)])
        try l.registerWhseItemJournal(
            location: "WH1",
            lines: [
                WhseItemJournalLine(item: "FINE", bin: "A-01", quantity: q("0.83333"), unitOfMeasure: "BOX"),
                WhseItemJournalLine(item: "WHOLE", bin: "A-01", quantity: q("0.83333"), unitOfMeasure: "BOX")
            ], context: ctx)
        #expect(l.state.contents[ContentKey("WH1", "A-01", "FINE", "BOX")]?.quantityBase == q("4.99998"))
        #expect(l.state.contents[ContentKey("WH1", "A-01", "WHOLE", "BOX")]?.quantityBase == Quantity(5))
        // A quantity finer than its unit's precision is refused, not rounded behind the user's back.
        expectRefusal(.unitOfMeasure, l) { () throws(DomainError) in
            try l.registerWhseItemJournal(
                location: "WH1", lines: [WhseItemJournalLine(item: "WHOLE", bin: "A-01", quantity: q("0.5"))],
                context: ctx)
        }
        #expect(l.verify() == [])
    }

    /// E10: ADJ holds L1 +5 and L2 −3 → two lines (Negative Adjmt. 5 with L1, Positive Adjmt. 3 with L2); an untracked
    /// item with the same +5/−3 gets one Negative Adjmt. 2 line.
    @Test func e10LotTrackedMixedSigns() throws {
        let l = try directedWH1()
        try l.createItem(no: "LOTITEM", tracking: ItemTracking(lot: true))
        try l.createItem(no: "ITEM1")
        try l.postItemJournal(
            lines: [
                ItemJournalLine(
                    entryType: .purchase, location: "WH1", item: "LOTITEM", quantity: Quantity(20),
                    tracking: [
                        TrackingLine(lot: "L1", quantity: Quantity(10)), TrackingLine(lot: "L2", quantity: Quantity(10))
                    ]),
                ItemJournalLine(entryType: .purchase, location: "WH1", item: "ITEM1", quantity: Quantity(20))
            ], context: ctx)
        try l.registerWhseItemJournal(
            location: "WH1",
            lines: [
                WhseItemJournalLine(item: "LOTITEM", bin: "A-01", quantity: Quantity(10), lot: "L1"),
                WhseItemJournalLine(item: "LOTITEM", bin: "A-02", quantity: Quantity(10), lot: "L2"),
                WhseItemJournalLine(item: "ITEM1", bin: "A-01", quantity: Quantity(10)),
                WhseItemJournalLine(item: "ITEM1", bin: "A-02", quantity: Quantity(10))
            ], context: ctx)
        // Warehouse counts: L1 5 short in A-01, L2 3 found in A-02; the untracked item the same.
        let j = try l.calculateWhseCount(location: "WH1", journal: "C1", context: ctx)
        #expect(j.lines.filter { $0.item == "LOTITEM" }.map(\.lot) == ["L1", "L2"])
        try l.recordWhseCounts(
            journal: "C1",
            counts: [
                CountInput(bin: "A-01", item: "LOTITEM", quantity: Quantity(5), lot: "L1"),
                CountInput(bin: "A-02", item: "LOTITEM", quantity: Quantity(13), lot: "L2"),
                CountInput(bin: "A-01", item: "ITEM1", quantity: Quantity(5)),
                CountInput(bin: "A-02", item: "ITEM1", quantity: Quantity(13))
            ], context: ctx)
        try l.registerWhseCount(journal: "C1", context: ctx)
        #expect(l.content("WH1", "ADJ", "LOTITEM", lot: "L1") == Quantity(5))
        #expect(l.content("WH1", "ADJ", "LOTITEM", lot: "L2") == Quantity(-3))
        #expect(l.content("WH1", "ADJ", "ITEM1") == Quantity(2))
        let lines = try l.calculateWhseAdjustment(location: "WH1", context: ctx)
        let tracked = lines.filter { $0.item == "LOTITEM" }
        #expect(tracked.count == 2)
        #expect(tracked[0].entryType == .negativeAdjmt && tracked[0].quantity == Quantity(5))
        #expect(tracked[0].tracking.map { ($0.lot ?? "", $0.quantity) }.elementsEqual([("L1", Quantity(5))], by: ==))
        #expect(tracked[1].entryType == .positiveAdjmt && tracked[1].quantity == Quantity(3))
        #expect(tracked[1].tracking.map { ($0.lot ?? "", $0.quantity) }.elementsEqual([("L2", Quantity(3))], by: ==))
        let untracked = lines.filter { $0.item == "ITEM1" }
        #expect(untracked.count == 1)
        #expect(untracked[0].entryType == .negativeAdjmt && untracked[0].quantity == Quantity(2))
        #expect(try l.calculateWhseAdjustment(location: "WH1", context: ctx).isEmpty, "a second run adds nothing")
        let ileBefore = l.state.itemLedgerEntries.count
        let weBefore = l.state.warehouseEntries.count
        try l.postItemJournalBatch("DEFAULT", context: ctx)
        let iles = l.state.itemLedgerEntries.dropFirst(ileBefore).filter { $0.item == "LOTITEM" }.map {
            ($0.lot, $0.entryType, $0.quantity)
        }
        #expect(iles.elementsEqual([("L1", .negativeAdjmt, Quantity(-5)), ("L2", .positiveAdjmt, Quantity(3))], by: ==))
        let wes = l.state.warehouseEntries.dropFirst(weBefore).filter { $0.item == "LOTITEM" }.map {
            ($0.bin + "/" + $0.lot, $0.entryType, $0.quantity)
        }
        #expect(
            wes.elementsEqual(
                [("ADJ/L1", .negativeAdjmt, Quantity(-5)), ("ADJ/L2", .positiveAdjmt, Quantity(3))], by: ==))
        #expect(l.content("WH1", "ADJ", "LOTITEM", lot: "L1") == .zero)
        #expect(l.content("WH1", "ADJ", "LOTITEM", lot: "L2") == .zero)
        #expect(l.inventory("LOTITEM", "WH1", lot: "L1") == Quantity(5))
        #expect(l.inventory("LOTITEM", "WH1", lot: "L2") == Quantity(13))
        #expect(l.verify() == [])
    }

    /// E12's tail: Item Reclassification S-01 → S-02, 3 ⇒ no item ledger entry; WE(S-01, Movement, −3), WE(S-02, Movement, +3).
    @Test func e12ItemReclassification() throws {
        let l = Ledger()
        try l.createLocation(code: "BASIC", kind: .basic)
        try l.createLocation(code: "SHOP", kind: .plain)
        try l.createBin(location: "BASIC", code: "S-01")
        try l.createBin(location: "BASIC", code: "S-02")
        try l.createItem(no: "ITEM1")
        try l.postItemJournal(
            lines: [
                ItemJournalLine(
                    entryType: .positiveAdjmt, location: "BASIC", bin: "S-01", item: "ITEM1", quantity: Quantity(7)),
                ItemJournalLine(
                    entryType: .positiveAdjmt, location: "BASIC", bin: "S-02", item: "ITEM1", quantity: Quantity(2))
            ], context: ctx)
        let ileBefore = l.state.itemLedgerEntries.count
        let weBefore = l.state.warehouseEntries.count
        try l.postItemReclassJournal(
            lines: [
                ItemReclassJournalLine(
                    item: "ITEM1", location: "BASIC", bin: "S-01", newBin: "S-02",
                    quantity: Quantity(3))
            ], context: ctx)
        #expect(l.state.itemLedgerEntries.count == ileBefore, "bin to bin posts no item ledger entry")
        #expect(
            l.weSince(weBefore).elementsEqual(
                [("S-01", .movement, Quantity(-3)), ("S-02", .movement, Quantity(3))], by: ==))
        #expect(l.content("BASIC", "S-01", "ITEM1") == Quantity(4))
        #expect(l.content("BASIC", "S-02", "ITEM1") == Quantity(5))
        // To another location: an item ledger Transfer pair and the source bin's warehouse entry.
        try l.postItemReclassJournal(
            lines: [
                ItemReclassJournalLine(
                    item: "ITEM1", location: "BASIC", bin: "S-02", newLocation: "SHOP",
                    quantity: Quantity(5))
            ], context: ctx)
        #expect(l.inventory("ITEM1", "BASIC") == Quantity(4))
        #expect(l.inventory("ITEM1", "SHOP") == Quantity(5))
        #expect(l.state.itemLedgerEntries.suffix(2).map(\.entryType) == [.transfer, .transfer])
        expectRefusal(.insufficientQuantity, l) { () throws(DomainError) in
            try l.postItemReclassJournal(
                lines: [
                    ItemReclassJournalLine(
                        item: "ITEM1", location: "SHOP", newLocation: "BASIC", newBin: "S-01",
                        quantity: Quantity(6))
                ], context: ctx)
        }
        let wh = try directedWH1()
        try wh.createItem(no: "ITEM1")
        expectRefusal(.wrongLocationKind, wh) { () throws(DomainError) in
            try wh.postItemReclassJournal(
                lines: [
                    ItemReclassJournalLine(
                        item: "ITEM1", location: "WH1", bin: "A-01", newBin: "A-02",
                        quantity: Quantity(1))
                ], context: ctx)
        }
        #expect(l.verify() == [])
    }

    /// E13: period MONTH (12 per year) assigned to ITEM1 on 15 March → window 1–31 March; due on 20 March; once its count
    /// is registered on 20 March, Last Counting Period Update = 20 March and the next window is 1–30 April.
    @Test func e13CountingPeriods() throws {
        let l = try directedWH1()
        try l.createItem(no: "ITEM1")
        try l.createItem(no: "ITEM2")
        try l.postItemJournal(
            lines: [
                ItemJournalLine(entryType: .purchase, location: "WH1", item: "ITEM1", quantity: Quantity(10)),
                ItemJournalLine(entryType: .purchase, location: "WH1", item: "ITEM2", quantity: Quantity(10))
            ],
            context: ctx)
        try l.registerWhseItemJournal(
            location: "WH1",
            lines: [
                WhseItemJournalLine(item: "ITEM1", bin: "A-01", quantity: Quantity(10)),
                WhseItemJournalLine(item: "ITEM2", bin: "A-01", quantity: Quantity(10))
            ],
            context: ctx)
        try l.createCountingPeriod(code: "MONTH", frequency: 12)
        var item = try l.setItemCountingPeriod(item: "ITEM1", period: "MONTH", date: "2026-03-15")
        #expect(item.nextCountingStart == "2026-03-01" && item.nextCountingEnd == "2026-03-31")
        #expect(try l.itemsDueForCounting(on: "2026-03-20").map(\.no) == ["ITEM1"])
        #expect(try l.itemsDueForCounting(on: "2026-02-28").isEmpty)
        let j = try l.calculateWhseCount(
            location: "WH1", journal: "CYCLE", registeringDate: "2026-03-20", countingPeriodDue: true,
            context: ctx)
        #expect(j.lines.map(\.item) == ["ITEM1"], "only the item due is counted")
        #expect(j.lines[0].countingPeriod == "MONTH")
        try l.registerWhseCount(journal: "CYCLE", context: ctx)
        item = try l.item("ITEM1")
        #expect(item.lastCountingPeriodUpdate == "2026-03-20")
        #expect(item.nextCountingStart == "2026-04-01" && item.nextCountingEnd == "2026-04-30")
        #expect(try l.itemsDueForCounting(on: "2026-03-25").isEmpty)
        #expect(try l.itemsDueForCounting(on: "2026-04-01").map(\.no) == ["ITEM1"])
        // Other frequencies: quarters, half months, day windows.
        let quarter = CountingPeriod(code: "Q", description: "", frequency: 4)
        #expect(quarter.window(containing: "2026-03-15") == ("2026-01-01", "2026-03-31"))
        #expect(quarter.window(after: "2026-03-20") == ("2026-04-01", "2026-06-30"))
        #expect(quarter.window(after: "2026-12-20") == ("2027-01-01", "2027-03-31"))
        let yearly = CountingPeriod(code: "Y", description: "", frequency: 1)
        #expect(yearly.window(containing: "2026-03-15") == ("2026-01-01", "2026-12-31"))
        #expect(yearly.window(after: "2026-03-20") == ("2027-01-01", "2027-12-31"))
        let half = CountingPeriod(code: "H", description: "", frequency: 24)
        #expect(half.window(containing: "2026-02-20") == ("2026-02-16", "2026-02-28"))
        #expect(half.window(after: "2026-02-20") == ("2026-03-01", "2026-03-15"))
        let weekly = CountingPeriod(code: "W", description: "", frequency: 52)
        #expect(weekly.window(containing: "2026-01-09") == ("2026-01-08", "2026-01-14"))
        #expect(weekly.window(containing: "2026-12-31") == ("2026-12-24", "2026-12-31"))
        // The item phys. inventory journal does the same for the items due.
        try l.setItemCountingPeriod(item: "ITEM2", period: "MONTH", date: "2026-03-15")
        let p = try l.calculatePhysInventory(
            location: "WH1", journal: "P", postingDate: "2026-03-21", countingPeriodDue: true, context: ctx)
        #expect(p.lines.map(\.item) == ["ITEM2"])
        try l.postPhysInventory(journal: "P", context: ctx)
        #expect(try l.item("ITEM2").nextCountingStart == "2026-04-01")
        #expect(try l.item("ITEM2").lastPhysInventoryDate == "2026-03-21")
        #expect(l.state.physInventoryEntries.last?.countingPeriod == "MONTH")
        #expect(l.verify() == [])
    }

    /// §4.5: one unit per serial no., no duplicate serial in stock, lots required, expiration dates never change.
    @Test func serialLotAndExpirationRules() throws {
        let l = try directedWH1()
        try l.createItem(no: "SN", tracking: ItemTracking(serial: true))
        try l.createItem(no: "EXP", tracking: ItemTracking(lot: true, expirationRequired: true))
        try l.createItem(no: "PLAIN")
        expectRefusal(.itemTracking, l) { () throws(DomainError) in
            try l.registerWhseItemJournal(
                location: "WH1",
                lines: [WhseItemJournalLine(item: "SN", bin: "A-01", quantity: Quantity(2), serial: "S1")],
                context: ctx)
        }
        expectRefusal(.itemTracking, l) { () throws(DomainError) in
            try l.registerWhseItemJournal(
                location: "WH1", lines: [WhseItemJournalLine(item: "SN", bin: "A-01", quantity: Quantity(1))],
                context: ctx)
        }
        try l.registerWhseItemJournal(
            location: "WH1", lines: [WhseItemJournalLine(item: "SN", bin: "A-01", quantity: Quantity(1), serial: "S1")],
            context: ctx)
        expectRefusal(.itemTracking, l) { () throws(DomainError) in
            try l.registerWhseItemJournal(
                location: "WH1",
                lines: [WhseItemJournalLine(item: "SN", bin: "A-02", quantity: Quantity(1), serial: "S1")],
                context: ctx)
        }
        expectRefusal(.itemTracking, l) { () throws(DomainError) in
            try l.registerWhseItemJournal(
                location: "WH1",
                lines: [WhseItemJournalLine(item: "PLAIN", bin: "A-01", quantity: Quantity(1), lot: "L1")],
                context: ctx)
        }
        expectRefusal(.itemTracking, l) { () throws(DomainError) in
            try l.registerWhseItemJournal(
                location: "WH1",
                lines: [WhseItemJournalLine(item: "EXP", bin: "A-01", quantity: Quantity(4), lot: "L1")],
                context: ctx)
        }
        try l.registerWhseItemJournal(
            location: "WH1",
            lines: [
                WhseItemJournalLine(
                    item: "EXP", bin: "A-01", quantity: Quantity(4), lot: "L1", expirationDate: "2027-01-31")
            ], context: ctx)
        // The same lot later: its date is known and may be left out, but not changed.
        try l.registerWhseItemJournal(
            location: "WH1", lines: [WhseItemJournalLine(item: "EXP", bin: "A-02", quantity: Quantity(1), lot: "L1")],
            context: ctx)
        #expect(l.state.warehouseEntries.last?.expirationDate == "2027-01-31")
        expectRefusal(.itemTracking, l) { () throws(DomainError) in
            try l.registerWhseItemJournal(
                location: "WH1",
                lines: [
                    WhseItemJournalLine(
                        item: "EXP", bin: "A-02", quantity: Quantity(1), lot: "L1", expirationDate: "2027-02-28")
                ], context: ctx)
        }
        // Taking more of a lot than the bin holds of that lot.
        expectRefusal(.insufficientQuantity, l) { () throws(DomainError) in
            try l.registerWhseItemJournal(
                location: "WH1",
                lines: [WhseItemJournalLine(item: "EXP", bin: "A-02", quantity: Quantity(-2), lot: "L1")],
                context: ctx)
        }
        // Reclassify 2 of L1 into a new lot L9 with its own date: warehouse Movement pair and an item ledger Transfer pair.
        let ileBefore = l.state.itemLedgerEntries.count
        try l.registerWhseReclassJournal(
            location: "WH1",
            lines: [
                WhseReclassJournalLine(
                    item: "EXP", fromBin: "A-01", toBin: "A-02", quantity: Quantity(2), lot: "L1", newLot: "L9",
                    newExpirationDate: "2027-06-30")
            ], context: ctx)
        #expect(l.content("WH1", "A-02", "EXP", lot: "L9") == Quantity(2))
        #expect(
            l.state.itemLedgerEntries.dropFirst(ileBefore).map { ($0.lot, $0.quantity) }.elementsEqual(
                [("L1", Quantity(-2)), ("L9", Quantity(2))], by: ==))
        #expect(l.state.expirations[TrackingNo("EXP", lot: "L9", serial: "")] == "2027-06-30")
        // The serial in the item ledger: the item journal at a directed location cannot bring S1 in twice.
        try l.postItemJournal(
            lines: [
                ItemJournalLine(entryType: .purchase, location: "WH1", item: "SN", quantity: Quantity(1), serial: "S2")
            ],
            context: ctx)
        expectRefusal(.itemTracking, l) { () throws(DomainError) in
            try l.postItemJournal(
                lines: [
                    ItemJournalLine(
                        entryType: .purchase, location: "WH1", item: "SN", quantity: Quantity(1), serial: "S2")
                ],
                context: ctx)
        }
        // Tracking lines must account for the line's quantity.
        expectRefusal(.itemTracking, l) { () throws(DomainError) in
            try l.postItemJournal(
                lines: [
                    ItemJournalLine(
                        entryType: .purchase, location: "WH1", item: "EXP", quantity: Quantity(5),
                        tracking: [TrackingLine(lot: "L1", quantity: Quantity(4))])
                ], context: ctx)
        }
        // A serial-tracked item in a warehouse count: a serial found is counted 1, never 2.
        let j = try l.calculateWhseCount(location: "WH1", journal: "SNC", item: "SN", context: ctx)
        #expect(j.lines.map(\.serial) == ["S1"])
        expectRefusal(.itemTracking, l) { () throws(DomainError) in
            try l.recordWhseCounts(
                journal: "SNC", counts: [CountInput(bin: "A-01", item: "SN", quantity: Quantity(2), serial: "S1")],
                context: ctx)
        }
        try l.recordWhseCounts(
            journal: "SNC",
            counts: [
                CountInput(bin: "A-01", item: "SN", quantity: Quantity(0), serial: "S1"),
                CountInput(bin: "A-02", item: "SN", quantity: Quantity(1), serial: "S1")
            ], context: ctx)
        try l.registerWhseCount(journal: "SNC", context: ctx)
        #expect(l.content("WH1", "A-01", "SN", serial: "S1") == .zero)
        #expect(l.content("WH1", "A-02", "SN", serial: "S1") == Quantity(1))
        #expect(l.verify() == [])
    }

    /// §4.5: blocked lots stay in the books but are not available to pick or reserve.
    @Test func blockedLotsAreNotPickable() throws {
        let l = try directedWH1()
        try l.createItem(no: "LOTITEM", tracking: ItemTracking(lot: true))
        try l.registerWhseItemJournal(
            location: "WH1",
            lines: [
                WhseItemJournalLine(item: "LOTITEM", bin: "A-01", quantity: Quantity(5), lot: "L1"),
                WhseItemJournalLine(item: "LOTITEM", bin: "A-02", quantity: Quantity(3), lot: "L2")
            ], context: ctx)
        #expect(try l.availability(item: "LOTITEM", location: "WH1")[0].availableToPick == Quantity(8))
        _ = try l.setTrackingBlocked(item: "LOTITEM", lot: "L1", serial: nil, blocked: true)
        #expect(try l.availability(item: "LOTITEM", location: "WH1")[0].availableToPick == Quantity(3))
        #expect(try l.itemBins(item: "LOTITEM").first { $0.lot == "L1" }?.blocked == true)
        expectRefusal(.insufficientQuantity, l) { () throws(DomainError) in
            try l.createReservation(
                location: "WH1", item: "LOTITEM", quantity: Quantity(1), lot: "L1", source: "SO", context: ctx)
        }
        expectRefusal(.itemTracking, l) { () throws(DomainError) in
            _ = try l.setTrackingBlocked(item: "LOTITEM", lot: nil, serial: "S1", blocked: true)
        }
        try l.createReservation(location: "WH1", item: "LOTITEM", quantity: Quantity(3), source: "SO", context: ctx)
        _ = try l.setTrackingBlocked(item: "LOTITEM", lot: "L1", serial: nil, blocked: false)
        #expect(try l.availability(item: "LOTITEM", location: "WH1")[0].availableToPick == Quantity(8))
        var w = SnapshotWriter()
        _ = try l.setTrackingBlocked(item: "LOTITEM", lot: "L2", serial: nil, blocked: true)
        l.state.encode(into: &w)
        var r = try SnapshotReader(w.finish())
        #expect(try LedgerState.decode(from: &r) == l.state)
        #expect(l.verify() == [])
    }

    /// A snapshot keeps tracking, expiration dates, rounding precision, counting periods, reservations and count lines.
    @Test func snapshotRoundTripWithTracking() throws {
        let l = try directedWH1()
        try l.createItem(
            no: "LOTITEM", tracking: ItemTracking(lot: true, expirationRequired: true),
            roundingPrecision: ["PCS": Quantity(1)])
        try l.postItemJournal(
            lines: [
                ItemJournalLine(
                    entryType: .purchase, location: "WH1", item: "LOTITEM", quantity: Quantity(5),
                    lot: "L1", expirationDate: "2027-01-01")
            ], context: ctx)
        try l.registerWhseItemJournal(
            location: "WH1",
            lines: [WhseItemJournalLine(item: "LOTITEM", bin: "A-01", quantity: Quantity(5), lot: "L1")],
            context: ctx)
        try l.createCountingPeriod(code: "MONTH", frequency: 12)
        try l.setItemCountingPeriod(item: "LOTITEM", period: "MONTH", date: "2026-03-15")
        try l.createReservation(
            location: "WH1", item: "LOTITEM", quantity: Quantity(2), lot: "L1", source: "SO-1", context: ctx)
        try l.calculateWhseCount(location: "WH1", journal: "C", context: ctx)
        var w = SnapshotWriter()
        l.state.encode(into: &w)
        var r = try SnapshotReader(w.finish())
        let back = try LedgerState.decode(from: &r)
        #expect(r.atEnd)
        #expect(back == l.state)
    }
}

func == (a: (String, Quantity), b: (String, Quantity)) -> Bool { a.0 == b.0 && a.1 == b.1 }
func == (a: (String, Quantity), b: (String, Quantity)?) -> Bool { b.map { a == $0 } ?? false }
func == (a: (Quantity, Quantity), b: (Quantity, Quantity)) -> Bool { a.0 == b.0 && a.1 == b.1 }
