import Testing
import Warehouse
import WhseProtocol

@testable import WhseCore
@testable import WhseServer

/// The handlers run on typed params (issue 13 item 1): every method has its type, a request re-encoded from its
/// decoded params does what the request did, and the result types read what whsed answers.
@Suite struct TypedCommands {
    static let ctx = PostingContext(user: "t", timestamp: "2026-01-05T10:00:00Z", today: "2026-01-05")

    /// A session touching every kind of result with a type; the answers are checked against those types.
    static let session: [(String, String, (any RPCResult.Type)?)] = [
        ("location.create", #"{"code":"WH1","idempotencyKey":"k1"}"#, nil),
        ("location.create", #"{"code":"SHOP","kind":"plain"}"#, nil),
        ("zone.create", #"{"location":"WH1","code":"PICK","binType":"PICK"}"#, nil),
        ("bin.create", #"{"location":"WH1","code":"A-01","zone":"PICK","maximumCubage":"0"}"#, nil),
        ("bin.create", #"{"location":"WH1","code":"A-02","zone":"PICK"}"#, nil),
        ("item.create", #"{"no":"ITEM1","unitsOfMeasure":[{"code":"BOX","quantityPerUnitOfMeasure":12}]}"#, nil),
        ("item.create", #"{"no":"LOT","tracking":{"lot":true,"expirationRequired":true}}"#, nil),
        (
            "binContent.setup", #"{"location":"WH1","bin":"A-01","item":"ITEM1","fixed":true,"maxQuantity":"100"}"#,
            BinContentSetupResult.self
        ),
        (
            "whseItemJournal.register",
            #"{"location":"WH1","documentNo":"D1","lines":["#
                + #"{"item":"ITEM1","bin":"A-01","quantity":"2","unitOfMeasure":"BOX"},"#
                + #"{"item":"LOT","bin":"A-02","quantity":3,"lot":"L1","expirationDate":"2027-01-31"}]}"#,
            PostingResult.self
        ),
        (
            "whseReclassJournal.register",
            #"{"location":"WH1","lines":["#
                + #"{"item":"ITEM1","fromBin":"A-01","toBin":"A-02","quantity":1,"unitOfMeasure":"BOX"}]}"#,
            PostingResult.self
        ),
        ("itemTracking.setBlocked", #"{"item":"LOT","lot":"L1","blocked":true}"#, TrackingBlockedResult.self),
        ("itemTracking.setBlocked", #"{"item":"LOT","lot":"L1","blocked":false}"#, TrackingBlockedResult.self),
        (
            "whsePhysInventory.calculate", #"{"location":"WH1","journal":"C1","includeZero":true}"#,
            WhseCountJournalResult.self
        ),
        (
            "whsePhysInventory.recordCounts", #"{"journal":"C1","counts":[{"lineNo":10000,"quantity":"22.5"}]}"#,
            WhseCountJournalResult.self
        ),
        ("whsePhysInventory.get", #"{"journal":"C1","after":0,"limit":1}"#, WhseCountJournalResult.self),
        ("whsePhysInventory.get", #"{"journal":"C1","blind":true}"#, WhseCountJournalResult.self),
        ("whsePhysInventory.register", #"{"journal":"C1"}"#, PostingResult.self),
        ("whsePhysInventory.calculate", #"{"location":"WH1","journal":"C2"}"#, WhseCountJournalResult.self),
        ("whsePhysInventory.delete", #"{"journal":"C2"}"#, JournalDeletedResult.self),
        ("itemJournal.calculateWhseAdjustment", #"{"location":"WH1"}"#, ItemJournalBatchResult.self),
        ("itemJournal.get", #"{}"#, ItemJournalBatchResult.self),
        ("itemJournal.post", #"{"batch":"DEFAULT"}"#, PostingResult.self),
        (
            "itemJournal.post",
            #"{"documentNo":"P1","lines":[{"entryType":"purchase","location":"SHOP","item":"LOT","#
                + #""quantity":5,"tracking":[{"lot":"L7","expirationDate":"2027-02-01","quantity":5}]}]}"#,
            PostingResult.self
        ),
        (
            "whseItemJournal.register", #"{"location":"WH1","lines":[{"item":"ITEM1","bin":"A-02","quantity":1}]}"#,
            PostingResult.self
        ),
        ("itemJournal.calculateWhseAdjustment", #"{"batch":"B2"}"#, ItemJournalBatchResult.self),
        ("itemJournal.delete", #"{"batch":"B2"}"#, BatchDeletedResult.self),
        ("entries.warehouse", #"{"limit":2}"#, EntriesPageResult.self),
        ("entries.item", #"{"item":"LOT"}"#, EntriesPageResult.self),
        ("bin.update", #"{"location":"WH1","code":"A-02","warehouseClass":null}"#, nil),
        ("item.setCountingPeriod", #"{"item":"ITEM1","countingPeriod":null}"#, nil),
        // The rest of the methods, so that every result type reads a real answer.
        ("location.get", #"{"code":"WH1"}"#, nil),
        ("location.update", #"{"code":"WH1","name":"Main","allowNegativeInventory":true}"#, nil),
        ("location.list", #"{}"#, nil),
        ("zone.list", #"{"location":"WH1"}"#, nil),
        ("bin.list", #"{"location":"WH1","zone":"PICK"}"#, nil),
        ("item.get", #"{"no":"LOT"}"#, nil),
        ("item.list", #"{}"#, nil),
        ("countingPeriod.create", #"{"code":"M","description":"Monthly","countFrequencyPerYear":12}"#, nil),
        ("countingPeriod.list", #"{}"#, nil),
        ("item.setCountingPeriod", #"{"item":"ITEM1","countingPeriod":"M","date":"2026-01-05"}"#, nil),
        ("countingPeriod.due", #"{"date":"2026-03-01"}"#, nil),
        ("reservation.create", #"{"location":"WH1","item":"ITEM1","quantity":2,"source":"SO1"}"#, nil),
        ("reservation.create", #"{"location":"WH1","item":"ITEM1","quantity":1}"#, nil),
        ("reservation.list", #"{"item":"ITEM1"}"#, nil),
        ("reservation.cancel", #"{"reservation":1}"#, nil),
        ("item.availability", #"{"item":"ITEM1"}"#, nil),
        ("bin.contents", #"{"location":"WH1","bin":"A-02"}"#, nil),
        ("bin.contents", #"{"location":"WH1","bin":"A-02","fields":["item","quantity"]}"#, nil),
        ("item.bins", #"{"item":"LOT","includeZero":true}"#, nil),
        ("whsePhysInventory.calculate", #"{"location":"WH1","journal":"C3","blind":true}"#, nil),
        ("whsePhysInventory.list", #"{}"#, nil),
        ("whsePhysInventory.recalculate", #"{"journal":"C3"}"#, nil),
        ("whsePhysInventory.delete", #"{"journal":"C3"}"#, nil),
        ("physInventory.calculate", #"{"location":"SHOP","journal":"P1","includeZero":true}"#, nil),
        ("physInventory.list", #"{}"#, nil),
        ("physInventory.recordCounts", #"{"journal":"P1","counts":[{"lineNo":10000,"quantity":"4"}]}"#, nil),
        ("physInventory.get", #"{"journal":"P1","after":0,"limit":1}"#, nil),
        ("physInventory.recalculate", #"{"journal":"P1"}"#, nil),
        ("physInventory.post", #"{"journal":"P1"}"#, nil),
        ("physInventory.calculate", #"{"location":"SHOP","journal":"P2"}"#, nil),
        ("physInventory.delete", #"{"journal":"P2"}"#, nil),
        (
            "itemReclassJournal.post",
            #"{"lines":[{"item":"LOT","location":"SHOP","quantity":1,"lot":"L7","newLot":"L8","#
                + #""newExpirationDate":"2027-03-01"}]}"#, nil
        ),
        ("entries.physInventory", #"{}"#, nil),
        ("location.convertToDirected", #"{"code":"SHOP"}"#, nil),
        ("itemJournal.get", #"{"batch":"NONE"}"#, nil)
    ]

    @Test func everyMethodHasAHandlerOfItsParamsType() {
        for m in MethodCatalogue.all where !m.name.hasPrefix("server.") {
            #expect(Handlers.typed[m.name] != nil, "\(m.name) has no handler")
            #expect(Handlers.table[m.name] != nil)
        }
        #expect(Set(Handlers.typed.keys).isSubset(of: Set(ParamsCatalogue.byMethod.keys)))
    }

    /// What the lead's writer will do: decode, re-encode, run. The books and the answers come out the same as with
    /// the request's own params.
    @Test func reEncodedParamsDoWhatTheRequestDid() throws {
        let asSent = StateMachine()
        let reEncoded = StateMachine()
        for (method, text, _) in Self.session {
            let params = try JSONParser.parse(text)
            let decoded = try ParamsCatalogue.decode(method: method, params: params)
            let key = try StateMachine.idempotencyKey(params)
            let again = decoded.encoded(idempotencyKey: key)
            let a = try asSent.execute(method: method, params: params, context: Self.ctx)
            let b = try reEncoded.execute(method: method, params: again, context: Self.ctx)
            #expect(a == b, "\(method)")
        }
        #expect(asSent.snapshot() == reEncoded.snapshot())
    }

    @Test func typedHandlersAnswerAsTheJSONPath() throws {
        let viaJSON = StateMachine()
        let viaTyped = StateMachine()
        for (method, text, _) in Self.session {
            let params = try JSONParser.parse(text)
            let a = try viaJSON.execute(method: method, params: params, context: Self.ctx)
            let command = try ParamsCatalogue.decode(method: method, params: params)
            let handler = try #require(Handlers.typed[method])
            let b = try handler(viaTyped.ledger, command, Self.ctx)
            #expect(a == b.json, "\(method)")
            // A posting's reply is written member by member: the same bytes as the tree's.
            if case .posting(let p) = b {
                #expect(
                    RPCResponse.serializedSuccess(id: JSON(7), posting: p)
                        == RPCResponse.serializedSuccess(id: JSON(7), result: a), "\(method)")
            }
        }
        #expect(viaJSON.ledger.state == viaTyped.ledger.state)
    }

    /// Every shape of a posting's result (each range there or null, warnings with characters to escape, replayed)
    /// written straight to bytes equals the serialized tree.
    @Test func postingResultBytesEqualTheTree() {
        var rng = SystemRandomNumberGenerator()
        let texts = ["", "bin A-01 over capacity", "quote \" and \\ backslash", "tab\tnewline\n", "Ümlaut ✓", "\u{01}"]
        func range() -> PostingResult.EntryRange? {
            if Bool.random(using: &rng) { return nil }
            let from = Int.random(in: 0...Int.max / 2, using: &rng)
            return PostingResult.EntryRange(from: from, to: from + Int.random(in: 0...1000, using: &rng))
        }
        for _ in 0..<5_000 {
            let r = PostingResult(
                registerNo: Int.random(in: 0...Int.max, using: &rng), lines: Int.random(in: 0...100_000, using: &rng),
                warehouseEntries: range(), itemLedgerEntries: range(), physInventoryEntries: range(),
                warnings: (0..<Int.random(in: 0...3, using: &rng)).map { _ in texts.randomElement(using: &rng)! },
                replayed: Bool.random(using: &rng))
            let id: JSON = Bool.random(using: &rng) ? JSON(Int.random(in: -5...5, using: &rng)) : .string("id-\u{e9}")
            let direct = RPCResponse.serializedSuccess(id: id, posting: r)
            #expect(direct == RPCResponse.serializedSuccess(id: id, result: r.encoded()))
            #expect(direct == RPCResponse.success(id: id, result: r.encoded()).serialized())
            #expect(MethodResult.posting(r).json == r.encoded())
        }
    }

    @Test func everyMethodHasAResultType() {
        for m in MethodCatalogue.all {
            #expect(ResultCatalogue.byMethod[m.name] != nil, "\(m.name) has no result type")
        }
        #expect(Set(ResultCatalogue.byMethod.keys).isSubset(of: Set(MethodCatalogue.byName.keys)))
    }

    /// The result types read whsed's answers and write them back byte for byte: whsed encodes through them, so the
    /// wire is what it was when the answers were hand-built (the Python protocol suite checks that side).
    @Test func resultTypesReadWhatWhsedAnswers() throws {
        let m = StateMachine()
        var checked = Set<String>()
        var methods = Set<String>()
        for (method, text, listed) in Self.session {
            let answer = try m.execute(method: method, params: try JSONParser.parse(text), context: Self.ctx)
            let resultType = try #require(ResultCatalogue.byMethod[method], "\(method)")
            if let listed { #expect(ObjectIdentifier(listed) == ObjectIdentifier(resultType), "\(method)") }
            func check<R: RPCResult>(_: R.Type) throws {
                let r = try R(result: answer)
                #expect(r.encoded() == answer, "\(method): \(r.encoded()) vs \(answer)")
                #expect(r.encoded().serialized() == answer.serialized(), "\(method)")
                #expect(try R(result: r.encoded()) == r, "\(method)")
            }
            try check(resultType)
            checked.insert("\(resultType)")
            methods.insert(method)
        }
        // Every method but the server's (ServerResultsRoundTrip) and entries.follow answers in the session.
        let answered = Set(
            MethodCatalogue.all.map(\.name).filter { !$0.hasPrefix("server.") && $0 != "entries.follow" })
        #expect(answered.subtracting(methods).isEmpty, "not in the session: \(answered.subtracting(methods).sorted())")
        #expect(checked.count == 25)
        // A replayed answer says so, and the type reads it.
        var replayed = try PostingResult(
            result: try m.execute(
                method: "whseItemJournal.register",
                params: try JSONParser.parse(
                    #"{"location":"WH1","lines":[{"item":"ITEM1","bin":"A-01","quantity":1}]}"#), context: Self.ctx))
        #expect(!replayed.replayed && replayed.lines == 1 && replayed.warehouseEntries != nil)
        replayed = try PostingResult(result: StateMachine.markReplayed(replayed.encoded()))
        #expect(replayed.replayed)
    }

    @Test func serverResultsRoundTrip() throws {
        let verify = ServerVerifyResult(violations: ["bin A-01 is negative"])
        #expect(!verify.ok)
        #expect(try ServerVerifyResult(result: verify.encoded()) == verify)
        let backup = ServerBackupResult(sequence: UInt64.max, format: "whsed-state-9", bytes: 3, snapshot: "AAAA")
        #expect(backup.encoded()["sequence"] == .string("18446744073709551615"))
        #expect(try ServerBackupResult(result: backup.encoded()) == backup)
        #expect(throws: RPCError.self) { try ServerBackupResult(result: .object(["sequence": 1])) }
        for checkpoint in [
            ServerCheckpointResult(sequence: 7, written: false, reason: "the newest snapshot already covers the log"),
            ServerCheckpointResult(sequence: UInt64.max, written: true, bytes: 1234, milliseconds: 5)
        ] {
            #expect(try ServerCheckpointResult(result: checkpoint.encoded()) == checkpoint)
        }
        typealias L = ServerStatusResult.Limits.Key
        var status = ServerStatusResult(
            version: "1.2.3", pid: 42, uptimeSeconds: 9, connections: 2, bufferedBytes: 100, locations: 1, bins: 2,
            items: 3, warehouseEntries: 4, itemLedgerEntries: 5, physInventoryEntries: 6, openCountJournals: 0,
            index: nil,
            log: .init(
                directory: "/var/lib/whsed", lastSequence: UInt64.max, syncs: 1, recordsWritten: 2,
                lastSyncMicroseconds: 3, maxSyncMicroseconds: 4, queued: 0, snapshotSequence: 0, checkpoints: 0,
                lastCheckpointMilliseconds: 0, diskBytes: 4096, recoveredRecords: 0, tornTailBytesDropped: 0,
                cutTail: nil, cutFiles: []),
            limits: .init(Dictionary(uniqueKeysWithValues: L.allCases.enumerated().map { ($1, $0 + 1) })))
        #expect(status.encoded()["index"] == .null && status.encoded()["log"]?["cutTail"] == .null)
        #expect(try ServerStatusResult(result: status.encoded()) == status)
        status.index = .object(["state": "ready", "fileBytes": 10])
        status.log.cutTail = .init(file: "00000001.wal", offset: 10, bytes: 3, keptIn: nil)
        status.log.cutFiles = ["00000001.wal.cut"]
        #expect(try ServerStatusResult(result: status.encoded()) == status)
        status.history = .null
        #expect(status.encoded()["history"] == .null)
        #expect(try ServerStatusResult(result: status.encoded()) == status)
        let lots = AvailabilityResult(
            location: "WH1", item: "LOT", inventory: Quantity(5), inBins: Quantity(5), adjustmentBin: .zero,
            available: Quantity(5), availableToPick: Quantity(4), reserved: Quantity(1),
            availableToReserve: Quantity(4),
            lots: [.init(lot: "L1", availableToPick: Quantity(4), availableToReserve: Quantity(3))])
        #expect(try AvailabilityResult(result: lots.encoded()) == lots)
        #expect(throws: RPCError.self) { try ServerStatusResult(result: .object(["version": "1"])) }
        let follow = EntriesFollowResult(
            siteId: "site", logEpoch: UInt64.max, afterSeq: 0, durableSeq: 12, oldestSeq: 1, heartbeatMillis: 1000,
            maxFollowerPendingBytes: 1 << 20)
        #expect(follow.encoded()["logEpoch"] == .number("18446744073709551615"))
        #expect(try EntriesFollowResult(result: follow.encoded()) == follow)
    }
}
