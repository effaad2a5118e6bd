import Foundation
import Testing
import WhseProtocol

/// Lots, serial nos., reservations and cycle counting through whsectl against a real whsed, surviving a SIGKILL.
@Suite(.serialized) struct TrackingCycle {
    static func lots(_ d: Daemon, _ item: String, location: String) throws -> [String: String] {
        let r = try d.ok(["item", "bins", item, "--location", location, "--json"])
        var out: [String: String] = [:]
        for row in r.json?["rows"]?.arrayValue ?? [] {
            out[row["bin"]!.stringValue! + "/" + (row["lot"]?.stringValue ?? row["serial"]?.stringValue ?? "-")] =
                row["quantity"]!.numberLiteral
        }
        return out
    }

    /// E10 and E2 through whsectl: lot-tracked warehouse count, Calculate Whse. Adjustment with two lines, a serial no.
    /// refused twice, a reservation bounded by pick availability; all of it again after a SIGKILL.
    @Test func lotsSerialsAndReservations() throws {
        let tmp = TempDir()
        let d = Daemon(dir: tmp.path, activated: false)
        try d.start()
        try d.ok(["location", "create", "WH1"])
        try d.ok(["zone", "create", "WH1", "PICK", "--bin-type", "PICK"])
        try d.ok(["zone", "create", "WH1", "BULK", "--bin-type", "PUTAWAY"])
        try d.ok(["bin", "create", "WH1", "A-01", "--zone", "PICK"])
        try d.ok(["bin", "create", "WH1", "A-02", "--zone", "PICK"])
        try d.ok(["bin", "create", "WH1", "B-01", "--zone", "BULK"])
        try d.ok(["item", "create", "LOTITEM", "--lot-tracked", "--expiration-required"])
        try d.ok(["item", "create", "SN", "--serial-tracked"])
        let item = try d.ok(["item", "get", "LOTITEM", "--json"]).json
        #expect(item?["tracking"]?["lot"] == .bool(true) && item?["tracking"]?["expirationRequired"] == .bool(true))

        // A lot without its expiration date is refused with a reason and nothing changes.
        let refused = try d.ctl([
            "whse-journal", "register", "WH1", "--item", "LOTITEM", "--bin", "A-01", "--quantity", "10", "--lot", "L1"
        ])
        #expect(refused.status == 1 && refused.stderr.contains("item_tracking"))
        try d.ok([
            "whse-journal", "register", "WH1", "--item", "LOTITEM", "--bin", "A-01", "--quantity", "10", "--lot", "L1",
            "--expiration-date", "2027-01-31"
        ])
        try d.ok([
            "whse-journal", "register", "WH1", "--item", "LOTITEM", "--bin", "A-02", "--quantity", "10", "--lot", "L2",
            "--expiration-date", "2027-02-28"
        ])
        try d.ok(["item-journal", "calc-whse-adjustment", "--location", "WH1"])
        try d.ok(["item-journal", "post", "--batch", "DEFAULT"])
        #expect(try TrackingCycle.lots(d, "LOTITEM", location: "WH1") == ["A-01/L1": "10", "A-02/L2": "10"])

        // Count: L1 5 short, L2 3 found, and a lot L7 nobody expected in B-01 (entered with its expiration date).
        try d.ok(["count", "calculate", "WH1", "--journal", "C1", "--item", "LOTITEM"])
        let sheet = try d.ok(["count", "list", "C1", "--format", "csv"]).stdout
        #expect(sheet.contains(",L1,") && sheet.contains(",L2,"))
        try d.ok(["count", "enter", "C1", "--bin", "A-01", "--item", "LOTITEM", "--lot", "L1", "--quantity", "5"])
        try d.ok(["count", "enter", "C1", "--bin", "A-02", "--item", "LOTITEM", "--lot", "L2", "--quantity", "13"])
        try d.ok([
            "count", "enter", "C1", "--bin", "B-01", "--item", "LOTITEM", "--lot", "L7", "--expiration-date",
            "2027-05-31",
            "--quantity", "4"
        ])
        try d.ok(["count", "register", "C1"])
        let adj = try TrackingCycle.lots(d, "LOTITEM", location: "WH1")
        #expect(adj["ADJ/L1"] == "5" && adj["ADJ/L2"] == "-3" && adj["ADJ/L7"] == "-4")
        let calc = try d.ok(["item-journal", "calc-whse-adjustment", "--location", "WH1", "--json"]).json
        let added = calc?["added"]?.arrayValue ?? []
        #expect(added.count == 2)
        #expect(added.first { $0["entryType"] == .string("negativeAdjmt") }?["quantity"] == .number("5"))
        #expect(added.first { $0["entryType"] == .string("positiveAdjmt") }?["quantity"] == .number("7"))
        #expect(added.first { $0["entryType"] == .string("positiveAdjmt") }?["tracking"]?.arrayValue?.count == 2)
        let shown = try d.ok(["item-journal", "show"]).stdout
        #expect(shown.contains("L1 5") && shown.contains("L2 3") && shown.contains("L7 4"))
        try d.ok(["item-journal", "post", "--batch", "DEFAULT"])
        let lotsNow = try TrackingCycle.lots(d, "LOTITEM", location: "WH1")
        #expect(lotsNow == ["A-01/L1": "5", "A-02/L2": "13", "B-01/L7": "4"])
        let ile =
            try d.ok(["entries", "item", "--item", "LOTITEM", "--lot", "L7", "--json"]).json?["entries"]?.arrayValue
            ?? []
        #expect(ile.map { $0["quantity"]!.numberLiteral! } == ["4"])
        #expect(ile.first?["expirationDate"] == .string("2027-05-31"))

        // Serial nos.: one unit each, never twice in the bins.
        try d.ok([
            "whse-journal", "register", "WH1", "--item", "SN", "--bin", "A-01", "--quantity", "1", "--serial", "SN-0001"
        ])
        let twice = try d.ctl([
            "whse-journal", "register", "WH1", "--item", "SN", "--bin", "A-02", "--quantity", "1", "--serial", "SN-0001"
        ])
        #expect(
            twice.status == 1 && twice.stderr.contains("item_tracking") && twice.stderr.contains("already in inventory")
        )

