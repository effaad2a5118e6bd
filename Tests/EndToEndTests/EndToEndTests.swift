import Foundation
import Testing
import WhseProtocol

/// The first slice through every layer: whsectl → socket → whsed (socket-activated) → log → fsync, and back.
@Suite(.serialized) struct EndToEnd {
    /// Quantity in `bin` per `item.bins --json`.
    static func binQuantity(_ d: Daemon, item: String, bin: String) throws -> String? {
        let r = try d.ok(["item", "bins", item, "--location", "WH1", "--json"])
        for row in r.json?["rows"]?.arrayValue ?? [] where row["bin"]?.stringValue == bin {
            if case .number(let n)? = row["quantity"] { return n }
        }
        return nil
    }

    static func setUp(_ d: Daemon) throws {
        try d.ok(["location", "create", "WH1", "--name", "Main", "--kind", "directed"])
        try d.ok(["zone", "create", "WH1", "PICK", "--bin-type", "PICK"])
        try d.ok(["bin", "create", "WH1", "A-01", "--zone", "PICK"])
        try d.ok(["bin", "create", "WH1", "B-02", "--zone", "PICK"])
        try d.ok(["item", "create", "ITEM1", "--description", "Widget"])
    }

    @Test func socketActivatedSliceSurvivesSigkill() throws {
        let tmp = TempDir()
        let d = Daemon(dir: tmp.path, activated: true)
        do { try d.start() } catch let s as Skip {
            print("skipped: \(s)")
            return
        }
        try EndToEnd.setUp(d)

        // +5 in A-01: bin 5, adjustment bin −5.
        try d.ok(["whse-journal", "register", "WH1", "--item", "ITEM1", "--bin", "A-01", "--quantity", "5"])
        #expect(try EndToEnd.binQuantity(d, item: "ITEM1", bin: "A-01") == "5")
        #expect(try EndToEnd.binQuantity(d, item: "ITEM1", bin: "ADJ") == "-5")
        let contents = try d.ok(["bin", "contents", "WH1", "A-01", "--json"]).json
        #expect(contents?["rows"]?.arrayValue?.first?["quantity"] == .number("5"))
        // −2: 3 and −3.
        try d.ok(["whse-journal", "register", "WH1", "--item", "ITEM1", "--bin", "A-01", "--quantity", "-2"])
        #expect(try EndToEnd.binQuantity(d, item: "ITEM1", bin: "A-01") == "3")
        #expect(try EndToEnd.binQuantity(d, item: "ITEM1", bin: "ADJ") == "-3")
        // −4: refused with insufficient_quantity, nothing changes.
        let refused = try d.ctl([
            "whse-journal", "register", "WH1", "--item", "ITEM1", "--bin", "A-01", "--quantity", "-4"
        ])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("insufficient_quantity"))
        #expect(try EndToEnd.binQuantity(d, item: "ITEM1", bin: "A-01") == "3")
        #expect(try EndToEnd.binQuantity(d, item: "ITEM1", bin: "ADJ") == "-3")
        let entriesBefore = try d.ok(["entries", "warehouse", "--json"]).json?["entries"]?.arrayValue ?? []
        #expect(entriesBefore.count == 4)

        // SIGKILL after acknowledged postings; start again: every acknowledged posting, nothing else.
        d.kill()
        try d.start()
        #expect(try EndToEnd.binQuantity(d, item: "ITEM1", bin: "A-01") == "3")
        #expect(try EndToEnd.binQuantity(d, item: "ITEM1", bin: "ADJ") == "-3")
        let entriesAfter = try d.ok(["entries", "warehouse", "--json"]).json?["entries"]?.arrayValue ?? []
        #expect(entriesAfter == entriesBefore)
        let status = try d.ok(["server", "status", "--json"]).json
        #expect(status?["warehouseEntries"] == JSON(4))
        try d.ok(["server", "verify"])

