import Testing
import WhseProtocol

@testable import Warehouse

/// The lean objects of protocol.md 11: a member at its documented default is left out, `restored` puts it back, and
/// `fields` returns exactly the members named.
@Suite struct LeanObjects {
    static func q(_ s: String) -> Quantity { try! Quantity(parsing: s) }
    static let box = TrackingBox(lot: "L1", serial: "S1", expirationDate: "2027-06-30")

    /// Nothing at its default: every member is sent, and each one is a member of the type (so the list `fields`
    /// accepts and the encoder agree).
    static let busy: [(MemberDefaults, JSON)] = [
        (
            .binContentRow,
            BinContentRow(
                location: "WH1", zone: "PICK", bin: "A-01", item: "I", unitOfMeasure: "BOX", quantity: q("2"),
                quantityBase: q("24"), adjustmentBin: true, lot: "L1", serial: "S1", expirationDate: "2027-06-30",
                blocked: true,
                setup: BinContentSetup(minQuantity: q("1"), maxQuantity: q("3"), fixed: true, isDefault: true)
            ).json()
        ),
        (
            .warehouseEntry,
            WarehouseEntry(
                entryNo: 7, entryType: .movement, registeringDate: "2026-11-26", location: "WH1", zone: "PICK",
                bin: "A-01",
                item: "I", quantity: q("-2"), quantityBase: q("-24"), unitOfMeasure: "BOX", quantityPerUnit: q("12"),
                documentNo: "D1", source: "whseReclassJournal", registerNo: 3, user: "root",
                timestamp: "2026-11-26T01:48:10Z", trackingBox: box
            ).json()
        ),
        (
            .itemLedgerEntry,
            ItemLedgerEntry(
                entryNo: 7, entryType: .sale, postingDate: "2026-11-26", documentNo: "D1", location: "WH1", item: "I",
                quantity: q("-24"), unitOfMeasure: "BOX", quantityPerUnit: q("12"), warehouseAdjustment: true,
                source: "itemJournal", user: "root", timestamp: "2026-11-26T01:48:10Z", trackingBox: box
            ).json()
        ),
        // Its quantities are 0 and still sent: they are never left out.
        (
            .physInventoryLedgerEntry,
            PhysInventoryLedgerEntry(
                entryNo: 2, entryType: .negativeAdjmt, postingDate: "2026-11-26", documentNo: "PI1", location: "BASIC",
                bin: "S-01", item: "I", quantity: q("0"), quantityCalculated: q("0"), quantityPhysInventory: q("0"),
                unitOfMeasure: "PCS", lastItemLedgerEntryNo: 0, user: "root", timestamp: "2026-11-26T01:48:10Z",
                lot: "L1", serial: "S1", countingPeriod: "MONTH"
            ).json()
        ),
        (
            .reservation,
            Reservation(
                no: 1, location: "WH1", item: "I", lot: "L1", serial: "S1", quantityBase: q("8"), source: "SO-1",
                createdBy: "root", createdAt: "2026-11-26T01:48:10Z"
            ).json
        )
    ]

    @Test func anObjectWithNothingAtItsDefaultCarriesEveryMember() {
        for (d, json) in Self.busy {
            #expect(json.objectValue.map { $0.keys.sorted() } == d.members, "\(d.type)")
            #expect(d.restored(json) == json, "\(d.type): restoring an object with every member changes nothing")
        }
    }

    @Test func defaultsAreLeftOutAndRestoredExactly() {
        let row = BinContentRow(
            location: "BASIC", zone: nil, bin: "S-01", item: "I", unitOfMeasure: "PCS",
            quantity: .zero, quantityBase: .zero, adjustmentBin: false)
        let lean = row.json()
        // The identity and the quantity stay, 0 included; everything else was at its default.
        #expect(lean == ["bin": "S-01", "item": "I", "location": "BASIC", "quantity": 0, "unitOfMeasure": "PCS"])
        let full = MemberDefaults.binContentRow.restored(lean)
        #expect(full == row.json(.only(MemberDefaults.binContentRow.members)))
        #expect(
            full["quantityBase"] == 0 && full["lot"] == .null && full["zone"] == .null && full["fixed"] == false
                && full["maxQuantity"] == 0)

        let entry = WarehouseEntry(
            entryNo: 1, entryType: .positiveAdjmt, registeringDate: "2026-11-26", location: "WH1", zone: nil,
            bin: "A-01", item: "I", quantity: Self.q("5"), quantityBase: Self.q("5"), unitOfMeasure: "PCS",
            quantityPerUnit: Self.q("1"), documentNo: "", source: "whseItemJournal", registerNo: 1, user: "root",
            timestamp: "2026-11-26T01:48:10Z")
        let e = entry.json()
        let gone = ["documentNo", "expirationDate", "lot", "quantityBase", "quantityPerUnitOfMeasure", "serial", "zone"]
        for k in gone { #expect(e[k] == nil, "\(k)") }
        #expect(MemberDefaults.warehouseEntry.restored(e) == entry.json(.only(MemberDefaults.warehouseEntry.members)))
    }

