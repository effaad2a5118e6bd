import Testing

@testable import Warehouse

/// Edge cases of tracking, rounding residues and reservations.
@Suite struct TrackingEdgeCases {
    /// A serial no. is on inventory once, whatever its lot.
    @Test func serialOnceAcrossLots() throws {
        let l = Ledger()
        try l.createLocation(code: "MAIN", kind: .plain)
        try l.createItem(no: "BOTH", tracking: ItemTracking(lot: true, serial: true))
        try l.postItemJournal(
            lines: [
                ItemJournalLine(
                    entryType: .positiveAdjmt, location: "MAIN", item: "BOTH", quantity: Quantity(1),
                    lot: "L1", serial: "S1")
            ], context: ctx)
        expectRefusal(.itemTracking, l) { () throws(DomainError) in
            try l.postItemJournal(
                lines: [
                    ItemJournalLine(
                        entryType: .positiveAdjmt, location: "MAIN", item: "BOTH", quantity: Quantity(1),
                        lot: "L2", serial: "S1")
                ], context: ctx)
        }
        // Half a serial no. is no serial no.
        expectRefusal(.itemTracking, l) { () throws(DomainError) in
            try l.postItemJournal(
                lines: [
                    ItemJournalLine(
                        entryType: .positiveAdjmt, location: "MAIN", item: "BOTH", quantity: q("0.5"),
                        lot: "L2", serial: "S2")
                ], context: ctx)
        }
        #expect(l.verify() == [])
    }

