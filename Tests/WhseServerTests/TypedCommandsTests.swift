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
        ("item.setCountingPeriod", #"{"item":"ITEM1","countingPeriod":null}"#, nil)
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
            #expect(a == b, "\(method)")
        }
        #expect(viaJSON.ledger.state == viaTyped.ledger.state)
    }

    /// The result types read whsed's answers, and write them back member for member.
    @Test func resultTypesReadWhatWhsedAnswers() throws {
        let m = StateMachine()
        var checked = Set<String>()
        for (method, text, resultType) in Self.session {
            let answer = try m.execute(method: method, params: try JSONParser.parse(text), context: Self.ctx)
            guard let resultType else { continue }
            func check<R: RPCResult>(_: R.Type) throws {
                let r = try R(result: answer)
                #expect(r.encoded() == answer, "\(method): \(r.encoded()) vs \(answer)")
                #expect(try R(result: r.encoded()) == r)
            }
            try check(resultType)
            checked.insert("\(resultType)")
        }
        #expect(checked.count == 8)
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
    }
}
