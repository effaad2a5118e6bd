import Testing

@testable import Warehouse

/// Bin capacity, warehouse classes and bin content set-ups (DOMAIN.md §2.1, §2.4, §2.6, §4.2).
@Suite struct Capacity {
    func frozenWarehouse(_ policy: CapacityPolicy) throws -> Ledger {
        let l = Ledger()
        try l.createLocation(code: "WH2", kind: .directed, binCapacityPolicy: policy, checkWarehouseClass: true)
        try l.createZone(location: "WH2", code: "FROZEN", binType: "PICK", warehouseClass: "FROZEN")
        try l.createZone(location: "WH2", code: "DRY", binType: "PICK")
        try l.createBin(
            location: "WH2", code: "F-01", zone: "FROZEN", maximumCubage: Quantity(10), maximumWeight: Quantity(100))
        try l.createBin(location: "WH2", code: "F-02", zone: "FROZEN")
        try l.createBin(location: "WH2", code: "D-01", zone: "DRY")
        try l.createItem(
            no: "ICE", unitsOfMeasure: [(code: "BOX", quantityPerUnit: Quantity(4))], warehouseClass: "FROZEN",
            unitMeasures: [
                "PCS": UnitMeasure(cubage: Quantity(2), weight: q("1.5")),
                "BOX": UnitMeasure(cubage: Quantity(8), weight: Quantity(6))
            ])
        try l.createItem(no: "DRYGOODS")
        return l
    }

    @Test func prohibitRefusesAndClassesAreChecked() throws {
        let l = try frozenWarehouse(.prohibitMore)
        #expect(try l.bin("WH2", "F-01").warehouseClass == "FROZEN", "a new bin takes its zone's class")
        try l.registerWhseItemJournal(
            location: "WH2", lines: [WhseItemJournalLine(item: "ICE", bin: "F-01", quantity: Quantity(5))], context: ctx
        )
        // 5 PCS × 2 = 10 cubage: full. One more piece, or a box, is refused.
        expectRefusal(.capacityExceeded, l) { () throws(DomainError) in
            try l.registerWhseItemJournal(
                location: "WH2", lines: [WhseItemJournalLine(item: "ICE", bin: "F-01", quantity: Quantity(1))],
                context: ctx)
        }
        // Moving in from another bin counts the same.
        try l.registerWhseItemJournal(
            location: "WH2", lines: [WhseItemJournalLine(item: "ICE", bin: "F-02", quantity: Quantity(1))], context: ctx
        )
        expectRefusal(.capacityExceeded, l) { () throws(DomainError) in
            try l.registerWhseReclassJournal(
                location: "WH2",
                lines: [
                    WhseReclassJournalLine(
                        item: "ICE", fromBin: "F-02", toBin: "F-01",
                        quantity: Quantity(1))
                ], context: ctx)
        }
        try l.registerWhseItemJournal(
            location: "WH2", lines: [WhseItemJournalLine(item: "ICE", bin: "F-02", quantity: Quantity(-1))],
            context: ctx)
        // An item of another class cannot go into a frozen bin, nor a frozen item into a dry one.
        expectRefusal(.warehouseClass, l) { () throws(DomainError) in
            try l.registerWhseItemJournal(
                location: "WH2", lines: [WhseItemJournalLine(item: "DRYGOODS", bin: "F-02", quantity: Quantity(1))],
                context: ctx)
        }
        expectRefusal(.warehouseClass, l) { () throws(DomainError) in
            try l.registerWhseItemJournal(
                location: "WH2", lines: [WhseItemJournalLine(item: "ICE", bin: "D-01", quantity: Quantity(1))],
                context: ctx)
        }
        try l.registerWhseItemJournal(
            location: "WH2", lines: [WhseItemJournalLine(item: "DRYGOODS", bin: "D-01", quantity: Quantity(1))],
            context: ctx)
        // A bin content's max. quantity, in its unit.
        try l.setupBinContent(location: "WH2", bin: "F-02", item: "ICE", unitOfMeasure: "BOX", maxQuantity: Quantity(3))
        try l.registerWhseItemJournal(
            location: "WH2",
            lines: [WhseItemJournalLine(item: "ICE", bin: "F-02", quantity: Quantity(3), unitOfMeasure: "BOX")],
            context: ctx)
        expectRefusal(.capacityExceeded, l) { () throws(DomainError) in
            try l.registerWhseItemJournal(
                location: "WH2",
                lines: [WhseItemJournalLine(item: "ICE", bin: "F-02", quantity: Quantity(1), unitOfMeasure: "BOX")],
                context: ctx)
        }
        // Taking out is never limited; then there is room again.
        try l.registerWhseItemJournal(
            location: "WH2", lines: [WhseItemJournalLine(item: "ICE", bin: "F-01", quantity: Quantity(-1))],
            context: ctx)
        try l.registerWhseItemJournal(
            location: "WH2", lines: [WhseItemJournalLine(item: "ICE", bin: "F-01", quantity: Quantity(1))], context: ctx
        )
        // A count records what is there even past capacity: it warns.
        try l.calculateWhseCount(location: "WH2", journal: "C", bin: "F-01", context: ctx)
        try l.recordWhseCounts(journal: "C", counts: [CountInput(lineNo: 10000, quantity: Quantity(7))], context: ctx)
        let posted = try l.registerWhseCount(journal: "C", context: ctx)
        #expect(posted.warnings.count == 1 && posted.warnings[0].contains("maximum cubage 10 (would hold 14)"))
        #expect(l.verify() == [])
    }