        // Exact decimals: 0.1 + 0.2 − 0.3 leaves exactly 0.
        for qty in ["0.1", "0.2", "-0.3"] {
            try d.ok(["whse-journal", "register", "WH1", "--item", "ITEM1", "--bin", "B-02", "--quantity", qty])
        }
        let b02 = try d.ok(["bin", "contents", "WH1", "B-02", "--include-zero", "--json"]).json
        #expect(b02?["rows"]?.arrayValue?.first?["quantity"] == .number("0"))
        // Six decimal places: refused by whsectl before sending, and by whsed on the wire.
        let six = try d.ctl([
            "whse-journal", "register", "WH1", "--item", "ITEM1", "--bin", "B-02", "--quantity", "0.123456"
        ])
        #expect(six.status == 64)
        let c = try d.rawConnect()
        let wire = c.call(
            #"{"jsonrpc":"2.0","id":1,"method":"whseItemJournal.register","params":{"location":"WH1","lines":[{"item":"ITEM1","bin":"B-02","quantity":0.123456}]}}"#
        )
        #expect(wire?.errorCode == -32602)
        #expect(wire?["error"]?["message"]?.stringValue?.contains("more than 5 decimal places") == true)
        d.stop()
    }

    @Test func protocolErrorsKeepTheConnection() throws {
        let tmp = TempDir()
        let d = Daemon(dir: tmp.path, activated: false)
        try d.start()
        try EndToEnd.setUp(d)
        let c = try d.rawConnect()
        let parse = c.call("{this is not json")
        #expect(parse?.errorCode == -32700)
        #expect(parse?["id"] == .null)
        #expect(parse?.errorReason == "parse_error")
        let unknown = c.call(#"{"jsonrpc":"2.0","id":2,"method":"no.such"}"#)
        #expect(unknown?.errorCode == -32601)
        #expect(unknown?["id"] == JSON(2))
        let bad = c.call(#"{"jsonrpc":"2.0","id":"x","method":"bin.contents","params":{"location":5,"bin":"A-01"}}"#)
        #expect(bad?.errorCode == -32602)
        #expect(bad?["id"] == .string("x"))
        #expect(bad?.errorReason == "invalid_params")
        let invalid = c.call(#"{"jsonrpc":"1.0","id":3,"method":"server.status"}"#)
        #expect(invalid?.errorCode == -32600)
        // The same connection still serves a valid request.
        let good = c.call(#"{"jsonrpc":"2.0","id":4,"method":"bin.contents","params":{"location":"WH1","bin":"A-01"}}"#)
        #expect(good?["result"]?["rows"] == .array([]))
        #expect(good?["id"] == JSON(4))
        // Unknown parameter names are refused, not ignored.
        let typo = c.call(
            #"{"jsonrpc":"2.0","id":5,"method":"bin.contents","params":{"location":"WH1","bin":"A-01","bins":1}}"#)
        #expect(typo?.errorCode == -32602)
        #expect(d.stop() == 0)
    }
}

/// Snapshots: a checkpoint, more postings, SIGKILL; the restart loads the snapshot plus the tail and finds everything.
@Suite(.serialized) struct Snapshots {
    @Test func checkpointThenTailSurvivesSigkill() throws {
        let tmp = TempDir()
        let d = Daemon(dir: tmp.path, activated: false)
        try d.start()
        try EndToEnd.setUp(d)
        for i in 1...5 {
            try d.ok(["whse-journal", "register", "WH1", "--item", "ITEM1", "--bin", "A-01", "--quantity", "\(i)"])
        }
        try d.ok(["count", "calculate", "WH1", "--journal", "OPEN1"])
        let cp = try d.ok(["server", "checkpoint", "--json"]).json
        #expect(cp?["written"] == .bool(true))
        let again = try d.ok(["server", "checkpoint", "--json"]).json
        #expect(again?["written"] == .bool(false))
        for i in 1...3 {
            try d.ok(["whse-journal", "register", "WH1", "--item", "ITEM1", "--bin", "B-02", "--quantity", "\(i)"])
        }
        // An idempotency key remembered before the snapshot is still remembered after it.
        try d.ok([
            "whse-journal", "register", "WH1", "--item", "ITEM1", "--bin", "B-02", "--quantity", "1",
            "--idempotency-key", "k-1"
        ])
        let before = try d.ok(["entries", "warehouse", "--json", "--limit", "1000"]).stdout
        d.kill()
        let snapshots = try FileManager.default.contentsOfDirectory(atPath: d.state).filter { $0.hasSuffix(".snap") }
        #expect(snapshots.count == 1)
        try d.start()
        let after = try d.ok(["entries", "warehouse", "--json", "--limit", "1000"]).stdout
        #expect(after == before)
        #expect(try EndToEnd.binQuantity(d, item: "ITEM1", bin: "A-01") == "15")
        #expect(try EndToEnd.binQuantity(d, item: "ITEM1", bin: "B-02") == "7")
        let status = try d.ok(["server", "status", "--json"]).json
        #expect(status?["log"]?["recoveredRecords"] == JSON(4), "only the tail after the snapshot is replayed")
        #expect(status?["openCountJournals"] == JSON(1))
        let replay = try d.ok([
            "whse-journal", "register", "WH1", "--item", "ITEM1", "--bin", "B-02", "--quantity", "1",
            "--idempotency-key", "k-1", "--json"
        ]).json
        #expect(replay?["replayed"] == .bool(true))
        #expect(try EndToEnd.binQuantity(d, item: "ITEM1", bin: "B-02") == "7")
        try d.ok(["server", "verify"])
        // A clean stop writes a snapshot, so the next start replays nothing.
        #expect(d.stop() == 0)
        try d.start()
        let s2 = try d.ok(["server", "status", "--json"]).json
        #expect(s2?["log"]?["recoveredRecords"] == JSON(0))
        #expect(try EndToEnd.binQuantity(d, item: "ITEM1", bin: "B-02") == "7")
        let verify = try run(binDir + "/whsed", ["--verify", d.state])
        #expect(verify.status != 0, "the offline check refuses while whsed holds the lock")
        d.stop()
        let offline = try run(binDir + "/whsed", ["--verify", d.state])
        #expect(offline.status == 0, "\(offline.stdout)\(offline.stderr)")
        #expect(offline.stdout.contains("ledger invariants hold"))
    }
}

/// `whsectl server backup` while whsed serves, then a whsed started on the backup folder holds the same books.
@Suite(.serialized) struct Backups {
    @Test func backupWhileServingThenRestore() throws {
        let tmp = TempDir()
        let d = Daemon(dir: tmp.path, activated: false)
        try d.start()
        try EndToEnd.setUp(d)
        try d.ok(["whse-journal", "register", "WH1", "--item", "ITEM1", "--bin", "A-01", "--quantity", "12.5"])
        try d.ok(["count", "calculate", "WH1", "--journal", "C1"])
        let backup = tmp.path + "/backup"
        let b = try d.ok(["server", "backup", backup, "--json"]).json
        #expect(b?["sequence"] == .string("7"))
        // Postings after the backup are not in it.
        try d.ok(["whse-journal", "register", "WH1", "--item", "ITEM1", "--bin", "A-01", "--quantity", "1"])
        let again = try d.ctl(["server", "backup", backup])
        #expect(again.status == 64 && again.stderr.contains("non-empty"))
        let entries = try d.ok(["entries", "warehouse", "--json"]).json?["entries"]?.arrayValue ?? []
        d.stop()
        let restored = Daemon(dir: tmp.path + "/r", activated: false)
        try FileManager.default.createDirectory(atPath: restored.dir, withIntermediateDirectories: true)
        try FileManager.default.moveItem(atPath: backup, toPath: restored.state)
        try restored.start()
        let after = try restored.ok(["entries", "warehouse", "--json"]).json?["entries"]?.arrayValue ?? []
        #expect(after == Array(entries.prefix(2)))
        #expect(try restored.ok(["count", "journals", "--json"]).json?["journals"]?.arrayValue?.count == 1)
        try restored.ok(["server", "verify"])
        // The restored books go on: new postings follow the backup's sequence.
        try restored.ok(["whse-journal", "register", "WH1", "--item", "ITEM1", "--bin", "A-01", "--quantity", "2"])
        #expect(
            try restored.ok(["bin", "contents", "WH1", "A-01", "--json"]).json?["rows"]?[0]?["quantity"]
                == .number("14.5"))
        restored.stop()
    }
}
