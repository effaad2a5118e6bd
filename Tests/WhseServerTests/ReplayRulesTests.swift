import Testing
import Warehouse
import WhseProtocol

@testable import WhseCore
@testable import WhseServer

/// A logged record replays under the rules and limits it was accepted under, whatever this build admits today
/// (issue 12 items 3 and 5).
@Suite struct ReplayRules {
    static let setup: [(String, String)] = [
        ("location.create", #"{"code":"WH1"}"#),
        ("zone.create", #"{"location":"WH1","code":"PICK","binType":"PICK"}"#),
        ("bin.create", #"{"location":"WH1","code":"A-01","zone":"PICK"}"#),
        ("item.create", #"{"no":"ITEM1"}"#)
    ]

    static func replay(_ m: StateMachine, _ method: String, _ params: String, rules: Int) throws {
        let ctx = PostingContext(user: "t", timestamp: "2026-01-01T00:00:00Z", today: "2026-01-01", rules: rules)
        let bytes = StateMachine.record(method: method, params: try JSONParser.parse(params), context: ctx)
        try bytes.withUnsafeBytes { try m.replay($0) }
    }

    static func machine() throws -> StateMachine {
        let m = StateMachine()
        for (method, params) in setup { try replay(m, method, params, rules: PostingContext.currentRules) }
        return m
    }

    static let saleWithoutStock = #"{"lines":[{"entryType":"sale","location":"WH1","item":"ITEM1","quantity":10}]}"#

    @Test func aRecordOfTheFirstRulesReplaysAsItWasPosted() throws {
        let m = try ReplayRules.machine()
        try ReplayRules.replay(m, "itemJournal.post", ReplayRules.saleWithoutStock, rules: 1)
        #expect(m.ledger.state.itemLedgerTotals[ItemLocationKey("ITEM1", "WH1")] == Quantity(-10))
    }

    @Test func theSameRecordUnderTodaysRulesIsRefused() throws {
        let m = try ReplayRules.machine()
        #expect(throws: RPCError.self) {
            try ReplayRules.replay(
                m, "itemJournal.post", ReplayRules.saleWithoutStock, rules: PostingContext.currentRules)
        }
    }

    @Test func aRecordWithoutRulesIsReadAsTheFirstRules() throws {
        let old =
            #"{"c":{"d":"2026-01-01","t":"2026-01-01T00:00:00Z","u":"t"},"m":"itemJournal.post","p":"#
            + ReplayRules.saleWithoutStock + "}"
        let (_, _, ctx) = try Array(old.utf8).withUnsafeBytes { try StateMachine.decode($0) }
        #expect(ctx.rules == 1)
        let now = StateMachine.record(
            method: "x", params: nil, context: PostingContext(user: "", timestamp: "", today: ""))
        let (_, _, back) = try now.withUnsafeBytes { try StateMachine.decode($0) }
        #expect(back.rules == PostingContext.currentRules)
    }

    @Test func aRecordFromNewerRulesIsRefused() throws {
        let m = try ReplayRules.machine()
        #expect(throws: (any Error).self) {
            try ReplayRules.replay(m, "item.create", #"{"no":"X"}"#, rules: PostingContext.currentRules + 1)
        }
    }

    @Test func admissionLimitsAreNotAppliedAtReplay() throws {
        let saved = Handlers.maxJournalLines
        defer { Handlers.maxJournalLines = saved }
        Handlers.maxJournalLines = 3
        let m = try ReplayRules.machine()
        let line = #"{"item":"ITEM1","bin":"A-01","quantity":1}"#
        let params = #"{"location":"WH1","lines":["# + Array(repeating: line, count: 5).joined(separator: ",") + "]}"
        // Live, the request is over the limit…
        #expect(throws: RPCError.self) {
            _ = try m.execute(
                method: "whseItemJournal.register", params: try JSONParser.parse(params),
                context: PostingContext(user: "t", timestamp: "", today: "2026-01-01"))
        }
        // …but a record accepted under a higher limit replays.
        try ReplayRules.replay(m, "whseItemJournal.register", params, rules: PostingContext.currentRules)
        #expect(m.ledger.state.contents[ContentKey("WH1", "A-01", "ITEM1", "PCS")]?.quantity == Quantity(5))
        // An idempotency key longer than today's limit replays too.
        let key = String(repeating: "k", count: StateMachine.maxIdempotencyKeyBytes + 1)
        try ReplayRules.replay(m, "item.create", #"{"no":"Y","idempotencyKey":""# + key + #""}"#, rules: 2)
        #expect(m.ledger.state.items["Y"] != nil)
    }

    @Test func codeCharactersAreCheckedAtAdmissionOnly() throws {
        let m = try ReplayRules.machine()
        let zw = #"{"no":"A\u200bB"}"#
        #expect(throws: RPCError.self) {
            _ = try m.execute(
                method: "item.create", params: try JSONParser.parse(zw),
                context: PostingContext(user: "t", timestamp: "", today: "2026-01-01"))
        }
        try ReplayRules.replay(m, "item.create", zw, rules: 1)
        #expect(m.ledger.state.items["A\u{200B}B"] != nil)
    }

    /// A snapshot of state version 3 or older, written before record format 2, remembered a key with the params as
    /// received and the whole result; a retry of the same request after the upgrade is still replayed, and other
    /// params are still a conflict.
    @Test func aKeyRememberedAsReceivedStillAnswersItsRetry() throws {
        let m = try ReplayRules.machine()
        let raw = #"{"idempotencyKey":"k1","lines":[{"bin":"A-01","item":"ITEM1","quantity":"5.0"}],"location":"WH1"}"#
        let params = try JSONParser.parse(raw)
        let ctx = PostingContext(user: "t", timestamp: "2026-01-01T00:00:00Z", today: "2026-01-01")
        let result = try m.execute(method: "whseItemJournal.register", params: params, context: ctx)
        // State version 3's layout: the state, then per key its text, method, params as received and result.
        var w = SnapshotWriter()
        w.layoutVersion = 3
        m.ledger.state.encode(into: &w)
        w.uint(1)
        w.string("k1")
        w.string("whseItemJournal.register")
        w.bytes(params.serialized())
        w.bytes(result.serialized())
        let restored = StateMachine()
        try restored.restore(w.finish(version: 3))
        var pending = StateMachine.PendingKeys()
        let (again, record) = try restored.apply(
            method: "whseItemJournal.register", params: params, context: ctx, maxOpenCountJournals: 64,
            pending: &pending, append: { _ in Issue.record("a repeat was logged") })
        #expect(record == nil)
        #expect(try again.get().json["replayed"] == .bool(true))
        let other = try JSONParser.parse(raw.replacingOccurrences(of: "5.0", with: "6"))
        let (conflict, _) = try restored.apply(
            method: "whseItemJournal.register", params: other, context: ctx, maxOpenCountJournals: 64,
            pending: &pending, append: { _ in Issue.record("a conflict was logged") })
        guard case .failure(let e) = conflict else {
            Issue.record("other params under k1 were accepted")
            return
        }
        #expect(e.code == RPCError.idempotencyConflictCode)
    }
}
