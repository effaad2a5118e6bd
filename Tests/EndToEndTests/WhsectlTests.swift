import Foundation
import Testing
import WhseProtocol

/// whsectl as people and scripts use it: every group, every output format, file imports, exit codes, retries.
@Suite(.serialized) struct Whsectl {
    static func daemon(_ tmp: TempDir) throws -> Daemon {
        let d = Daemon(dir: tmp.path, activated: false)
        try d.start()
        try d.ok(["location", "create", "WH1", "--kind", "directed"])
        try d.ok(["location", "create", "BASIC", "--kind", "basic"])
        try d.ok(["location", "create", "SHOP", "--kind", "plain"])
        try d.ok(["zone", "create", "WH1", "PICK", "--bin-type", "PICK"])
        try d.ok(["bin", "create", "WH1", "A-01", "--zone", "PICK"])
        try d.ok(["bin", "create", "WH1", "A-02", "--zone", "PICK"])
        try d.ok(["bin", "create", "BASIC", "S-01"])
        try d.ok(["item", "create", "ITEM1", "--description", "Widget", "--unit", "BOX=12"])
        return d
    }

    @Test func everyReadCommandInEveryFormat() throws {
        let tmp = TempDir()
        let d = try Whsectl.daemon(tmp)
        try d.ok([
            "whse-journal", "register", "WH1", "--item", "ITEM1", "--bin", "A-01", "--quantity", "2", "--unit", "BOX"
        ])
        try d.ok([
            "item-journal", "post", "--entry-type", "purchase", "--location", "BASIC", "--bin", "S-01", "--item",
            "ITEM1", "--quantity", "7"
        ])
        try d.ok([
            "item-journal", "post", "--entry-type", "purchase", "--location", "SHOP", "--item", "ITEM1", "--quantity",
            "0.5"
        ])
        let commands: [[String]] = [
            ["location", "list"], ["location", "get", "WH1"], ["zone", "list", "WH1"], ["bin", "list", "WH1"],
            ["bin", "contents", "WH1", "A-01"], ["item", "list"], ["item", "get", "ITEM1"], ["item", "bins", "ITEM1"],
            ["item", "availability", "ITEM1"], ["entries", "warehouse"], ["entries", "item"], ["entries", "phys"],
            ["item-journal", "show"], ["count", "journals"], ["server", "status"]
        ]
        for c in commands {
            let table = try d.ok(c)
            #expect(!table.stdout.isEmpty, "\(c) printed nothing")
            let json = try d.ok(c + ["--json"])
            #expect(json.json != nil, "\(c) --json is not one JSON document: \(json.stdout) (stderr: \(json.stderr))")
            let jsonl = try d.ok(c + ["--format", "jsonl"])
            for line in jsonl.stdout.split(separator: "\n") {
                #expect((try? JSONParser.parse(String(line))) != nil, "\(c) --format jsonl: \(line)")
            }
            try d.ok(c + ["--format", "csv"])
        }
        // Quantities are printed exactly, in every format.
        let bins = try d.ok(["bin", "contents", "WH1", "A-01"]).stdout
        #expect(bins.contains("BOX") && bins.contains(" 2 ") && bins.contains("24"))
        let csv = try d.ok(["item", "availability", "ITEM1", "--format", "csv"]).stdout.split(separator: "\n")
        #expect(
            csv[0]
                == "location,item,inventory,inBins,adjustmentBin,available,availableToPick,reserved,availableToReserve")
        #expect(csv.contains("SHOP,ITEM1,0.5,0.5,0,0.5,0.5,0,0.5"))
        #expect(csv.contains("BASIC,ITEM1,7,7,0,7,7,0,7"))
        #expect(csv.contains("WH1,ITEM1,0,24,-24,24,24,0,24"))
        let bad = try d.ctl(["bin", "list", "WH1", "--format", "xml"])
        #expect(bad.status == 64)
    }

    /// Every posting subcommand, once per output format: each succeeds and prints in that format.
    @Test func everyPostingCommandInEveryFormat() throws {
        let tmp = TempDir()
        let d = try Whsectl.daemon(tmp)
        try d.ok([
            "item-journal", "post", "--entry-type", "purchase", "--location", "WH1", "--item", "ITEM1", "--quantity",
            "400"
        ])
        try d.ok([
            "item-journal", "post", "--entry-type", "purchase", "--location", "BASIC", "--bin", "S-01", "--item",
            "ITEM1", "--quantity", "40"
        ])
        for (n, format) in ["table", "json", "jsonl", "csv"].enumerated() {
            func check(_ args: [String]) throws {
                let r = try d.ok(args + ["--format", format])
                #expect(!r.stdout.isEmpty, "\(args) --format \(format) printed nothing")
                if format == "json" {
                    #expect(r.json != nil, "\(args) --format json: \(r.stdout)")
                }
            }
            try check(["location", "create", "L\(n)", "--kind", "plain"])
            try check(["zone", "create", "WH1", "Z\(n)", "--bin-type", "PICK"])
            try check(["bin", "create", "WH1", "B\(n)", "--zone", "Z\(n)"])
            try check(["bin", "update", "WH1", "B\(n)", "--description", "shelf \(n)"])
            try check(["item", "create", "IT\(n)"])
            try check(["whse-journal", "register", "WH1", "--item", "ITEM1", "--bin", "B\(n)", "--quantity", "10"])
            try check([
                "whse-journal", "reclass", "WH1", "--item", "ITEM1", "--from-bin", "B\(n)", "--to-bin", "A-01",
                "--quantity", "1"
            ])
            try check(["item-journal", "calc-whse-adjustment", "--location", "WH1", "--batch", "BATCH\(n)"])
            try check(["item-journal", "post", "--batch", "BATCH\(n)"])
            try d.ok(["whse-journal", "register", "WH1", "--item", "ITEM1", "--bin", "A-02", "--quantity", "1"])
            try check(["item-journal", "calc-whse-adjustment", "--location", "WH1", "--batch", "DEL\(n)"])
            try check(["item-journal", "delete", "--batch", "DEL\(n)"])
            try d.ok(["whse-journal", "register", "WH1", "--item", "ITEM1", "--bin", "A-02", "--quantity", "-1"])
            try check(["count", "calculate", "WH1", "--journal", "C\(n)", "--bin", "B\(n)"])
            try check(["count", "enter", "C\(n)", "--bin", "B\(n)", "--item", "ITEM1", "--quantity", "8"])
            try check(["count", "recalculate", "C\(n)"])
            try check(["count", "enter", "C\(n)", "--line", "10000", "--quantity", "8"])
            try check(["count", "register", "C\(n)"])
            try check(["count", "calculate", "WH1", "--journal", "D\(n)"])
            try check(["count", "delete", "D\(n)"])
            try check(["phys-inventory", "calculate", "BASIC", "--journal", "P\(n)"])
            try check(["phys-inventory", "show", "P\(n)"])
            try check([
                "phys-inventory", "enter", "P\(n)", "--item", "ITEM1", "--bin", "S-01", "--quantity", "\(40 - n)"
            ])
            try check(["phys-inventory", "recalculate", "P\(n)"])
            try check(["phys-inventory", "enter", "P\(n)", "--line", "10000", "--quantity", "\(39 - n)"])
            try check(["phys-inventory", "post", "P\(n)"])
            try check(["phys-inventory", "calculate", "WH1", "--journal", "Q\(n)"])
            try check(["phys-inventory", "delete", "Q\(n)"])
            try check(["server", "checkpoint"])
            try check(["call", "server.status"])
        }
        try d.ok(["server", "verify"])
        // The basic location's count went 40 → 39 → 38 → 37 → 36 over the four rounds.
        let rows = try d.ok(["bin", "contents", "BASIC", "S-01", "--json"]).json?["rows"]?.arrayValue ?? []
        #expect(rows.first?["quantity"] == .number("36"))
    }

    @Test func exitCodesAndMessages() throws {
        let tmp = TempDir()
        let d = try Whsectl.daemon(tmp)
        let refused = try d.ctl(["bin", "contents", "WH1", "NOPE"])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("[not_found]"))
        let usage = try d.ctl(["whse-journal", "register", "WH1", "--item", "ITEM1"])
        #expect(usage.status == 64)
        let noDaemon = try run(binDir + "/whsectl", ["server", "status", "--socket", tmp.path + "/nothing.sock"])
        #expect(noDaemon.status == 69)
        #expect(noDaemon.stderr.contains("cannot connect"))
        let wrongKind = try d.ctl([
            "whse-journal", "register", "BASIC", "--item", "ITEM1", "--bin", "S-01", "--quantity", "1"
        ])
        #expect(wrongKind.status == 1 && wrongKind.stderr.contains("wrong_location_kind"))
        // An enumeration takes only its values, checked before anything is sent.
        let badKind = try d.ctl(["location", "create", "WH9", "--kind", "huge"])
        #expect(badKind.status == 64 && badKind.stderr.contains("directed"))
        let badType = try d.ctl([
            "item-journal", "post", "--entry-type", "gift", "--location", "SHOP",
            "--item", "ITEM1", "--quantity", "1"
        ])
        #expect(badType.status == 64 && badType.stderr.contains("positiveAdjmt"))
    }

    /// `bin update`: --warehouse-class sets the class, --clear-warehouse-class sends null, neither keeps it.
    @Test func binUpdateSetsKeepsAndClearsTheWarehouseClass() throws {
        let tmp = TempDir()
        let d = try Whsectl.daemon(tmp)
        func whseClass() throws -> JSON? {
            let bins = try d.ok(["bin", "list", "WH1", "--json"]).json?["bins"]?.arrayValue ?? []
            return bins.first { $0["code"] == "A-02" }?["warehouseClass"]
        }
        try d.ok(["bin", "update", "WH1", "A-02", "--warehouse-class", "COLD"])
        #expect(try whseClass() == .string("COLD"))
        try d.ok(["bin", "update", "WH1", "A-02", "--description", "cold shelf"])
        #expect(try whseClass() == .string("COLD"))
        try d.ok(["bin", "update", "WH1", "A-02", "--clear-warehouse-class"])
        #expect(try whseClass() == .null)
    }

    /// A file's lines are checked as whsed checks them (through the same line types), each error with its line number,
    /// before anything is sent; CSV cells are text, so integers come as digits.
    @Test func fileLinesAreCheckedBeforeSending() throws {
        let tmp = TempDir()
        let d = try Whsectl.daemon(tmp)
        let path = tmp.path + "/lines.csv"
        try "item,bin\nITEM1,A-01\n".write(toFile: path, atomically: true, encoding: .utf8)
        let noQuantity = try d.ctl(["whse-journal", "register", "WH1", "--file", path])
        #expect(noQuantity.status == 64 && noQuantity.stderr.contains("line 2"))
        #expect(noQuantity.stderr.contains("quantity is required"))
        let csv = "entryType,location,item,quantity\npurchase,SHOP,ITEM1,2\nbought,SHOP,ITEM1,1\n"
        try csv.write(toFile: path, atomically: true, encoding: .utf8)
        let badType = try d.ctl(["item-journal", "post", "--file", path])
        #expect(badType.status == 64 && badType.stderr.contains("line 3"))
        #expect(badType.stderr.contains("entryType must be one of"))
        let jsonl =
            #"{"entryType":"purchase","location":"SHOP","item":"ITEM1","quantity":"1.5","documentNo":"J1"}"#
            + "\n"
        let fromStdin = try d.ctl(["item-journal", "post", "--file", "-", "--json"], stdin: jsonl)
        #expect(fromStdin.status == 0 && fromStdin.json?["lines"] == JSON(1))
        // A count sheet names lines by number (a text cell of digits).
        try d.ok(["whse-journal", "register", "WH1", "--item", "ITEM1", "--bin", "A-01", "--quantity", "4"])
        try d.ok(["count", "calculate", "WH1", "--journal", "C1"])
        try "lineNo,counted\n10000,3\n".write(toFile: path, atomically: true, encoding: .utf8)
        let entered = try d.ok(["count", "enter", "C1", "--file", path, "--json"]).json
        #expect(entered?["lines"]?[0]?["quantityPhysInventory"] == JSON(numberLiteral: "3"))
        try "lineNo,counted\nten,3\n".write(toFile: path, atomically: true, encoding: .utf8)
        let badLine = try d.ctl(["count", "enter", "C1", "--file", path])
        #expect(badLine.status == 64 && badLine.stderr.contains("line 2"))
        #expect(badLine.stderr.contains("lineNo must be an integer"))
    }

    /// `whsectl --socket S --json server status`, as with systemctl and kubectl: the common options may stand
    /// before the subcommand, between a group and its subcommand, or after it, for every subcommand.
    @Test func commonOptionsBeforeTheSubcommand() throws {
        let tmp = TempDir()
        let d = try Whsectl.daemon(tmp)
        let ctl = binDir + "/whsectl"
        // $WHSED_SOCKET points nowhere, so only --socket can reach the daemon.
        let env = ["WHSED_SOCKET": tmp.path + "/nothing.sock"]
        func ok(_ args: [String], sourceLocation: SourceLocation = #_sourceLocation) throws -> Ran {
            let r = try run(ctl, args, env: env)
            #expect(
                r.status == 0, "whsectl \(args.joined(separator: " ")): \(r.stderr)",
                sourceLocation: sourceLocation)
            return r
        }
        let status = try ok(["--socket", d.socket, "--json", "server", "status"])
        #expect(status.json?["items"] == JSON(1))
        #expect(try ok(["--timeout", "5", "--socket=" + d.socket, "item", "list"]).stdout.contains("Widget"))
        #expect(try ok(["--format", "csv", "--socket", d.socket, "bin", "list", "WH1"]).stdout.hasPrefix("code,"))
        #expect(try ok(["--socket", d.socket, "server", "status", "--format", "jsonl"]).json?["items"] == JSON(1))
        // A nested group, options before, between and after, and a posting's idempotency key up front.
        let post = [
            "item-journal", "post", "--entry-type", "purchase", "--location", "BASIC", "--bin", "S-01",
            "--item", "ITEM1", "--quantity", "4"
        ]
        let first = try ok(["--socket", d.socket, "--idempotency-key", "k-4711", "--json"] + post)
        #expect(first.json?["lines"] == JSON(1))
        let again = try ok(
            ["--idempotency-key=k-4711", "item-journal", "--socket", d.socket, "post"]
                + post.dropFirst(2) + ["--json"])
        #expect(again.json?["replayed"] == .bool(true))
        #expect(try ok(["--json", "--socket", d.socket, "entries", "item"]).json?["entries"]?.arrayValue?.count == 1)
        // -- still ends the options: what follows is positional.
        let called = try ok(["--socket", d.socket, "call", "--", "item.get", #"{"no":"ITEM1"}"#])
        #expect(called.json?["no"] == .string("ITEM1"))
        // A misspelled or incomplete leading option is a usage error, named as such.
        let misspelled = try run(ctl, ["--sockt", d.socket, "server", "status"], env: env)
        #expect(misspelled.status == 64 && misspelled.stderr.contains("--sockt"), "\(misspelled.stderr)")
        let second = try run(ctl, ["--socket", d.socket, "--jsn", "server", "status"], env: env)
        #expect(second.status == 64 && second.stderr.contains("--jsn"), "\(second.stderr)")
        let missingValue = try run(ctl, ["--timeout"], env: env)
        #expect(missingValue.status == 64)
        let badFormat = try run(ctl, ["--format", "xml", "--socket", d.socket, "item", "list"], env: env)
        #expect(badFormat.status == 64)
        // Help: the root lists the common options, a subcommand's help is still its own.
        let rootHelp = try ok(["--help"]).stdout
        #expect(rootHelp.contains("USAGE: whsectl [--socket <socket>]") && rootHelp.contains("--idempotency-key"))
        let subHelp = try ok(["--socket", d.socket, "item-journal", "post", "--help"]).stdout
        #expect(subHelp.contains("USAGE: whsectl item-journal post") && subHelp.contains("--entry-type"))
    }

    @Test func tenThousandLineCsvImport() throws {
        let tmp = TempDir()
        let d = try Whsectl.daemon(tmp)
        var csv = "item,bin,quantity,unitOfMeasure\n"
        for i in 0..<10_000 { csv += "ITEM1,\(i % 2 == 0 ? "A-01" : "A-02"),\(i % 7 + 1).5,PCS\n" }
        let path = tmp.path + "/lines.csv"
        try csv.write(toFile: path, atomically: true, encoding: .utf8)
        let r = try d.ok(["whse-journal", "register", "WH1", "--file", path, "--json"])
        #expect(r.json?["lines"] == JSON(10_000))
        var expected = [0, 0]  // in halves
        for i in 0..<10_000 { expected[i % 2] += (i % 7 + 1) * 2 + 1 }
        let rows = try d.ok(["item", "bins", "ITEM1", "--json"]).json?["rows"]?.arrayValue ?? []
        func q(_ bin: String) -> String? { rows.first { $0["bin"]?.stringValue == bin }?["quantity"]?.numberLiteral }
        func half(_ n: Int) -> String { n % 2 == 0 ? "\(n / 2)" : "\(n / 2).5" }
        #expect(q("A-01") == half(expected[0]))
        #expect(q("A-02") == half(expected[1]))
        // One line more than the limit is refused before anything is posted.
        csv += "ITEM1,A-01,1,PCS\n"
        try csv.write(toFile: path, atomically: true, encoding: .utf8)
        let over = try d.ctl(["whse-journal", "register", "WH1", "--file", path])
        #expect(over.status == 1 && over.stderr.contains("limit_exceeded"))
        // A bad quantity is reported with its line number, before sending.
        try "item,bin,quantity\nITEM1,A-01,1\nITEM1,A-01,1.234567\n".write(
            toFile: path, atomically: true, encoding: .utf8)
        let badLine = try d.ctl(["whse-journal", "register", "WH1", "--file", path])
        #expect(badLine.status == 64 && badLine.stderr.contains("line 3"))
        // JSON Lines from stdin.
        let jsonl =
            #"{"item":"ITEM1","bin":"A-01","quantity":"0.25"}"# + "\n"
            + #"{"item":"ITEM1","bin":"A-02","quantity":0.75}"# + "\n"
        let fromStdin = try d.ctl(["whse-journal", "register", "WH1", "--file", "-", "--json"], stdin: jsonl)
        #expect(fromStdin.status == 0 && fromStdin.json?["lines"] == JSON(2))
        try d.ok(["server", "verify"])
    }

    /// A shell script with `set -e`, retrying after a killed daemon with one idempotency key: no double posting.
    @Test func scriptRetriesNeverPostTwice() throws {
        let tmp = TempDir()
        let d = try Whsectl.daemon(tmp)
        let script = """
            set -euo pipefail
            export WHSED_SOCKET='\(d.socket)'
            ctl='\(binDir)/whsectl'
            $ctl whse-journal register WH1 --item ITEM1 --bin A-01 --quantity 5 --idempotency-key receipt-4711 --json \\
              | python3 -c 'import json,sys; r=json.load(sys.stdin); assert r["lines"]==1; print(r["registerNo"])'
            # The same delivery posted again (e.g. the script is re-run after a crash): replayed, not posted.
            $ctl whse-journal register WH1 --item ITEM1 --bin A-01 --quantity 5 --idempotency-key receipt-4711 --json \\
              | python3 -c 'import json,sys; r=json.load(sys.stdin); assert r.get("replayed") is True, r; print("replayed")'
            $ctl bin contents WH1 A-01 --format csv | python3 -c 'import csv,sys; rows=list(csv.DictReader(sys.stdin)); assert rows[0]["quantity"]=="5", rows; print("ok")'
            """
        let r = try run("/bin/bash", ["-c", script])
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        #expect(r.stdout.contains("replayed") && r.stdout.hasSuffix("ok\n"))
        // Kill the daemon; the script retries with the same key while it comes back: exactly one more posting.
        d.kill()
        let retry = """
            set -euo pipefail
            export WHSED_SOCKET='\(d.socket)'
            '\(binDir)/whsectl' whse-journal register WH1 --item ITEM1 --bin A-01 --quantity 3 --idempotency-key receipt-4712 --retries 40
            '\(binDir)/whsectl' whse-journal register WH1 --item ITEM1 --bin A-01 --quantity 3 --idempotency-key receipt-4712 --retries 40
            """
        let pid = try spawn(
            "/bin/bash", ["-c", retry], stdout: tmp.path + "/retry.out", stderr: tmp.path + "/retry.err")
        usleep(600_000)
        try d.start()
        let status = reap(pid)
        #expect(status == 0, "\((try? String(contentsOfFile: tmp.path + "/retry.err", encoding: .utf8)) ?? "")")
        let err = (try? String(contentsOfFile: tmp.path + "/retry.err", encoding: .utf8)) ?? ""
        #expect(err.contains("retrying"))
        let rows = try d.ok(["bin", "contents", "WH1", "A-01", "--json"]).json?["rows"]?.arrayValue ?? []
        #expect(rows.first?["quantity"] == .number("8"))
        let entries = try d.ok(["entries", "warehouse", "--bin", "A-01", "--json"]).json?["entries"]?.arrayValue ?? []
        #expect(entries.count == 2, "two postings into A-01: 5 and 3, never twice")
    }
}
