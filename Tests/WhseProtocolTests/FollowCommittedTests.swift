import Testing
import WhseProtocol

@testable import Warehouse

/// The change feed's `entries.committed` line written straight to bytes (FollowCommitted.line) equals the tree it
/// replaced: the params with every entry member (`json(.only(members))`), serialized.
@Suite struct FollowCommittedLine {
    static func q(_ s: String) -> Quantity { try! Quantity(parsing: s) }

    /// The line as the feed built it before: a tree per entry, the params as a dictionary, serialized.
    static func tree(
        siteId: JSON, logEpoch: JSON, seq: UInt64, method: String, _ w: [WarehouseEntry], _ i: [ItemLedgerEntry],
        _ p: [PhysInventoryLedgerEntry], masterData: JSON?, availabilityFollows: Bool
    ) -> [UInt8] {
        var params: [String: JSON] = [
            "siteId": siteId, "logEpoch": logEpoch, "seq": .number(String(seq)), "method": .string(method),
            "warehouseEntries": .array(w.map { $0.json(.only(MemberDefaults.warehouseEntry.members)) }),
            "itemLedgerEntries": .array(i.map { $0.json(.only(MemberDefaults.itemLedgerEntry.members)) }),
            "physInventoryLedgerEntries": .array(
                p.map { $0.json(.only(MemberDefaults.physInventoryLedgerEntry.members)) })
        ]
        if let masterData { params["masterData"] = masterData }
        if availabilityFollows { params["availabilityFollows"] = .bool(true) }
        return JSON.object(["jsonrpc": "2.0", "method": "entries.committed", "params": .object(params)]).serialized()
    }

    /// Entries with every member at and off its default (tracking, null zone / bin / counting period, a document
    /// no. or none, base and per-unit quantities, strings that need escaping), in records with and without each
    /// array, master data and availabilityFollows.
    @Test func theLineEqualsTheSerializedTree() {
        var warehouse: [WarehouseEntry] = []
        var item: [ItemLedgerEntry] = []
        var phys: [PhysInventoryLedgerEntry] = []
        for mask in 0..<(1 << 7) {
            func on(_ bit: Int) -> Bool { mask & (1 << bit) != 0 }
            let box =
                on(4) || on(5) || on(6)
                ? TrackingBox.make(
                    lot: on(4) ? "L-7" : "", serial: on(5) ? "SN-1" : "", expirationDate: on(6) ? "2027-03-01" : nil)
                : nil
            var w = WarehouseEntry(
                entryNo: 1000 + mask, entryType: on(0) ? .negativeAdjmt : .positiveAdjmt, registeringDate: "2026-12-07",
                location: "WH1", zone: on(1) ? "PICK" : nil, bin: "A-01", item: "I\u{e9}\"q\n",
                quantity: Self.q("-3.5"),
                quantityBase: on(2) ? Self.q("-42") : Self.q("-3.5"), unitOfMeasure: "BOX",
                quantityPerUnit: on(2) ? Self.q("12") : Self.q("1"), documentNo: on(3) ? "DOC-1" : "",
                source: "whseItemJournal", registerNo: 7 + mask, user: "alice", timestamp: "2026-12-07T18:00:00Z")
            w.trackingBox = box
            warehouse.append(w)
            var i = ItemLedgerEntry(
                entryNo: 500 + mask, entryType: on(0) ? .negativeAdjmt : .positiveAdjmt, postingDate: "2026-12-07",
                documentNo: on(3) ? "DOC-1" : "", location: "WH1", item: "I\u{e9}\"q\n",
                quantity: on(2) ? Self.q("-42.12345") : Self.q("0"), unitOfMeasure: "BOX",
                quantityPerUnit: on(2) ? Self.q("12") : Self.q("1"), warehouseAdjustment: on(1),
                source: "whseItemJournal", user: "bob\\", timestamp: "2026-12-07T18:00:01Z")
            i.trackingBox = box
            item.append(i)
            phys.append(
                PhysInventoryLedgerEntry(
                    entryNo: 9 + mask, entryType: on(0) ? .negativeAdjmt : .positiveAdjmt, postingDate: "2026-12-07",
                    documentNo: on(3) ? "C-1" : "", location: "WH1", bin: on(1) ? "A-01" : nil, item: "I",
                    quantity: Self.q("2"), quantityCalculated: Self.q("10.5"), quantityPhysInventory: Self.q("8.5"),
                    unitOfMeasure: "PCS", lastItemLedgerEntryNo: 77, user: "carol", timestamp: "2026-12-07T18:00:02Z",
                    lot: on(4) ? "L-7" : "", serial: on(5) ? "SN-1" : "", countingPeriod: on(6) ? "MONTH" : nil))
        }
        let masterData: JSON = [
            "user": "root", "timestamp": "2026-12-07T18:00:03Z", "params": ["no": "ITEM\u{1}", "n": 3]
        ]
        var checked = 0
        for (w, i, p) in [
            (warehouse, item, phys), ([], [], []), (Array(warehouse.prefix(1)), [], []),
            ([], Array(item.suffix(1)), []),
            ([], [], Array(phys.prefix(2)))
        ] {
            for md in [nil, masterData] as [JSON?] {
                for follows in [false, true] {
                    for (site, epoch, seq) in [("A", JSON(7_089_951_862_437_395), 6), ("s\u{e9}\"", JSON(1), 0)]
                        as [(JSON, JSON, UInt64)]
                    {
                        let line = FollowCommitted.line(
                            siteId: site, logEpoch: epoch, seq: seq, method: "whseItemJournal.register",
                            warehouseEntries: w, itemLedgerEntries: i, physInventoryLedgerEntries: p, masterData: md,
                            availabilityFollows: follows)
                        let expected = Self.tree(
                            siteId: site, logEpoch: epoch, seq: seq, method: "whseItemJournal.register", w, i, p,
                            masterData: md, availabilityFollows: follows)
                        #expect(line == expected, "\(w.count)/\(i.count)/\(p.count) entries, \(md != nil), \(follows)")
                        checked += 1
                    }
                }
            }
        }
        #expect(checked == 40)
    }
}

