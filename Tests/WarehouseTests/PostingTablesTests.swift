import Testing

@testable import Warehouse

/// DOMAIN.md §3.2–§3.8, row by row: entry types, signs, which ledger.
@Suite struct PostingTables {
    @Test func s33ReclassificationIsMovementWithoutItemLedgerEntry() throws {
        let l = try e6Setup()
        let we0 = l.state.warehouseEntries.count
        let ile0 = l.state.itemLedgerEntries.count
        try l.registerWhseReclassJournal(
            location: "WH1",
            lines: [
                WhseReclassJournalLine(item: "ITEM1", fromBin: "A-01", toBin: "A-02", quantity: Quantity(3))
            ], context: ctx)
        let we = l.weSince(we0)
        #expect(we.count == 2)
        #expect(we[0] == ("A-01", .movement, Quantity(-3)))
        #expect(we[1] == ("A-02", .movement, Quantity(3)))
        #expect(l.state.itemLedgerEntries.count == ile0)
        // Negative quantity, the adjustment bin, the same bin: refused.
        for line in [
            WhseReclassJournalLine(item: "ITEM1", fromBin: "A-01", toBin: "A-02", quantity: Quantity(-1)),
            WhseReclassJournalLine(item: "ITEM1", fromBin: "ADJ", toBin: "A-02", quantity: Quantity(1)),
            WhseReclassJournalLine(item: "ITEM1", fromBin: "A-01", toBin: "A-01", quantity: Quantity(1))
        ] {
            let before = l.state
            #expect(throws: DomainError.self) {
                try l.registerWhseReclassJournal(location: "WH1", lines: [line], context: ctx)
            }
            #expect(l.state == before)
        }
    }

    /// §3.3 row 2: a reclassification that changes the lot writes the Movement pair (the To entry with the new lot)
    /// and an item ledger Transfer pair at the location (old lot −q, new lot +q), flagged Warehouse Adjustment.
    @Test func s33TrackingChangeWritesTransferPair() throws {
        let l = try directedWH1()
        try l.createItem(no: "LOTITEM", tracking: ItemTracking(lot: true))
        try l.postItemJournal(
            lines: [
                ItemJournalLine(
                    entryType: .purchase, location: "WH1", item: "LOTITEM", quantity: Quantity(5), lot: "L1")
            ],
            context: ctx)
        try l.registerWhseItemJournal(
            location: "WH1",
            lines: [WhseItemJournalLine(item: "LOTITEM", bin: "A-01", quantity: Quantity(5), lot: "L1")],
            context: ctx)
        let we0 = l.state.warehouseEntries.count
        let ile0 = l.state.itemLedgerEntries.count
        try l.registerWhseReclassJournal(
            location: "WH1",
            lines: [
                WhseReclassJournalLine(
                    item: "LOTITEM", fromBin: "A-01", toBin: "A-02", quantity: Quantity(2), lot: "L1", newLot: "L2")
            ], context: ctx)
        let we = l.state.warehouseEntries.dropFirst(we0).map { ($0.bin + "/" + $0.lot, $0.entryType, $0.quantity) }
        #expect(we.elementsEqual([("A-01/L1", .movement, Quantity(-2)), ("A-02/L2", .movement, Quantity(2))], by: ==))
        let ile = Array(l.state.itemLedgerEntries.dropFirst(ile0))
        #expect(
            ile.map { ($0.lot, $0.entryType, $0.quantity) }.elementsEqual(
                [("L1", .transfer, Quantity(-2)), ("L2", .transfer, Quantity(2))], by: ==))
        #expect(ile.allSatisfy { $0.warehouseAdjustment && $0.location == "WH1" })
        #expect(l.verify() == [])
    }

    /// §3.7 Item Reclass. rows: bin to bin at one basic location — no item ledger entry, a Movement pair; from one
    /// basic location to another — an item ledger Transfer pair and a warehouse entry in each location's bin.
    @Test func s37ItemReclassRows() throws {
        let l = Ledger()
        for code in ["B1", "B2"] {
            try l.createLocation(code: code, kind: .basic)
            try l.createBin(location: code, code: "S-01")
            try l.createBin(location: code, code: "S-02")
        }
        try l.createItem(no: "ITEM1")
        try l.postItemJournal(
            lines: [
                ItemJournalLine(
                    entryType: .purchase, location: "B1", bin: "S-01", item: "ITEM1", quantity: Quantity(10))
            ],
            context: ctx)
        var we0 = l.state.warehouseEntries.count
        var ile0 = l.state.itemLedgerEntries.count
        try l.postItemReclassJournal(
            lines: [
                ItemReclassJournalLine(
                    item: "ITEM1", location: "B1", bin: "S-01", newBin: "S-02",
                    quantity: Quantity(3))
            ], context: ctx)
        #expect(l.state.itemLedgerEntries.count == ile0)
        #expect(
            l.weSince(we0).elementsEqual([("S-01", .movement, Quantity(-3)), ("S-02", .movement, Quantity(3))], by: ==))
        we0 = l.state.warehouseEntries.count
        ile0 = l.state.itemLedgerEntries.count
        try l.postItemReclassJournal(
            lines: [
                ItemReclassJournalLine(
                    item: "ITEM1", location: "B1", bin: "S-02", newLocation: "B2",
                    newBin: "S-01", quantity: Quantity(2))
            ], context: ctx)
        let ile = l.state.itemLedgerEntries.dropFirst(ile0).map { ($0.location, $0.entryType, $0.quantity) }
        #expect(ile.elementsEqual([("B1", .transfer, Quantity(-2)), ("B2", .transfer, Quantity(2))], by: ==))
        let we = l.state.warehouseEntries.dropFirst(we0).map { ($0.location + "/" + $0.bin, $0.entryType, $0.quantity) }
        #expect(
            we.elementsEqual(
                [("B1/S-02", .negativeAdjmt, Quantity(-2)), ("B2/S-01", .positiveAdjmt, Quantity(2))], by: ==))
        // A basic target needs its new bin.
        expectRefusal(.validationFailed, l) { () throws(DomainError) in
            try l.postItemReclassJournal(
                lines: [
                    ItemReclassJournalLine(
                        item: "ITEM1", location: "B1", bin: "S-01", newLocation: "B2",
                        quantity: Quantity(1))
                ], context: ctx)
        }
        #expect(l.verify() == [])
    }

    @Test func s34CountWithMoreFound() throws {
        let l = try e6Setup()
        try l.calculateWhseCount(location: "WH1", journal: "C", bin: "A-01", context: ctx)
        try l.recordWhseCounts(journal: "C", counts: [CountInput(lineNo: 10000, quantity: Quantity(64))], context: ctx)
        let we0 = l.state.warehouseEntries.count
        try l.registerWhseCount(journal: "C", context: ctx)
        let we = l.weSince(we0)
        #expect(we.count == 2)
        #expect(we[0] == ("ADJ", .negativeAdjmt, Quantity(-4)))
        #expect(we[1] == ("A-01", .positiveAdjmt, Quantity(4)))
        #expect(l.state.itemLedgerEntries.count == 1, "registering writes no item ledger entry")
    }

    @Test func s36ZeroDifferencePhysInventoryAtDirected() throws {
        let l = try e6Setup()
        try l.calculatePhysInventory(location: "WH1", journal: "P", context: ctx)
        let we0 = l.state.warehouseEntries.count
        let ile0 = l.state.itemLedgerEntries.count
        try l.postPhysInventory(journal: "P", context: ctx)
        #expect(l.state.itemLedgerEntries.count == ile0, "zero difference: no item ledger entry")
        #expect(l.state.physInventoryEntries.count == 1)
        #expect(l.weSince(we0).elementsEqual([("ADJ", EntryType.positiveAdjmt, Quantity.zero)], by: { $0 == $1 }))
        // A directed location's counted quantity cannot be typed.
        try l.calculatePhysInventory(location: "WH1", journal: "P2", context: ctx)
        #expect(throws: DomainError.self) {
            try l.recordPhysInventoryCounts(journal: "P2", counts: [CountInput(lineNo: 10000, quantity: Quantity(1))])
        }
    }

    @Test func s35ItemJournalAtDirectedLandsInAdjustmentBin() throws {
        let l = try e6Setup()
        let we0 = l.state.warehouseEntries.count
        try l.postItemJournal(
            lines: [
                ItemJournalLine(entryType: .sale, location: "WH1", item: "ITEM1", quantity: Quantity(7)),
                ItemJournalLine(entryType: .positiveAdjmt, location: "WH1", item: "ITEM1", quantity: Quantity(2))
            ], context: ctx)
        let we = l.weSince(we0)
        #expect(we[0] == ("ADJ", .negativeAdjmt, Quantity(-7)))
        #expect(we[1] == ("ADJ", .positiveAdjmt, Quantity(2)))
        #expect(l.state.itemLedgerEntries.suffix(2).map(\.entryType) == [.sale, .positiveAdjmt])
        #expect(l.state.itemLedgerEntries.suffix(2).map(\.quantity) == [Quantity(-7), Quantity(2)])
        // A bin code at a directed location is refused.
        #expect(throws: DomainError.self) {
            try l.postItemJournal(
                lines: [
                    ItemJournalLine(
                        entryType: .sale, location: "WH1", bin: "A-01", item: "ITEM1", quantity: Quantity(1))
                ], context: ctx)
        }
        #expect(l.verify() == [])
    }

    @Test func s37BasicLocationRows() throws {
        let l = Ledger()
        try l.createLocation(code: "B", kind: .basic)
        try l.createBin(location: "B", code: "S-01")
        try l.createItem(no: "I", unitsOfMeasure: [("BOX", Quantity(6))])
        try l.postItemJournal(
            lines: [
                ItemJournalLine(
                    entryType: .purchase, location: "B", bin: "S-01", item: "I", quantity: Quantity(2),
                    unitOfMeasure: "BOX"),
                ItemJournalLine(entryType: .sale, location: "B", bin: "S-01", item: "I", quantity: Quantity(5)),
                // A correction.
                ItemJournalLine(entryType: .sale, location: "B", bin: "S-01", item: "I", quantity: Quantity(-1))
            ], context: ctx)
        let we = l.weSince(0)
        #expect(we[0] == ("S-01", .positiveAdjmt, Quantity(12)))  // base unit at basic locations
        #expect(l.state.warehouseEntries[0].unitOfMeasure == "PCS")
        #expect(we[1] == ("S-01", .negativeAdjmt, Quantity(-5)))
        #expect(we[2] == ("S-01", .positiveAdjmt, Quantity(1)))
        #expect(l.state.itemLedgerEntries.map(\.quantity) == [Quantity(12), Quantity(-5), Quantity(1)])
        #expect(l.inventory("I", "B") == Quantity(8))
        // Bin required; blocked outbound refuses decreases.
        #expect(throws: DomainError.self) {
            try l.postItemJournal(
                lines: [ItemJournalLine(entryType: .sale, location: "B", item: "I", quantity: Quantity(1))],
                context: ctx)
        }
        try l.updateBin(location: "B", code: "S-01", blockMovement: .outbound)
        do {
            try l.postItemJournal(
                lines: [
                    ItemJournalLine(entryType: .sale, location: "B", bin: "S-01", item: "I", quantity: Quantity(1))
                ], context: ctx)
            Issue.record("blocked bin accepted a decrease")
        } catch { #expect(error.reason == .binBlocked) }
        try l.postItemJournal(
            lines: [
                ItemJournalLine(entryType: .purchase, location: "B", bin: "S-01", item: "I", quantity: Quantity(1))
            ], context: ctx)
        #expect(l.verify() == [])
        // Warehouse journals are refused at basic locations.
        #expect(throws: DomainError.self) {
            try l.registerWhseItemJournal(
                location: "B", lines: [WhseItemJournalLine(item: "I", bin: "S-01", quantity: Quantity(1))], context: ctx
            )
        }
    }

    @Test func s38PlainLocationWritesItemLedgerOnly() throws {
        let l = Ledger()
        try l.createLocation(code: "P", kind: .plain)
        try l.createItem(no: "I")
        try l.postItemJournal(
            lines: [ItemJournalLine(entryType: .purchase, location: "P", item: "I", quantity: Quantity(10))],
            context: ctx)
        #expect(l.state.warehouseEntries.isEmpty)
        try l.calculatePhysInventory(location: "P", journal: "P1", context: ctx)
        try l.recordPhysInventoryCounts(journal: "P1", counts: [CountInput(item: "I", quantity: Quantity(8))])
        try l.postPhysInventory(journal: "P1", context: ctx)
        #expect(l.inventory("I", "P") == Quantity(8))
        #expect(l.state.warehouseEntries.isEmpty)
        #expect(l.state.physInventoryEntries.count == 1)
        #expect(throws: DomainError.self) { try l.createBin(location: "P", code: "X") }
    }

    @Test func adjustmentBinCannotBeUsedOnJournalLines() throws {
        let l = try e6Setup()
        do {
            try l.registerWhseItemJournal(
                location: "WH1", lines: [WhseItemJournalLine(item: "ITEM1", bin: "ADJ", quantity: Quantity(1))],
                context: ctx)
            Issue.record("ADJ accepted")
        } catch { #expect(error.reason == .adjustmentBin) }
    }

    @Test func aRefusedLineLeavesEarlierLinesUnposted() throws {
        let l = try e6Setup()
        let before = l.state
        do {
            try l.registerWhseItemJournal(
                location: "WH1",
                lines: [
                    WhseItemJournalLine(item: "ITEM1", bin: "A-01", quantity: Quantity(5)),
                    WhseItemJournalLine(item: "ITEM1", bin: "A-02", quantity: Quantity(-41))
                ], context: ctx)
            Issue.record("accepted")
        } catch {
            #expect(error.reason == .insufficientQuantity)
            #expect(error.details["line"] == .int(2))
        }
        #expect(l.state == before)
    }

    @Test func stalePhysInventoryRefused() throws {
        let l = try e6Setup()
        try l.calculatePhysInventory(location: "WH1", journal: "P", context: ctx)
        try l.postItemJournal(
            lines: [ItemJournalLine(entryType: .sale, location: "WH1", item: "ITEM1", quantity: Quantity(1))],
            context: ctx)
        do {
            try l.postPhysInventory(journal: "P", context: ctx)
            Issue.record("stale posted")
        } catch {
            #expect(error.reason == .countStale)
        }
        try l.recalculatePhysInventory(journal: "P")
        try l.postPhysInventory(journal: "P", context: ctx)
        #expect(l.content("WH1", "ADJ", "ITEM1") == .zero)
        #expect(l.verify() == [])
    }
}

