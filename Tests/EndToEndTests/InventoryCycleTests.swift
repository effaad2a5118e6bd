import Foundation
import Testing
import WhseProtocol

/// The seed's full cycle through whsectl against a real whsed: sync the adjustment bin, calculate a warehouse count,
/// print the count list, enter counts above and below the calculated quantities, register, calculate and post the
/// physical inventory.
@Suite(.serialized) struct InventoryCycle {
    static func quantities(_ d: Daemon, item: String) throws -> [String: String] {
        let r = try d.ok(["item", "bins", item, "--location", "WH1", "--include-zero", "--json"])
        var out: [String: String] = [:]
        for row in r.json?["rows"]?.arrayValue ?? [] {
            out[row["bin"]!.stringValue! + "/" + row["unitOfMeasure"]!.stringValue!] = row["quantity"]!.numberLiteral
        }
        return out
    }

    static func inventory(_ d: Daemon, item: String) throws -> String? {
        let r = try d.ok(["item", "availability", item, "--location", "WH1", "--json"])
        return r.json?["locations"]?[0]?["inventory"]?.numberLiteral
    }

    @Test func fullCycle() throws {
        let tmp = TempDir()
        let d = Daemon(dir: tmp.path, activated: false)
        try d.start()
        try d.ok(["location", "create", "WH1", "--kind", "directed"])
        try d.ok(["zone", "create", "WH1", "PICK", "--bin-type", "PICK"])
        try d.ok(["bin", "create", "WH1", "A-01", "--zone", "PICK"])
        try d.ok(["bin", "create", "WH1", "A-02", "--zone", "PICK"])
        try d.ok(["item", "create", "ITEM1", "--description", "Widget, blue", "--unit", "BOX=12"])
        try d.ok([
            "item-journal", "post", "--entry-type", "purchase", "--location", "WH1", "--item", "ITEM1", "--quantity",
            "100"
        ])
        try d.ok(["whse-journal", "register", "WH1", "--item", "ITEM1", "--bin", "A-01", "--quantity", "60"])
        try d.ok(["whse-journal", "register", "WH1", "--item", "ITEM1", "--bin", "A-02", "--quantity", "40"])
        try d.ok(["whse-journal", "register", "WH1", "--item", "ITEM1", "--bin", "A-02", "--quantity", "-3"])
        #expect(try InventoryCycle.quantities(d, item: "ITEM1") == ["A-01/PCS": "60", "A-02/PCS": "37", "ADJ/PCS": "3"])

        // 1. Sync the adjustment bin: Calculate Whse. Adjustment, a second run adds nothing, post.
        let calc = try d.ok(["item-journal", "calc-whse-adjustment", "--location", "WH1", "--json"]).json
        #expect(calc?["added"]?.arrayValue?.count == 1)
        #expect(calc?["added"]?[0]?["entryType"] == .string("negativeAdjmt"))
        #expect(calc?["added"]?[0]?["quantity"] == .number("3"))
        let again = try d.ok(["item-journal", "calc-whse-adjustment", "--location", "WH1", "--json"]).json
        #expect(again?["added"]?.arrayValue?.isEmpty == true)
        try d.ok(["item-journal", "post", "--batch", "DEFAULT"])
        #expect(try InventoryCycle.quantities(d, item: "ITEM1")["ADJ/PCS"] == "0")
        #expect(try InventoryCycle.inventory(d, item: "ITEM1") == "97")

        // 2. Calculate a warehouse count and print the count list (text for the printer, CSV as a sheet).
        try d.ok(["count", "calculate", "WH1", "--journal", "COUNT1"])
        let printed = try d.ok(["count", "list", "COUNT1", "--blind"]).stdout
        #expect(printed.contains("WAREHOUSE PHYSICAL INVENTORY LIST"))
        #expect(printed.contains("A-01") && printed.contains("A-02") && printed.contains("Widget, blue"))
        #expect(!printed.contains("60"), "a blind list shows no calculated quantity")
        let sheet = try d.ok(["count", "list", "COUNT1", "--format", "csv"]).stdout
        var rows = sheet.split(separator: "\n").map(String.init)
        #expect(
            rows[0] == "lineNo,location,zone,bin,item,description,unitOfMeasure,lot,serial,quantityCalculated,counted")
        #expect(rows.count == 3)
        #expect(rows[1].contains("\"Widget, blue\"") && rows[1].hasSuffix(",60,"))
        // 3. Fill in the sheet: above the calculated quantity in A-01, below in A-02; enter it back.
        rows[1] += "62"
        rows[2] += "36.5"
        let filled = tmp.path + "/count1.csv"
        try (rows.joined(separator: "\n") + "\n").write(toFile: filled, atomically: true, encoding: .utf8)
        try d.ok(["count", "enter", "COUNT1", "--file", filled])
        // Counting again overrides: the last count wins.
        try d.ok(["count", "enter", "COUNT1", "--bin", "A-02", "--item", "ITEM1", "--quantity", "35"])
        let journal = try d.ok(["count", "list", "COUNT1", "--json"]).json
        #expect(journal?["lines"]?[0]?["difference"] == .number("2"))
        #expect(journal?["lines"]?[1]?["difference"] == .number("-2"))
        // 4. Register: bins take the counted quantities, the adjustment bin the differences.
        try d.ok(["count", "register", "COUNT1"])
        #expect(try InventoryCycle.quantities(d, item: "ITEM1") == ["A-01/PCS": "62", "A-02/PCS": "35", "ADJ/PCS": "0"])
        let we = try d.ok(["entries", "warehouse", "--json", "--after", "8"]).json?["entries"]?.arrayValue ?? []
        #expect(we.map { $0["quantity"]!.numberLiteral! } == ["-2", "2", "-2", "2"])
        #expect(we.map { $0["bin"]!.stringValue! } == ["ADJ", "A-01", "A-02", "ADJ"])
        #expect(try InventoryCycle.inventory(d, item: "ITEM1") == "97", "registering does not touch the item ledger")