    /// With a base precision of 1, quarter boxes of 6 round to 2 PCS each; a take that empties the box count takes the
    /// whole base with it, so nothing is stranded in the bin, and the adjustment bin carries the residue to the ledger.
    @Test func roundingResidueNeverStrandsStock() throws {
        let l = try directedWH1()
        try l.createItem(
            no: "WHOLE", unitsOfMeasure: [(code: "BOX", quantityPerUnit: Quantity(6))],
            roundingPrecision: ["PCS": Quantity(1)])
        for _ in 0..<4 {
            try l.registerWhseItemJournal(
                location: "WH1",
                lines: [WhseItemJournalLine(item: "WHOLE", bin: "A-01", quantity: q("0.25"), unitOfMeasure: "BOX")],
                context: ctx)
        }
        let key = ContentKey("WH1", "A-01", "WHOLE", "BOX")
        #expect(l.state.contents[key]?.quantity == Quantity(1) && l.state.contents[key]?.quantityBase == Quantity(8))
        try l.registerWhseItemJournal(
            location: "WH1",
            lines: [WhseItemJournalLine(item: "WHOLE", bin: "A-01", quantity: Quantity(-1), unitOfMeasure: "BOX")],
            context: ctx)
        #expect(l.state.contents[key]?.quantity == .zero && l.state.contents[key]?.quantityBase == .zero)
        // The reverse: 1 BOX taken a quarter at a time; the last quarter takes what is left.
        try l.registerWhseItemJournal(
            location: "WH1",
            lines: [WhseItemJournalLine(item: "WHOLE", bin: "A-02", quantity: Quantity(1), unitOfMeasure: "BOX")],
            context: ctx)
        for _ in 0..<4 {
            try l.registerWhseItemJournal(
                location: "WH1",
                lines: [WhseItemJournalLine(item: "WHOLE", bin: "A-02", quantity: q("-0.25"), unitOfMeasure: "BOX")],
                context: ctx)
        }
        let a2 = ContentKey("WH1", "A-02", "WHOLE", "BOX")
        #expect(l.state.contents[a2]?.quantity == .zero && l.state.contents[a2]?.quantityBase == .zero)
        // Both ways the adjustment bin took exactly what the bins gave up.
        let adj = ContentKey("WH1", "ADJ", "WHOLE", "BOX")
        #expect(l.state.contents[adj]?.quantity == .zero && l.state.contents[adj]?.quantityBase == .zero)
        // 1 BOX purchased (6 PCS into the adjustment bin), then put away a quarter at a time (4 × 2 PCS): the
        // adjustment bin ends with 0 BOX but −2 PCS. Calculate Whse. Adjustment clears exactly that key, once.
        try l.postItemJournal(
            lines: [
                ItemJournalLine(
                    entryType: .purchase, location: "WH1", item: "WHOLE", quantity: Quantity(1),
                    unitOfMeasure: "BOX")
            ], context: ctx)
        for _ in 0..<4 {
            try l.registerWhseItemJournal(
                location: "WH1",
                lines: [WhseItemJournalLine(item: "WHOLE", bin: "A-01", quantity: q("0.25"), unitOfMeasure: "BOX")],
                context: ctx)
        }
        let residue = l.state.contents[adj]!
        #expect(residue.quantity == .zero && residue.quantityBase == Quantity(-2))
        #expect(residue.quantity == .zero && !residue.quantityBase.isZero)
        let lines = try l.calculateWhseAdjustment(location: "WH1", item: "WHOLE", context: ctx)
        #expect(
            lines.count == 1 && lines[0].quantity == .zero && lines[0].quantityBase == residue.quantityBase.magnitude)
        #expect(try l.calculateWhseAdjustment(location: "WH1", item: "WHOLE", context: ctx).isEmpty)
        try l.postItemJournalBatch("DEFAULT", context: ctx)
        #expect(l.state.contents[adj]?.quantity == .zero && l.state.contents[adj]?.quantityBase == .zero)
        #expect(try l.calculateWhseAdjustment(location: "WH1", item: "WHOLE", context: ctx).isEmpty)
        #expect(l.inventory("WHOLE", "WH1") == Quantity(8), "the item ledger holds what the bin holds")
        // A quantity whose base rounds to nothing is refused.
        expectRefusal(.unitOfMeasure, l) { () throws(DomainError) in
            try l.registerWhseItemJournal(
                location: "WH1",
                lines: [WhseItemJournalLine(item: "WHOLE", bin: "A-01", quantity: q("0.05"), unitOfMeasure: "BOX")],
                context: ctx)
        }
        #expect(l.verify() == [])
    }

    /// A reservation of one lot is guarded by that lot's availability; a posting that does not lower availability
    /// passes even while the item is short (after a block).
    @Test func lotReservationsAndShortItems() throws {
        let l = Ledger()
        try l.createLocation(code: "MAIN", kind: .plain)
        try l.createItem(no: "LOTITEM", tracking: ItemTracking(lot: true))
        try l.postItemJournal(
            lines: [
                ItemJournalLine(
                    entryType: .purchase, location: "MAIN", item: "LOTITEM", quantity: Quantity(10),
                    tracking: [
                        TrackingLine(lot: "L1", quantity: Quantity(5)), TrackingLine(lot: "L2", quantity: Quantity(5))
                    ])
            ], context: ctx)
        try l.createReservation(
            location: "MAIN", item: "LOTITEM", quantity: Quantity(5), lot: "L1", source: "SO-1", context: ctx)
        expectRefusal(.reserved, l) { () throws(DomainError) in
            try l.postItemJournal(
                lines: [
                    ItemJournalLine(
                        entryType: .sale, location: "MAIN", item: "LOTITEM", quantity: Quantity(5), lot: "L1")
                ],
                context: ctx)
        }
        try l.postItemJournal(
            lines: [
                ItemJournalLine(entryType: .sale, location: "MAIN", item: "LOTITEM", quantity: Quantity(5), lot: "L2")
            ],
            context: ctx)
        _ = try l.setTrackingBlocked(item: "LOTITEM", lot: "L1", serial: nil, blocked: true)
        // Short now (0 pickable, 5 reserved), but a purchase of another lot does not make it worse.
        try l.postItemJournal(
            lines: [
                ItemJournalLine(
                    entryType: .purchase, location: "MAIN", item: "LOTITEM", quantity: Quantity(3), lot: "L3")
            ],
            context: ctx)
        #expect(l.verify() == [])
    }

    /// A serial no. lost at one location and found at another: the generated batch posts the loss first.
    @Test func serialMovedBetweenLocationsInOneBatch() throws {
        let l = Ledger()
        for code in ["EAST", "WEST"] {
            try l.createLocation(code: code, kind: .directed)
            try l.createZone(location: code, code: "PICK", binType: "PICK")
            try l.createBin(location: code, code: "A-01", zone: "PICK")
        }
        try l.createItem(no: "SN", tracking: ItemTracking(serial: true))
        try l.postItemJournal(
            lines: [
                ItemJournalLine(entryType: .purchase, location: "WEST", item: "SN", quantity: Quantity(1), serial: "S1")
            ],
            context: ctx)
        try l.registerWhseItemJournal(
            location: "WEST",
            lines: [WhseItemJournalLine(item: "SN", bin: "A-01", quantity: Quantity(1), serial: "S1")],
            context: ctx)
        try l.registerWhseItemJournal(
            location: "WEST",
            lines: [WhseItemJournalLine(item: "SN", bin: "A-01", quantity: Quantity(-1), serial: "S1")],
            context: ctx)
        try l.registerWhseItemJournal(
            location: "EAST",
            lines: [WhseItemJournalLine(item: "SN", bin: "A-01", quantity: Quantity(1), serial: "S1")],
            context: ctx)
        let lines = try l.calculateWhseAdjustment(context: ctx)
        #expect(lines.map(\.entryType) == [.negativeAdjmt, .positiveAdjmt])
        try l.postItemJournalBatch("DEFAULT", context: ctx)
        #expect(l.inventory("SN", "EAST", lot: "", serial: "S1") == Quantity(1))
        #expect(l.inventory("SN", "WEST", lot: "", serial: "S1") == .zero)
        #expect(l.verify() == [])
    }
}