@Suite struct QuantityTests {
    /// The in-place reader of the common spelling agrees with the general one on every text it reads, and leaves
    /// every other text to it (edge cases, then 20,000 random texts from the characters numbers are made of).
    @Test func plainSpellingAgreesWithTheGeneralReader() {
        var texts = [
            "0", "-0", "+0", "1", "-1", "0.5", "-0.00001", "00012.50", "9999999999999", "1000000000000",
            "1000000000000.00001", "-1000000000000", "10000000000000", "1.", ".5", "1.123456", "1.12345", "1e2", "-",
            "", "+", "1.2.3", "1 ", " 1", "12a", "0x10", "1.00000", "999999999999.99999"
        ]
        var rng = SystemRandomNumberGenerator()
        let alphabet = Array("0123456789.-+eE ")
        for _ in 0..<20_000 {
            let n = Int.random(in: 1...18, using: &rng)
            texts.append(String((0..<n).map { _ in alphabet.randomElement(using: &rng)! }))
        }
        for t in texts {
            let general = try? Quantity(parsingAny: t)
            if let fast = Quantity.plain(t) {
                #expect(fast == general, "\(t)")
            }
            #expect((try? Quantity(parsing: t)) == general, "\(t)")
        }
        #expect(Quantity.plain("12.5") == Quantity(units: 1_250_000))
        #expect(Quantity.plain("-3") == Quantity(-3))
    }