        // 5. Phys. inventory journal: calculated from the item ledger, counted from the bins, then posted.
        let phys = try d.ok(["phys-inventory", "calculate", "WH1", "--journal", "PHYS1", "--json"]).json
        #expect(phys?["lines"]?[0]?["quantityCalculated"] == .number("97"))
        #expect(phys?["lines"]?[0]?["quantityPhysInventory"] == .number("97"))
        #expect(phys?["lines"]?[0]?["quantity"] == .number("0"))
        try d.ok(["phys-inventory", "post", "PHYS1"])
        #expect(try InventoryCycle.quantities(d, item: "ITEM1") == ["A-01/PCS": "62", "A-02/PCS": "35", "ADJ/PCS": "0"])
        #expect(try InventoryCycle.inventory(d, item: "ITEM1") == "97")
        let pile = try d.ok(["entries", "phys", "--json"]).json?["entries"]?.arrayValue ?? []
        #expect(pile.count == 1)
        try d.ok(["server", "verify"])

        // Another round where the count differs in total: the phys. inventory brings the item ledger along.
        try d.ok(["count", "calculate", "WH1", "--journal", "COUNT2", "--bin", "A-01"])
        try d.ok(["count", "enter", "COUNT2", "--bin", "A-01", "--item", "ITEM1", "--quantity", "65"])
        try d.ok(["count", "register", "COUNT2"])
        #expect(try InventoryCycle.quantities(d, item: "ITEM1")["ADJ/PCS"] == "-3")
        let phys2 = try d.ok(["phys-inventory", "calculate", "WH1", "--journal", "PHYS2", "--json"]).json
        #expect(phys2?["lines"]?[0]?["quantityCalculated"] == .number("97"))
        #expect(phys2?["lines"]?[0]?["quantityPhysInventory"] == .number("100"))
        #expect(phys2?["lines"]?[0]?["entryType"] == .string("positiveAdjmt"))
        try d.ok(["phys-inventory", "post", "PHYS2"])
        #expect(try InventoryCycle.quantities(d, item: "ITEM1") == ["A-01/PCS": "65", "A-02/PCS": "35", "ADJ/PCS": "0"])
        #expect(try InventoryCycle.inventory(d, item: "ITEM1") == "100")
        let ile = try d.ok(["entries", "item", "--json"]).json?["entries"]?.arrayValue ?? []
        #expect(ile.map { $0["quantity"]!.numberLiteral! } == ["100", "-3", "3"])
        try d.ok(["server", "verify"])
        #expect(d.stop() == 0)
    }

    @Test func staleCountIsRefusedNamingTheLines() throws {
        let tmp = TempDir()
        let d = Daemon(dir: tmp.path, activated: false)
        try d.start()
        try d.ok(["location", "create", "WH1"])
        try d.ok(["zone", "create", "WH1", "PICK", "--bin-type", "PICK"])
        try d.ok(["bin", "create", "WH1", "A-01", "--zone", "PICK"])
        try d.ok(["bin", "create", "WH1", "A-02", "--zone", "PICK"])
        try d.ok(["item", "create", "ITEM1"])
        try d.ok(["whse-journal", "register", "WH1", "--item", "ITEM1", "--bin", "A-01", "--quantity", "10"])
        try d.ok(["count", "calculate", "WH1", "--journal", "C"])
        try d.ok(["count", "enter", "C", "--line", "10000", "--quantity", "9"])
        try d.ok([
            "whse-journal", "reclass", "WH1", "--item", "ITEM1", "--from-bin", "A-01", "--to-bin", "A-02", "--quantity",
            "4"
        ])
        let r = try d.ctl(["count", "register", "C"])
        #expect(r.status == 1)
        #expect(r.stderr.contains("count_stale") && r.stderr.contains("staleLines=[10000]"))
        try d.ok(["count", "recalculate", "C", "--line", "10000"])
        try d.ok(["count", "enter", "C", "--line", "10000", "--quantity", "6"])
        try d.ok(["count", "register", "C"])
        #expect(try InventoryCycle.quantities(d, item: "ITEM1")["A-01/PCS"] == "6")
        try d.ok(["server", "verify"])
    }
}