        // E2: 5 in a pick bin, 4 in bulk: a reservation of 6 is refused, 5 is taken.
        try d.ok([
            "whse-journal", "reclass", "WH1", "--item", "LOTITEM", "--from-bin", "A-02", "--to-bin", "B-01",
            "--quantity", "13",
            "--lot", "L2"
        ])
        let tooMuch = try d.ctl([
            "reservation", "create", "--location", "WH1", "--item", "LOTITEM", "--quantity", "6", "--source", "SO-1"
        ])
        #expect(tooMuch.status == 1 && tooMuch.stderr.contains("insufficient_quantity"))
        try d.ok([
            "reservation", "create", "--location", "WH1", "--item", "LOTITEM", "--quantity", "5", "--source", "SO-1"
        ])
        let avail = try d.ok(["item", "availability", "LOTITEM", "--location", "WH1", "--json"]).json?["locations"]?[0]
        #expect(avail?["availableToPick"] == .number("5") && avail?["reserved"] == .number("5"))
        let blocked = try d.ctl([
            "whse-journal", "register", "WH1", "--item", "LOTITEM", "--bin", "A-01", "--quantity", "-1", "--lot", "L1"
        ])
        #expect(blocked.status == 1 && blocked.stderr.contains("reserved"))

        // Everything survives a SIGKILL.
        let before = try d.ok(["reservation", "list", "--json"]).json
        d.kill()
        try d.start()
        #expect(try d.ok(["reservation", "list", "--json"]).json == before)
        #expect(
            try TrackingCycle.lots(d, "LOTITEM", location: "WH1") == ["A-01/L1": "5", "B-01/L2": "13", "B-01/L7": "4"])
        try d.ok(["reservation", "cancel", "1"])
        try d.ok([
            "whse-journal", "register", "WH1", "--item", "LOTITEM", "--bin", "A-01", "--quantity", "-1", "--lot", "L1"
        ])
        try d.ok(["server", "verify"])
        #expect(d.stop() == 0)
    }

    /// E1 through whsectl at a plain location, then E13 cycle counting with a counting period.
    @Test func lotCountAndCycleCounting() throws {
        let tmp = TempDir()
        let d = Daemon(dir: tmp.path, activated: false)
        try d.start()
        try d.ok(["location", "create", "MAIN", "--kind", "plain"])
        try d.ok(["item", "create", "LOTITEM", "--lot-tracked"])
        for (lot, q) in [("LOT1001", "80"), ("LOT1003", "30"), ("LOT1006", "10")] {
            try d.ok([
                "item-journal", "post", "--entry-type", "purchase", "--location", "MAIN", "--item", "LOTITEM",
                "--quantity", q,
                "--lot", lot
            ])
        }
        try d.ok(["phys-inventory", "calculate", "MAIN", "--journal", "E1"])
        try d.ok(["phys-inventory", "enter", "E1", "--item", "LOTITEM", "--lot", "LOT1002", "--quantity", "12"])
        try d.ok(["phys-inventory", "enter", "E1", "--item", "LOTITEM", "--lot", "LOT1003", "--quantity", "20"])
        try d.ok(["phys-inventory", "enter", "E1", "--item", "LOTITEM", "--lot", "LOT1006", "--quantity", "0"])
        try d.ok(["phys-inventory", "enter", "E1", "--item", "LOTITEM", "--lot", "LOT1001", "--quantity", "80"])
        try d.ok(["phys-inventory", "post", "E1"])
        let a = try d.ok(["item", "availability", "LOTITEM", "--json"]).json?["locations"]?[0]
        #expect(a?["inventory"] == .number("112"))
        let pile = try d.ok(["entries", "phys", "--item", "LOTITEM", "--json"]).json?["entries"]?.arrayValue ?? []
        #expect(pile.count == 4)
        let lot1002 = try d.ok(["entries", "item", "--lot", "LOT1002", "--json"]).json?["entries"]?.arrayValue ?? []
        #expect(lot1002.map { $0["quantity"]!.numberLiteral! } == ["12"])

        // E13: MONTH assigned on 15 March → 1–31 March; due on 20 March; counted → 1–30 April.
        try d.ok(["counting-period", "create", "MONTH", "--frequency", "12"])
        let set = try d.ok([
            "item", "set-counting-period", "LOTITEM", "--period", "MONTH", "--date", "2026-03-15", "--json"
        ]).json
        #expect(set?["nextCountingStart"] == .string("2026-03-01") && set?["nextCountingEnd"] == .string("2026-03-31"))
        #expect(try d.ok(["counting-period", "due", "--date", "2026-03-20"]).stdout.contains("LOTITEM"))
        try d.ok([
            "phys-inventory", "calculate", "MAIN", "--journal", "CYCLE", "--posting-date", "2026-03-20",
            "--counting-period-due"
        ])
        try d.ok(["phys-inventory", "post", "CYCLE"])
        let after = try d.ok(["item", "get", "LOTITEM", "--json"]).json
        #expect(after?["lastCountingPeriodUpdate"] == .string("2026-03-20"))
        #expect(
            after?["nextCountingStart"] == .string("2026-04-01") && after?["nextCountingEnd"] == .string("2026-04-30"))
        #expect(try d.ok(["counting-period", "due", "--date", "2026-03-25"]).stdout.contains("(none)"))
        try d.ok(["server", "verify"])
        #expect(d.stop() == 0)
    }
}