    /// The lean bin content row is built member by member; it must equal the full object with the documented
    /// defaults taken out, for every combination of members at and off their default.
    @Test func leanBinContentRowEqualsTheFullObjectTrimmed() {
        var checked = 0
        var rows: [BinContentRow] = []
        for mask in 0..<(1 << 10) {
            func on(_ bit: Int) -> Bool { mask & (1 << bit) != 0 }
            var setup: BinContentSetup? = nil
            if on(6) {
                setup = BinContentSetup(
                    minQuantity: on(7) ? Self.q("2") : .zero, maxQuantity: on(8) ? Self.q("10.5") : .zero,
                    fixed: on(9), isDefault: on(5))
            }
            let row = BinContentRow(
                location: "WH1", zone: on(0) ? "PICK" : nil, bin: "A-01", item: "I", unitOfMeasure: "BOX",
                quantity: Self.q("3"), quantityBase: on(1) ? Self.q("36") : Self.q("3"), adjustmentBin: on(2),
                lot: on(3) ? "L1" : "", serial: on(4) ? "S1" : "", expirationDate: on(3) ? "2027-01-31" : nil,
                blocked: on(4), setup: setup)
            let trimmed = MemberDefaults.binContentRow.encode(row.fullObject, .lean)
            #expect(row.json() == trimmed, "mask \(mask)")
            #expect(row.json().serialized() == trimmed.serialized(), "mask \(mask)")
            rows.append(row)
            checked += 1
        }
        #expect(checked == 1024)
        // The rows written straight to bytes (bin.contents, item.bins) equal the serialized tree, one row, none
        // and all, and inside the reply envelope.
        for some in [[], [rows[0]], [rows[1023]], rows] {
            let tree = BinContentRowsResult(rows: some.map { $0.json() }).encoded()
            #expect(BinContentRow.leanRowsResult(some) == tree.serialized(), "\(some.count) rows")
            for id: JSON in [1, "req-7", 0] {
                #expect(
                    RPCResponse.success(id: id, serializedResult: BinContentRow.leanRowsResult(some))
                        == RPCResponse.success(id: id, result: tree).serialized())
            }
        }
    }

    /// Lean warehouse entry pages written straight to bytes equal the serialized tree, for entries with every
    /// member at and off its default, and with and without a next page.
    @Test func leanWarehouseEntryPageEqualsTheSerializedTree() {
        var entries: [WarehouseEntry] = []
        for mask in 0..<(1 << 7) {
            func on(_ bit: Int) -> Bool { mask & (1 << bit) != 0 }
            var e = WarehouseEntry(
                entryNo: 1000 + mask, entryType: on(0) ? .negativeAdjmt : .positiveAdjmt, registeringDate: "2026-12-07",
                location: "WH1", zone: on(1) ? "PICK" : nil, bin: "A-01", item: "I\u{e9}\"q", quantity: Self.q("-3.5"),
                quantityBase: on(2) ? Self.q("-42") : Self.q("-3.5"), unitOfMeasure: "BOX",
                quantityPerUnit: on(2) ? Self.q("12") : Self.q("1"), documentNo: on(3) ? "DOC-1" : "",
                source: "whseItemJournal", registerNo: 7 + mask, user: "alice", timestamp: "2026-12-07T18:00:00Z")
            if on(4) || on(5) || on(6) {
                e.trackingBox = TrackingBox.make(
                    lot: on(4) ? "L-7" : "", serial: on(5) ? "SN-1" : "", expirationDate: on(6) ? "2027-03-01" : nil)
            }
            entries.append(e)
        }
        for (some, next) in [([], nil), ([entries[0]], 5), (entries, nil), (entries, 99)] as [([WarehouseEntry], Int?)]
        {
            let tree = EntriesPageResult(entries: some.map { $0.json() }, nextAfter: next).encoded()
            #expect(WarehouseEntry.leanPageResult(some, nextAfter: next) == tree.serialized(), "\(some.count) entries")
        }
    }

    @Test func fieldsGiveExactlyTheMembersNamedEvenAtTheirDefault() {
        let row = BinContentRow(
            location: "WH1", zone: "PICK", bin: "A-01", item: "I", unitOfMeasure: "PCS",
            quantity: Self.q("3"), quantityBase: Self.q("3"), adjustmentBin: false)
        #expect(row.json(.only(["quantityBase", "lot", "item"])) == ["item": "I", "lot": .null, "quantityBase": 3])
    }

    @Test func theFieldsParameterIsCheckedAtAdmission() throws {
        func selection(_ fields: JSON) throws(RPCError) -> MemberSelection {
            try Params(["fields": fields]).memberSelection(of: .binContentRow)
        }
        #expect(try selection(["item", "quantity", "item"]) == .only(["item", "quantity"]))
        #expect(try Params(["location": "WH1"]).memberSelection(of: .binContentRow) == .lean)
        #expect(try Params(["fields": .null]).memberSelection(of: .binContentRow) == .lean)
        for (bad, param) in [
            (["item", "qty"], "fields[1]"), (["Item"], "fields[0]"), ([1], "fields[0]"),
            ([], "fields"), ("item", "fields"), (["entryNo"], "fields[0]")
        ] as [(JSON, String)] {
            do {
                _ = try selection(bad)
                Issue.record("fields \(bad) was accepted")
            } catch {
                #expect(error.json["data"]?["param"] == .string(param), "\(bad): \(error.json)")
                #expect(error.json["data"]?["reason"] == "invalid_params")
            }
        }
    }
}