/// The change feed's `entries.availability` line written straight to bytes (FollowAvailabilityLine.line) equals the
/// tree it replaced, serialized: over generated rows (quantities negative, zero and to the fifth decimal place, lots
/// and none, strings that need escaping or sort differently as UTF-8), row counts from 0 up, and large sequences.
@Suite struct FollowAvailabilityLineBytes {
    /// The line as the feed built it before: a dictionary per row and for the params, serialized.
    static func tree(siteId: JSON, logEpoch: JSON, seq: UInt64, asOfSeq: UInt64, rows: [FollowAvailability]) -> [UInt8]
    {
        let rows: [JSON] = rows.map { a in
            .object([
                "location": .string(a.location), "item": .string(a.item),
                "lot": a.lot.isEmpty ? .null : .string(a.lot),
                "availableToPick": a.availableToPick.json, "availableToReserve": a.availableToReserve.json
            ])
        }
        let params: [String: JSON] = [
            "siteId": siteId, "logEpoch": logEpoch, "seq": .number(String(seq)), "asOfSeq": .number(String(asOfSeq)),
            "rows": .array(rows)
        ]
        return JSON.object(["jsonrpc": "2.0", "method": "entries.availability", "params": .object(params)])
            .serialized()
    }

    @Test func theLineEqualsTheSerializedTree() {
        var g = SplitMix64(seed: 16)
        let texts = ["WH1", "A-01", "I\u{e9}\"q\n", "", "lot\\7", "\u{1}\u{1f}", "Ärger", "z", "ITEM-00042", "日本"]
        func text() -> String { texts[Int.random(in: 0..<texts.count, using: &g)] }
        func quantity() -> Quantity {
            let units = Int64.random(in: -99_999_999...99_999_999, using: &g)
            let scale = Int.random(in: 0...5, using: &g)
            var s = String(units)
            if scale > 0 {
                let negative = units < 0
                var digits = String(units.magnitude)
                while digits.count <= scale { digits = "0" + digits }
                digits.insert(".", at: digits.index(digits.endIndex, offsetBy: -scale))
                s = (negative ? "-" : "") + digits
            }
            return Bool.random(using: &g) ? .zero : try! Quantity(parsing: s)
        }
        var checked = 0
        for round in 0..<400 {
            let rows = (0..<(round % 13)).map { _ in
                FollowAvailability(
                    location: text(), item: text(), lot: Bool.random(using: &g) ? "" : text(),
                    availableToPick: quantity(), availableToReserve: quantity())
            }
            let site: JSON = .string(text())
            let epoch = JSON.number(String(UInt64.random(in: 0...UInt64(Int64.max), using: &g)))
            let seq = round % 3 == 0 ? UInt64.random(in: 0...UInt64.max, using: &g) : UInt64(round)
            let asOf = seq &+ UInt64(round % 5)
            let line = FollowAvailabilityLine.line(siteId: site, logEpoch: epoch, seq: seq, asOfSeq: asOf, rows: rows)
            let expected = Self.tree(siteId: site, logEpoch: epoch, seq: seq, asOfSeq: asOf, rows: rows)
            #expect(line == expected, "round \(round): \(String(decoding: line, as: UTF8.self))")
            checked += 1
        }
        #expect(checked == 400)
    }
}