/// Bin capacity, warehouse classes and default bins through whsectl against a real whsed.
@Suite(.serialized) struct CapacityCycle {
    @Test func capacityClassesAndDefaultBins() throws {
        let tmp = TempDir()
        let d = Daemon(dir: tmp.path, activated: false)
        try d.start()
        try d.ok(["location", "create", "WH2", "--bin-capacity-policy", "allowMore", "--check-warehouse-class"])
        try d.ok(["zone", "create", "WH2", "FROZEN", "--bin-type", "PICK", "--warehouse-class", "FROZEN"])
        try d.ok(["bin", "create", "WH2", "F-01", "--zone", "FROZEN", "--maximum-cubage", "10"])
        try d.ok([
            "item", "create", "ICE", "--warehouse-class", "FROZEN", "--unit", "BOX=4", "--cubage", "PCS=2", "--cubage",
            "BOX=8"
        ])
        try d.ok(["item", "create", "DRYGOODS"])
        let warned = try d.ok([
            "whse-journal", "register", "WH2", "--item", "ICE", "--bin", "F-01", "--quantity", "2", "--unit", "BOX"
        ])
        #expect(
            warned.stdout.contains(
                "warning: placing item ICE exceeds the capacity of bin F-01: maximum cubage 10 (would hold 16)"))
        let json = try d.ok([
            "whse-journal", "register", "WH2", "--item", "ICE", "--bin", "F-01", "--quantity", "1", "--json"
        ]).json
        #expect(json?["warnings"]?.arrayValue?.count == 1)
        let wrongClass = try d.ctl([
            "whse-journal", "register", "WH2", "--item", "DRYGOODS", "--bin", "F-01", "--quantity", "1"
        ])
        #expect(wrongClass.status == 1 && wrongClass.stderr.contains("warehouse_class"))
        try d.ok(["location", "update", "WH2", "--bin-capacity-policy", "prohibitMore"])
        let refused = try d.ctl(["whse-journal", "register", "WH2", "--item", "ICE", "--bin", "F-01", "--quantity", "1"]
        )
        #expect(refused.status == 1 && refused.stderr.contains("capacity_exceeded"))

        try d.ok(["location", "create", "BASIC", "--kind", "basic"])
        try d.ok(["bin", "create", "BASIC", "S-01"])
        try d.ok(["bin", "create", "BASIC", "S-02"])
        try d.ok(["bin", "setup-content", "BASIC", "S-02", "--item", "DRYGOODS", "--default", "--fixed"])
        try d.ok([
            "item-journal", "post", "--entry-type", "purchase", "--location", "BASIC", "--item", "DRYGOODS",
            "--quantity", "7"
        ])
        let rows = try d.ok(["bin", "contents", "BASIC", "S-02", "--json"]).json?["rows"]?.arrayValue ?? []
        #expect(rows.count == 1 && rows.first?["quantity"] == .number("7") && rows.first?["default"] == .bool(true))
        let twice = try d.ctl(["bin", "setup-content", "BASIC", "S-01", "--item", "DRYGOODS", "--default"])
        #expect(twice.status == 1 && twice.stderr.contains("already_exists"))
        try d.ok(["server", "verify"])
        #expect(d.stop() == 0)
    }
}