    @Test func exactDecimals() throws {
        let sum = q("0.1").adding(q("0.2"))!.subtracting(q("0.3"))!
        #expect(sum == .zero)
        #expect(sum.description == "0")
        #expect(q("1.25").description == "1.25")
        #expect(q("-0.00001").description == "-0.00001")
        #expect(q("1.50000").description == "1.5")
        #expect(q("1e2") == Quantity(100))
        #expect(q("12.5E-1").description == "1.25")
        #expect(throws: Quantity.ParseError.self) { try Quantity(parsing: "0.123456") }
        #expect(throws: Quantity.ParseError.self) { try Quantity(parsing: "1e-6") }
        #expect(throws: Quantity.ParseError.self) { try Quantity(parsing: "abc") }
        #expect(throws: Quantity.ParseError.self) { try Quantity(parsing: "..1") }
        #expect(throws: Quantity.ParseError.self) { try Quantity(parsing: "") }
        #expect(throws: Quantity.ParseError.self) { try Quantity(parsing: "99999999999999999999") }
        #expect(q("0.1234500").description == "0.12345")
    }

    @Test func conversionRounding() {
        // 5 PCS of a 6-PCS box = 0.83333 BOX; back to base: 4.99998 (DOMAIN.md E3).
        let box = Quantity(5).divided(by: Quantity(6))!
        #expect(box.description == "0.83333")
        #expect(box.multiplied(by: Quantity(6))!.description == "4.99998")
        #expect(q("2.5").multiplied(by: q("0.5"))!.description == "1.25")
        #expect(q("-0.00001").multiplied(by: q("0.5"))!.description == "-0.00001")  // half away from zero
    }
}