    @Test func allowMoreWarns() throws {
        let l = try frozenWarehouse(.allowMore)
        let posted = try l.registerWhseItemJournal(
            location: "WH2",
            lines: [
                WhseItemJournalLine(item: "ICE", bin: "F-01", quantity: Quantity(2), unitOfMeasure: "BOX")
            ], context: ctx)
        #expect(
            posted.warnings == ["placing item ICE exceeds the capacity of bin F-01: maximum cubage 10 (would hold 16)"])
        #expect(l.content("WH2", "F-01", "ICE", "BOX") == Quantity(2))
        // Under Never Check, nothing is said.
        try l.updateLocation(code: "WH2", binCapacityPolicy: .never)
        #expect(
            try l.registerWhseItemJournal(
                location: "WH2", lines: [WhseItemJournalLine(item: "ICE", bin: "F-01", quantity: Quantity(1))],
                context: ctx
            ).warnings.isEmpty)
        // The class of a bin changes only while it is empty.
        expectRefusal(.notEmpty, l) { () throws(DomainError) in
            try l.updateBin(location: "WH2", code: "F-01", warehouseClass: .some(nil))
        }
        #expect(l.verify() == [])
    }

    /// A posting's warnings are its own, also when the writer keeps one savepoint open over a group commit of
    /// several requests; a rolled-back posting's warnings go with it.
    @Test func warningsBelongToTheirPosting() throws {
        let l = try frozenWarehouse(.allowMore)
        let batch = l.savepoint()
        let first = try l.registerWhseItemJournal(
            location: "WH2",
            lines: [
                WhseItemJournalLine(item: "ICE", bin: "F-01", quantity: Quantity(2), unitOfMeasure: "BOX")
            ], context: ctx)
        #expect(first.warnings.count == 1)
        try l.createLocation(code: "SHOP", kind: .plain)
        #expect(try l.convertToDirected(location: "SHOP", context: ctx).warnings.isEmpty)
        let request = l.savepoint()
        _ = try l.registerWhseItemJournal(
            location: "WH2", lines: [WhseItemJournalLine(item: "ICE", bin: "F-01", quantity: Quantity(1))],
            context: ctx)
        l.rollback(to: request)
        #expect(
            try l.registerWhseItemJournal(
                location: "WH2", lines: [WhseItemJournalLine(item: "DRYGOODS", bin: "D-01", quantity: Quantity(1))],
                context: ctx
            ).warnings.isEmpty)
        l.release(batch)
        #expect(l.verify() == [])
    }

    /// §2.6: a default bin content per item and location; at a basic location an item journal line without a bin goes
    /// there. Fixed and default contents show in listings when empty.
    @Test func defaultAndFixedBinContents() throws {
        let l = Ledger()
        try l.createLocation(code: "BASIC", kind: .basic)
        try l.createBin(location: "BASIC", code: "S-01")
        try l.createBin(location: "BASIC", code: "S-02")
        try l.createItem(no: "ITEM1")
        expectRefusal(.validationFailed, l) { () throws(DomainError) in
            try l.postItemJournal(
                lines: [ItemJournalLine(entryType: .purchase, location: "BASIC", item: "ITEM1", quantity: Quantity(4))],
                context: ctx)
        }
        try l.setupBinContent(location: "BASIC", bin: "S-02", item: "ITEM1", fixed: true, isDefault: true)
        let rows = try l.binContents(location: "BASIC", bin: "S-02")
        #expect(rows.count == 1)
        #expect(rows.first?.item == "ITEM1" && rows.first?.quantity == .zero && rows.first?.setup?.isDefault == true)
        expectRefusal(.alreadyExists, l) { () throws(DomainError) in
            try l.setupBinContent(location: "BASIC", bin: "S-01", item: "ITEM1", isDefault: true)
        }
        expectRefusal(.validationFailed, l) { () throws(DomainError) in
            try l.setupBinContent(
                location: "BASIC", bin: "S-01", item: "ITEM1", minQuantity: Quantity(5), maxQuantity: Quantity(2))
        }
        try l.postItemJournal(
            lines: [ItemJournalLine(entryType: .purchase, location: "BASIC", item: "ITEM1", quantity: Quantity(4))],
            context: ctx)
        #expect(l.content("BASIC", "S-02", "ITEM1") == Quantity(4))
        try l.postItemJournal(
            lines: [ItemJournalLine(entryType: .sale, location: "BASIC", item: "ITEM1", quantity: Quantity(4))],
            context: ctx)
        #expect(try l.binContents(location: "BASIC", bin: "S-02").count == 1, "a fixed content stays listed at zero")
        var w = SnapshotWriter()
        l.state.encode(into: &w)
        var r = try SnapshotReader(w.finish())
        #expect(try LedgerState.decode(from: &r) == l.state)
        #expect(l.verify() == [])
    }
}
