import Foundation
import Testing
import Warehouse
import WhseProtocol
import WriteAheadLog

@testable import WhseCore
@testable import WhseServer

/// Live, replayed and loaded states agree (issue 13). Random request sequences, sent as the wire sends them (method
/// name + JSON params), go through `StateMachine.apply` — the writer's own per-posting path — in batches with one
/// commit each, into a real log (PosixFileSystem, fsync) in a temporary folder. Afterwards the live state must equal
/// (a) the log replayed by `WriteAheadLog.open` into a fresh machine, (b) the live snapshot loaded into a fresh
/// machine, and (c) a snapshot taken live at a random batch boundary plus the rest of the log, as start-up loads it:
/// the whole `LedgerState`, the remembered idempotency keys (order and content) and the answers of the read methods.
/// Refused requests and repeated keys must leave no trace: no record, no change of state, no pending key.
///
/// A failure names its seed; `WHSED_LIVE_REPLAY_SEED=<seed>` runs that seed alone.
@Suite struct LiveReplaySnapshot {
    static let steps = 800
    static let seeds: [UInt64] = {
        if let s = ProcessInfo.processInfo.environment["WHSED_LIVE_REPLAY_SEED"], let seed = UInt64(s) { return [seed] }
        return Array(1...8)
    }()

    @Test(arguments: LiveReplaySnapshot.seeds)
    func liveReplayedAndLoadedStatesAgree(seed: UInt64) throws {
        let root = FileManager.default.temporaryDirectory
            .appendingPathComponent("whsed-live-replay-\(seed)-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        let failures = try Run(seed: seed, root: root).check()
        let rerun = "rerun with WHSED_LIVE_REPLAY_SEED=\(seed)"
        for f in failures { Issue.record("seed \(seed) (\(rerun)): \(f)") }
        if !failures.isEmpty { print("LiveReplaySnapshot: seed \(seed) FAILED; \(rerun)") }
    }
}

/// One seed's run: the live machine, its log, and what the generator knows of the state.
private final class Run {
    let seed: UInt64
    let root: String
    var gen: Generator
    let live = StateMachine()
    var failures: [String] = []
    /// Small on purpose: the open-count-journal limit, segment rotation and the record-size limit all get hit.
    let maxOpenCountJournals = 4
    var options: WALOptions = {
        var o = WALOptions()
        o.segmentBytes = 16 << 10
        o.maxRecordBytes = 4096
        o.preallocate = false
        return o
    }()
    /// Every idempotency key that succeeded, first use first: what the live machine must remember.
    var expectedKeys: [ExactText] = []
    /// Per key: the method, its canonical params and the result a repeat must answer (compacted, protocol.md 8).
    var expectedResults: [ExactText: (method: String, params: [UInt8], result: [UInt8])] = [:]
    var counts = (logged: 0, refused: 0, replayed: 0, conflicts: 0, batches: 0, twinsInBatch: 0)
    var methodsLogged: Set<String> = []

    init(seed: UInt64, root: String) {
        self.seed = seed
        self.root = root
        gen = Generator(seed: seed)
    }

    func fail(_ message: String) { if failures.count < 20 { failures.append(message) } }

    func check() throws -> [String] {
        let liveDir = root + "/live"
        let copyDir = root + "/copy"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        let (log, _) = try WriteAheadLog.open(
            directory: liveDir, options: options,
            onSnapshot: { _, _ in Issue.record("a new log has no snapshot") },
            onRecord: { _, _ in Issue.record("a new log has no records") })
        // Setup, then random batches; the midpoint snapshot is taken live between two batches, like a checkpoint.
        let setup = gen.setup()
        try batch(log, setup)
        if counts.logged != setup.count { fail("\(counts.logged) of the \(setup.count) setup requests were logged") }
        let midBatch = gen.int(0...90)
        var mid: (sequence: UInt64, payload: [UInt8])? = nil
        var step = 0
        var batchNo = 0
        while step < LiveReplaySnapshot.steps && failures.isEmpty {
            if batchNo == midBatch { mid = (log.lastCommittedSequence, live.snapshot()) }
            let n = gen.int(1...6)
            var requests: [Request] = []
            for _ in 0..<n { requests.append(gen.request(live.ledger.state)) }
            try batch(log, requests)
            step += n
            batchNo += 1
        }
        if mid == nil { mid = (log.lastCommittedSequence, live.snapshot()) }
        let total = log.lastCommittedSequence
        log.close()
        if !failures.isEmpty { return failures }
        checkLive(total: total)

        // (b) the live snapshot, loaded.
        let loaded = StateMachine()
        try loaded.restore(live.snapshot())
        compare(loaded, "snapshot loaded")

        // Copy the state folder before the first open rewrites anything: (c) starts from the copy.
        try FileManager.default.createDirectory(atPath: copyDir, withIntermediateDirectories: true)
        for name in try FileManager.default.contentsOfDirectory(atPath: liveDir) where name != "lock" {
            try FileManager.default.copyItem(atPath: liveDir + "/" + name, toPath: copyDir + "/" + name)
        }

        // (a) the whole log, replayed as start-up replays it.
        let replayed = StateMachine()
        let (reopened, report) = try WriteAheadLog.open(
            directory: liveDir, options: options, onSnapshot: { _, _ in Issue.record("no snapshot was written") },
            onRecord: { _, bytes in try replayed.replay(bytes) })
        reopened.close()
        if report.recordsReplayed != Int(total) { fail("replayed \(report.recordsReplayed) records of \(total)") }
        compare(replayed, "log replayed")

        // (c) the snapshot taken at the midpoint, written into the copied folder, then start-up: snapshot + the rest.
        let (copy, _) = try WriteAheadLog.open(
            directory: copyDir, options: options, onSnapshot: { _, _ in },
            onRecord: { _, _ in })
        try copy.writeSnapshot(sequence: mid!.sequence, payload: mid!.payload)
        copy.close()
        let started = StateMachine()
        var snapshotAt: UInt64? = nil
        let (startedLog, startReport) = try WriteAheadLog.open(
            directory: copyDir, options: options,
            onSnapshot: { sequence, payload in
                snapshotAt = sequence
                try started.restore(payload)
            },
            onRecord: { _, bytes in try started.replay(bytes) })
        startedLog.close()
        if snapshotAt != mid!.sequence || UInt64(startReport.recordsReplayed) != total - mid!.sequence {
            fail(
                "start-up loaded snapshot \(snapshotAt.map(String.init) ?? "none") and replayed "
                    + "\(startReport.recordsReplayed) records; expected snapshot \(mid!.sequence) and "
                    + "\(total - mid!.sequence) records")
        }
        compare(started, "snapshot at \(mid!.sequence) of \(total) + rest of the log")
        return failures
    }

    /// Applies a batch as the writer does: every request through `apply` under the batch's savepoint, one commit,
    /// then the batch's keys remembered.
    func batch(_ log: WriteAheadLog, _ requests: [Request]) throws {
        var pending = StateMachine.PendingKeys()
        let batchPoint = live.ledger.savepoint()
        for r in requests {
            let before = live.ledger.state
            let sequence = log.lastSequence
            let pendingBefore = pending.count
            let (outcome, record) = try live.apply(
                method: r.method, params: r.params, context: r.context,
                maxOpenCountJournals: maxOpenCountJournals, pending: &pending,
                append: { _ = try log.append($0) })
            let key = r.key.map(ExactText.init)
            let earlier = key.flatMap { expectedResults[$0] }
            // What the state machine compares under a key: the typed command re-encoded (record format 2).
            let typed = try? ParamsCatalogue.decode(method: r.method, params: r.params)
            let canonical =
                typed.map { StateMachine.canonical($0, idempotencyKey: r.key ?? "") } ?? (r.params?.serialized() ?? [])
            switch outcome {
            case .success(let result) where record != nil:
                counts.logged += 1
                methodsLogged.insert(r.method)
                if log.lastSequence != sequence + 1 {
                    fail("\(r): logged, but the log went from \(sequence) to \(log.lastSequence)")
                }
                if let earlier { fail("\(r): key \(r.key!) was used before (\(earlier.method)), yet it was executed") }
                if let key {
                    gen.logged.append(r)
                    expectedKeys.append(key)
                    expectedResults[key] = (r.method, canonical, StateMachine.compactResult(result.json).serialized())
                }
                if let record {
                    let decoded = try record.withUnsafeBytes { try StateMachine.decode($0) }
                    let logged = try? ParamsCatalogue.decode(method: decoded.0, params: decoded.1, admission: false)
                    let asked = try? ParamsCatalogue.decode(method: r.method, params: r.params)
                    let format = try JSONParser.parse(record)["v"]
                    if decoded.0 != r.method || decoded.2 != r.context || logged == nil
                        || logged?.encoded().serialized() != asked?.encoded().serialized() || format != JSON(2)
                    {
                        fail("\(r): the record does not decode to the request")
                    }
                }
                if result.json["replayed"] != nil { fail("\(r): executed, but its result says replayed") }
            case .success(let result):
                counts.replayed += 1
                noTrace(r, "replayed", before, sequence, log, pendingBefore, pending)
                guard let earlier, earlier.method == r.method, earlier.params == canonical else {
                    fail("\(r): answered as a repeat of an unknown key")
                    continue
                }
                if result.json.serialized()
                    != StateMachine.markReplayed(try JSONParser.parse(earlier.result)).serialized()
                {
                    fail("\(r): the repeat's answer differs from the original's")
                }
            case .failure(let error):
                counts.refused += 1
                noTrace(r, "refused (\(error))", before, sequence, log, pendingBefore, pending)
                let conflict = error.code == RPCError.idempotencyConflictCode
                if conflict { counts.conflicts += 1 }
                // Params are decoded before the key is looked up (protocol.md 4.5): params that do not decode are
                // invalid_params whatever the key.
                if typed == nil && conflict {
                    fail("\(r): its params do not decode, yet it was refused as an idempotency conflict")
                } else if r.keyIsValid, typed != nil, let earlier {
                    if earlier.method == r.method && earlier.params == canonical {
                        fail("\(r): repeats an earlier request with the same key, but was refused: \(error)")
                    } else if !conflict {
                        fail("\(r): reuses key \(r.key!) with other params, but was refused otherwise: \(error)")
                    }
                } else if conflict {
                    fail("\(r): idempotency conflict without an earlier use of a valid key")
                }
            }
        }
        if log.lastSequence != log.lastCommittedSequence { try log.commit() }
        live.ledger.release(batchPoint)
        live.remember(pending)
        counts.batches += 1
        // Both spellings of a key logged in one batch: the batch's own keys must be told apart by their bytes too.
        let keys = pending.list.map { Array($0.key.utf8) }
        let decomposed = Array("k-e\u{301}".utf8)
        let composed = Array("k-\u{E9}".utf8)
        for k in keys where k.starts(with: decomposed) && keys.contains(composed + k.dropFirst(decomposed.count)) {
            counts.twinsInBatch += 1
        }
    }

    func noTrace(
        _ r: Request, _ what: String, _ before: LedgerState, _ sequence: UInt64, _ log: WriteAheadLog,
        _ pendingBefore: Int, _ pending: StateMachine.PendingKeys
    ) {
        if log.lastSequence != sequence { fail("\(r): \(what), but a record was appended") }
        if pending.count != pendingBefore { fail("\(r): \(what), but its key is pending") }
        if live.ledger.state != before {
            fail("\(r): \(what), but the state changed: \(LedgerDiff.fields(before, live.ledger.state))")
        }
    }

    /// The live machine on its own: invariants, the keys it remembers, and that the generator reached far enough.
    func checkLive(total: UInt64) {
        let problems = live.ledger.verify()
        if !problems.isEmpty { fail("live ledger invariants: \(problems)") }
        let keys = live.rememberedList().map { ExactText($0.0) }
        if keys != expectedKeys {
            fail("live remembers keys \(keys.map(\.string)), expected \(expectedKeys.map(\.string))")
        }
        let notLogged = Set(MethodCatalogue.all.filter(\.mutates).map(\.name)).subtracting(methodsLogged)
        if counts.logged < 200 || counts.refused < 100 || counts.replayed < 20 || counts.conflicts < 10
            || notLogged.count > 4
        {
            fail("the generator fell short: \(counts), \(total) records, never logged \(notLogged.sorted())")
        }
    }

    /// Everything observable agrees with the live machine: state, remembered keys, read answers, and the snapshot.
    func compare(_ other: StateMachine, _ name: String) {
        let a = live.ledger.state
        let b = other.ledger.state
        if a != b { fail("\(name): the ledger state differs in \(LedgerDiff.fields(a, b))") }
        let ka = RememberedKey.list(live)
        let kb = RememberedKey.list(other)
        if ka != kb {
            let first = (0..<min(ka.count, kb.count)).first { ka[$0] != kb[$0] } ?? min(ka.count, kb.count)
            let x = ka.dropFirst(first).first?.description ?? "none"
            let y = kb.dropFirst(first).first?.description ?? "none"
            fail(
                "\(name): remembered keys differ (\(ka.count) live, \(kb.count) here; first difference at \(first): "
                    + "\(x) / \(y))")
        }
        for (method, params) in Reads.requests(a) {
            let x = Reads.answer(live, method, params)
            let y = Reads.answer(other, method, params)
            if x != y { fail("\(name): \(method) \(params.map { String(describing: $0) } ?? "") differs") }
        }
        if live.snapshot() != other.snapshot() { fail("\(name): the snapshot bytes differ") }
        let problems = other.ledger.verify()
        if !problems.isEmpty { fail("\(name): invariants: \(problems)") }
    }
}

/// One remembered idempotency key, compared by bytes.
private struct RememberedKey: Equatable, CustomStringConvertible {
    var key: [UInt8], method: String, digest: [UInt8], result: [UInt8]
    var description: String { "\(String(decoding: key, as: UTF8.self)) \(method)" }
    static func list(_ m: StateMachine) -> [RememberedKey] {
        m.rememberedList().map {
            RememberedKey(
                key: Array($0.0.utf8), method: $0.1.method, digest: $0.1.digest,
                result: $0.1.result.serialized())
        }
    }
}

/// Names the top-level fields of two states that differ, to point at the culprit.
private enum LedgerDiff {
    static func fields(_ a: LedgerState, _ b: LedgerState) -> [String] {
        let x = Mirror(reflecting: a).children
        let y = Mirror(reflecting: b).children
        return zip(x, y).compactMap { p, q in
            String(reflecting: p.value) == String(reflecting: q.value) ? nil : (p.label ?? "?")
        }
    }
}

/// Read requests whose answers must agree, and how a reader gets them (the handlers, as `ServerCore.read` calls them).
private enum Reads {
    static let context = PostingContext(user: "reader", timestamp: "2026-06-01T00:00:00Z", today: "2026-06-01")

    static func answer(_ m: StateMachine, _ method: String, _ params: JSON?) -> [UInt8] {
        do {
            return try m.execute(method: method, params: params, context: context).serialized()
        } catch {
            return error.json.serialized()
        }
    }

    static func requests(_ s: LedgerState) -> [(String, JSON?)] {
        var r: [(String, JSON?)] = [
            ("location.list", nil), ("item.list", nil), ("countingPeriod.list", nil), ("reservation.list", nil),
            ("whsePhysInventory.list", nil), ("physInventory.list", nil), ("itemJournal.get", nil),
            ("countingPeriod.due", .object(["date": .string("2026-12-31")]))
        ]
        for kind in ["entries.warehouse", "entries.item", "entries.physInventory"] {
            r.append((kind, .object(["limit": JSON(EntryFilter.maxLimit)])))
        }
        for b in s.bins.values.sorted(by: { ($0.location, $0.code) < ($1.location, $1.code) }) {
            r.append(
                (
                    "bin.contents",
                    .object([
                        "location": .string(b.location), "bin": .string(b.code),
                        "includeZero": .bool(true)
                    ])
                ))
        }
        for item in s.items.keys.sorted() {
            r.append(("item.availability", .object(["item": .string(item)])))
            r.append(("item.bins", .object(["item": .string(item), "includeZero": .bool(true)])))
        }
        for j in s.whseCountJournals.keys.sorted() {
            r.append(("whsePhysInventory.get", .object(["journal": .string(j)])))
        }
        for j in s.physInventoryJournals.keys.sorted() {
            r.append(("physInventory.get", .object(["journal": .string(j)])))
        }
        return r
    }
}

/// A request as it arrives: method, params and the context stamped at acceptance.
private struct Request: CustomStringConvertible {
    var method: String
    var params: JSON?
    var context: PostingContext
    var key: String? {
        if case .string(let k)? = params?["idempotencyKey"] { return k }
        return nil
    }
    var keyIsValid: Bool { key.map { !$0.isEmpty && $0.utf8.count <= StateMachine.maxIdempotencyKeyBytes } ?? false }
    var description: String {
        var p = String(decoding: params?.serialized() ?? [], as: UTF8.self)
        if p.count > 300 { p = String(p.prefix(300)) + "…" }
        return "\(method) \(p)"
    }
}

/// Random requests over most mutating methods, with wrong ones mixed in (unknown bins, items, lots, params and
/// methods; over-limit records; bad keys), idempotency keys, exact repeats and conflicting reuses of keys.
private struct Generator {
    var rng: SplitMix64
    var clock = 0
    /// Keyed requests sent so far, and those of them that were logged, to repeat exactly or to reuse the key of.
    var keyed: [Request] = []
    var logged: [Request] = []
    /// A key canonically equivalent to the last one but spelled with other bytes, for the next request.
    var twin: String? = nil

    init(seed: UInt64) { rng = SplitMix64(state: seed &* 0x2545_F491_4F6C_DD1D) }

    mutating func int(_ r: ClosedRange<Int>) -> Int { Int.random(in: r, using: &rng) }
    mutating func chance(_ oneIn: Int) -> Bool { int(0...(oneIn - 1)) == 0 }
    mutating func pick<T>(_ a: [T]) -> T { a[int(0...(a.count - 1))] }

    /// The acceptance context: two users, a clock that moves, the date changing now and then, and (rarely) the first
    /// ledger rules, as a record from an older build carries them.
    mutating func context() -> PostingContext {
        clock += int(1...90)
        let day = 1 + clock / 4000
        let t = String(format: "2026-03-%02dT%02d:%02d:%02dZ", day, clock / 3600 % 24, clock / 60 % 60, clock % 60)
        return PostingContext(
            user: pick(["alice", "bob"]), timestamp: t, today: String(format: "2026-03-%02d", day),
            rules: chance(12) ? 1 : PostingContext.currentRules)
    }

    func obj(_ pairs: [String: JSON?]) -> JSON { .object(pairs.compactMapValues { $0 }) }
    func s(_ v: String?) -> JSON? { v.map { .string($0) } }

    mutating func quantity(_ item: String, signed: Bool = false) -> JSON {
        var text: String
        if item == "I4" || item.hasPrefix("N") && item.hasSuffix("S") {
            text = chance(15) ? "2" : "1"
        } else {
            switch int(0...9) {
            case 0...6: text = String(int(1...20))
            case 7, 8: text = pick(["0.5", "2.5", "0.75", "1.25", "12.125", "0.001", "3.3"])
            default: text = String(int(50...500))
            }
        }
        if chance(40) { text = pick(["0", "-0", "abc", "1e400"]) }
        if signed && chance(3) { text = "-" + text }
        return .number(text)
    }

    static let items = ["I1", "I2", "I3", "I4", "I5", "I6"]
    mutating func item() -> String { chance(25) ? pick(["NOPE", "N1L", "N2S"]) : pick(Generator.items) }
    mutating func unit(_ item: String) -> String? {
        switch item {
        case "I1": return pick([nil, "PCS", "BOX", "PACK"])
        case "I2": return pick([nil, "KG", "G"])
        case "I3", "I5": return pick([nil, "PCS", "BOX", chance(5) ? "PACK" : "BOX"])
        default: return chance(20) ? "BOX" : nil
        }
    }
    mutating func lot(_ item: String) -> String? {
        if chance(25) { return pick([nil, "LX"]) }
        switch item {
        case "I3", "N1L": return pick(["L1", "L2", "L3"])
        case "I6": return pick(["E1", "E2"])
        default: return nil
        }
    }
    mutating func serial(_ item: String) -> String? {
        if chance(25) { return pick([nil, "SX"]) }
        return item == "I4" || item == "N2S" ? pick(["S1", "S2", "S3", "S4"]) : nil
    }
    mutating func expiration(_ item: String, _ lot: String?) -> String? {
        guard item == "I6", let lot else { return chance(30) ? "2027-01-01" : nil }
        return chance(20) ? "2027-12-31" : (lot == "E1" ? "2027-01-01" : "2027-06-30")
    }
    mutating func dirBin() -> String {
        pick(["A1", "A2", "A3", "R1", "B9", chance(8) ? "ADJ" : "A1", chance(10) ? "NOBIN" : "A2"])
    }
    mutating func location() -> String { pick(["DIR", "BAS", "PLN", "CNV", chance(20) ? "NOWHERE" : "PLN"]) }
    mutating func bin(at loc: String) -> String? {
        switch loc {
        case "BAS": return pick(["S1", "S2", "S3"])
        case "DIR": return dirBin()
        default: return chance(10) ? "S1" : nil
        }
    }
    mutating func date() -> String? { chance(6) ? pick(["2026-02-28", "2026-04-01", "2026-13-01"]) : nil }

    /// A bin content with stock at a location (not in its adjustment bin), picked in a replayable order.
    mutating func stock(_ state: LedgerState, at loc: String) -> (ContentKey, Quantity)? {
        let adjustment = state.locations[loc]?.adjustmentBin
        let keys = state.contents
            .filter { $0.key.location == loc && $0.key.bin != adjustment && $0.value.quantity.isPositive }.map(\.key)
            .sorted()
        guard !keys.isEmpty else { return nil }
        let k = pick(keys)
        return (k, state.contents[k]!.quantity)
    }

    func make(_ method: String, _ params: JSON?, _ ctx: PostingContext) -> Request {
        Request(method: method, params: params, context: ctx)
    }

    /// The master data and some stock, through the same path.
    mutating func setup() -> [Request] {
        let c = PostingContext(user: "admin", timestamp: "2026-03-01T00:00:00Z", today: "2026-03-01")
        func r(_ m: String, _ p: String) -> Request { Request(method: m, params: try! JSONParser.parse(p), context: c) }
        return [
            r("location.create", #"{"code":"DIR","binCapacityPolicy":"prohibitMore"}"#),
            r("zone.create", #"{"location":"DIR","code":"PICK","binType":"PICK"}"#),
            r("zone.create", #"{"location":"DIR","code":"RCV","binType":"RECEIVE"}"#),
            r("bin.create", #"{"location":"DIR","code":"A1","zone":"PICK"}"#),
            r("bin.create", #"{"location":"DIR","code":"A2","zone":"PICK"}"#),
            r("bin.create", #"{"location":"DIR","code":"A3","zone":"PICK","maximumCubage":300}"#),
            r("bin.create", #"{"location":"DIR","code":"R1","zone":"RCV"}"#),
            r("location.create", #"{"code":"BAS","kind":"basic"}"#),
            r("bin.create", #"{"location":"BAS","code":"S1"}"#),
            r("bin.create", #"{"location":"BAS","code":"S2"}"#),
            r("location.create", #"{"code":"PLN","kind":"plain"}"#),
            r("location.create", #"{"code":"CNV","kind":"plain","name":"to convert"}"#),
            r(
                "item.create",
                #"{"no":"I1","unitsOfMeasure":[{"code":"PCS","cubage":1},"#
                    + #"{"code":"BOX","quantityPerUnitOfMeasure":12,"cubage":12},"#
                    + #"{"code":"PACK","quantityPerUnitOfMeasure":2.5}]}"#),
            r(
                "item.create",
                #"{"no":"I2","baseUnitOfMeasure":"KG","#
                    + #""unitsOfMeasure":[{"code":"G","quantityPerUnitOfMeasure":0.001}]}"#),
            r(
                "item.create",
                #"{"no":"I3","tracking":{"lot":true},"unitsOfMeasure":["#
                    + #"{"code":"PCS","roundingPrecision":0.01},{"code":"BOX","quantityPerUnitOfMeasure":6}]}"#),
            r("item.create", #"{"no":"I4","tracking":{"serial":true}}"#),
            r(
                "item.create",
                #"{"no":"I5","unitsOfMeasure":[{"code":"PCS","roundingPrecision":1},"#
                    + #"{"code":"BOX","quantityPerUnitOfMeasure":3}]}"#),
            r("item.create", #"{"no":"I6","tracking":{"lot":true,"expirationRequired":true},"description":"dated"}"#),
            r("countingPeriod.create", #"{"code":"MONTH","countFrequencyPerYear":12}"#),
            r(
                "itemJournal.post",
                #"""
                {"documentNo":"OPEN","lines":[
                  {"entryType":"purchase","location":"PLN","item":"I1","quantity":50},
                  {"entryType":"purchase","location":"PLN","item":"I3","quantity":40,
                   "tracking":[{"lot":"L1","quantity":20},{"lot":"L2","quantity":20}]},
                  {"entryType":"purchase","location":"PLN","item":"I4","quantity":1,"serial":"S1"},
                  {"entryType":"purchase","location":"BAS","bin":"S1","item":"I1","quantity":30},
                  {"entryType":"purchase","location":"BAS","bin":"S2","item":"I3","quantity":10,"lot":"L1"},
                  {"entryType":"purchase","location":"CNV","item":"I1","quantity":7},
                  {"entryType":"purchase","location":"DIR","item":"I3","quantity":30,"lot":"L3"}]}
                """#),
            r(
                "whseItemJournal.register",
                #"""
                {"location":"DIR","lines":[{"item":"I3","bin":"A1","quantity":30,"lot":"L3"},
                  {"item":"I1","bin":"A2","quantity":24},
                  {"item":"I6","bin":"A1","quantity":5,"lot":"E1","expirationDate":"2027-01-01"}]}
                """#),
            r("binContent.setup", #"{"location":"DIR","bin":"A2","item":"I2","maxQuantity":30}"#)
        ]
    }

    /// The next request: now and then an exact repeat of an earlier keyed request (mostly of one that was logged) or
    /// a reuse of an earlier key with another request, else a fresh request, a fifth of them with a new key.
    mutating func request(_ state: LedgerState) -> Request {
        let ctx = context()
        if !keyed.isEmpty && chance(10) {
            var again = !logged.isEmpty && !chance(4) ? pick(logged) : pick(keyed)
            again.context = ctx  // a retry is stamped anew
            return again
        }
        var r = fresh(state, ctx)
        guard case .object(var o)? = r.params else { return r }
        if let t = twin {
            o["idempotencyKey"] = .string(t)
            twin = nil
        } else {
            switch int(0...39) {
            case 0...1 where !keyed.isEmpty:
                o["idempotencyKey"] = pick(keyed).params?["idempotencyKey"]
            case 2...9:
                // A few keys come from a small pool; "é" precomposed and decomposed are two keys (compared by bytes).
                o["idempotencyKey"] = .string(chance(4) ? pick(["k-\u{E9}", "k-e\u{301}", "k-a", "k-b"]) : "k\(clock)")
            case 10:
                // The next request, often in the same batch, gets the twin spelling of this key.
                o["idempotencyKey"] = .string("k-\u{E9}\(clock)")
                twin = "k-e\u{301}\(clock)"
            case 11:
                o["idempotencyKey"] = pick([.string(""), .string(String(repeating: "x", count: 129)), JSON(7)])
            default:
                break
            }
        }
        r.params = .object(o)
        if r.keyIsValid { keyed.append(r) }
        return r
    }

    mutating func fresh(_ state: LedgerState, _ ctx: PostingContext) -> Request {
        switch int(0...29) {
        case 0...3:
            let lines: [JSON] = (0..<int(1...3)).map { _ in
                let it = item()
                let l = lot(it)
                return obj([
                    "item": .string(it), "bin": .string(dirBin()), "quantity": quantity(it, signed: true),
                    "unitOfMeasure": s(unit(it)), "lot": s(l), "serial": s(serial(it)),
                    "expirationDate": s(expiration(it, l)), "zone": chance(15) ? .string("PICK") : nil
                ])
            }
            let loc = chance(12) ? pick(["BAS", "CNV"]) : "DIR"
            return make(
                "whseItemJournal.register",
                obj([
                    "location": .string(loc), "lines": .array(lines),
                    "documentNo": s(chance(3) ? "W\(clock)" : nil),
                    "registeringDate": s(date())
                ]), ctx)
        case 4, 5:
            if !chance(3), let (k, q) = stock(state, at: "DIR") {
                // Move (part of) a bin content that is there.
                let line = obj([
                    "item": .string(k.item), "fromBin": .string(k.bin), "toBin": .string(dirBin()),
                    "quantity": chance(2) ? q.json : JSON(1), "unitOfMeasure": .string(k.unitOfMeasure),
                    "lot": s(k.lot.isEmpty ? nil : k.lot), "serial": s(k.serial.isEmpty ? nil : k.serial),
                    "newLot": s(!k.lot.isEmpty && chance(3) ? lot(k.item) : nil)
                ])
                return make(
                    "whseReclassJournal.register", obj(["location": .string("DIR"), "lines": .array([line])]),
                    ctx)
            }
            let it = item()
            let l = lot(it)
            let line = obj([
                "item": .string(it), "fromBin": .string(dirBin()), "toBin": .string(dirBin()),
                "quantity": quantity(it), "unitOfMeasure": s(unit(it)), "lot": s(l),
                "serial": s(serial(it)),
                "newLot": s(chance(3) ? lot(it) : nil), "newSerial": s(chance(3) ? serial(it) : nil),
                "newExpirationDate": s(it == "I6" && chance(3) ? "2027-09-09" : nil)
            ])
            return make("whseReclassJournal.register", obj(["location": .string("DIR"), "lines": .array([line])]), ctx)
        case 6...9:
            let lines: [JSON] = (0..<int(1...2)).map { _ in
                let loc = chance(5) ? location() : pick(["BAS", "PLN", "CNV"])
                let it = item()
                let type = pick([
                    "purchase", "sale", "positiveAdjmt", "negativeAdjmt",
                    chance(10) ? "movement" : "sale"
                ])
                var line: [String: JSON?] = [
                    "entryType": .string(type), "location": .string(loc), "bin": s(bin(at: loc)), "item": .string(it),
                    "quantity": quantity(it, signed: chance(5)), "unitOfMeasure": s(unit(it)), "postingDate": s(date())
                ]
                if (it == "I3" || it == "I6") && chance(3) {
                    let a = int(1...9)
                    let b = int(1...9)
                    line["quantity"] = JSON(a + b)
                    let lots = it == "I3" ? ["L1", "L2"] : ["E1", "E2"]
                    let e0 = expiration(it, lots[0])
                    let e1 = expiration(it, lots[1])
                    line["tracking"] = .array([
                        obj(["lot": .string(lots[0]), "quantity": JSON(a), "expirationDate": s(e0)]),
                        obj(["lot": .string(lots[1]), "quantity": JSON(b), "expirationDate": s(e1)])
                    ])
                } else if it == "I4" && chance(4) {
                    line["quantity"] = JSON(2)
                    line["tracking"] = .array([
                        obj(["serial": .string("S3"), "quantity": JSON(1)]),
                        obj(["serial": .string(pick(["S4", "S3"])), "quantity": JSON(1)])
                    ])
                } else {
                    let l = lot(it)
                    line["lot"] = s(l)
                    line["serial"] = s(serial(it))
                    line["expirationDate"] = s(expiration(it, l))
                }
                return obj(line)
            }
            let doc = chance(2) ? "D\(clock)" : nil
            return make("itemJournal.post", obj(["lines": .array(lines), "documentNo": s(doc)]), ctx)
        case 10:
            return make(
                "itemJournal.calculateWhseAdjustment",
                obj([
                    "location": s(pick(["DIR", "DIR", "CNV", "BAS"])), "item": s(chance(2) ? item() : nil),
                    "batch": s(chance(5) ? "B2" : nil),
                    "documentNo": s(chance(3) ? "ADJ\(clock)" : nil)
                ]), ctx)
        case 11:
            if chance(6) { return make("itemJournal.delete", obj(["batch": s(chance(3) ? "B2" : nil)]), ctx) }
            return make("itemJournal.post", obj(["batch": .string(chance(5) ? "B2" : "DEFAULT")]), ctx)
        case 12:
            if !chance(3), let (k, q) = stock(state, at: "BAS") {
                let to = pick(["BAS", "PLN"])
                let line = obj([
                    "item": .string(k.item), "location": .string("BAS"), "bin": .string(k.bin),
                    "newLocation": .string(to), "newBin": s(to == "BAS" ? pick(["S1", "S2"]) : nil),
                    "quantity": chance(2) ? q.json : JSON(1), "unitOfMeasure": .string(k.unitOfMeasure),
                    "lot": s(k.lot.isEmpty ? nil : k.lot), "serial": s(k.serial.isEmpty ? nil : k.serial),
                    "newLot": s(!k.lot.isEmpty && chance(3) ? lot(k.item) : nil)
                ])
                return make("itemReclassJournal.post", obj(["lines": .array([line])]), ctx)
            }
            let from = pick(["BAS", "PLN", "CNV"])
            let to = pick(["BAS", "PLN", "CNV"])
            let it = item()
            let line = obj([
                "item": .string(it), "location": .string(from), "bin": s(bin(at: from)),
                "newLocation": .string(to), "newBin": s(bin(at: to)), "quantity": quantity(it),
                "unitOfMeasure": s(unit(it)), "lot": s(lot(it)), "serial": s(serial(it)),
                "newLot": s(chance(3) ? lot(it) : nil)
            ])
            return make("itemReclassJournal.post", obj(["lines": .array([line])]), ctx)
        case 13, 14:
            if !state.reservations.isEmpty && chance(2) {
                let no = chance(6) ? state.lastReservationNo + 1 : pick(state.reservations.keys.sorted())
                return make("reservation.cancel", obj(["reservation": JSON(no)]), ctx)
            }
            let it = item()
            return make(
                "reservation.create",
                obj([
                    "location": .string(location()), "item": .string(it),
                    "quantity": quantity(it), "unitOfMeasure": s(unit(it)),
                    "lot": s(chance(2) ? lot(it) : nil),
                    "source": .string("SO\(clock)")
                ]), ctx)
        case 15, 16:
            let journal = pick(["C1", "C2"])
            if state.whseCountJournals[journal] == nil || chance(5) {
                return make(
                    "whsePhysInventory.calculate",
                    obj([
                        "location": .string(chance(8) ? "CNV" : "DIR"), "journal": .string(journal),
                        "includeZero": chance(2) ? .bool(true) : nil, "blind": chance(4) ? .bool(true) : nil,
                        "countingPeriodDue": chance(5) ? .bool(true) : nil, "item": s(chance(5) ? item() : nil),
                        "zone": s(chance(8) ? "PICK" : nil), "bin": s(chance(8) ? "A1" : nil)
                    ]), ctx)
            }
            return make(
                pick(["whsePhysInventory.register", "whsePhysInventory.register", "whsePhysInventory.delete"]),
                obj(["journal": .string(journal)]), ctx)
        case 17, 18:
            let journal = state.whseCountJournals.keys.sorted().first.flatMap { chance(6) ? nil : $0 } ?? "C2"
            var counts: [JSON] = []
            if let j = state.whseCountJournals[journal], !j.lines.isEmpty, chance(2) {
                let line = pick(j.lines)
                counts.append(obj(["lineNo": JSON(line.lineNo), "quantity": quantity(line.item)]))
            } else {
                let it = item()
                let l = lot(it)
                counts.append(
                    obj([
                        "bin": .string(dirBin()), "item": .string(it), "quantity": quantity(it), "lot": s(l),
                        "serial": s(serial(it)), "expirationDate": s(expiration(it, l)),
                        "unitOfMeasure": s(unit(it))
                    ]))
            }
            return make(
                "whsePhysInventory.recordCounts", obj(["journal": .string(journal), "counts": .array(counts)]),
                ctx)
        case 19:
            let journal = state.whseCountJournals.keys.sorted().first.flatMap { chance(6) ? nil : $0 } ?? "C1"
            var lines: JSON? = nil
            if let j = state.whseCountJournals[journal], !j.lines.isEmpty, chance(2) {
                lines = .array([JSON(pick(j.lines).lineNo)])
            }
            return make("whsePhysInventory.recalculate", obj(["journal": .string(journal), "lines": lines]), ctx)
        case 20, 21:
            let loc = pick(["BAS", "PLN", "CNV", "DIR"])
            let journal = "P" + loc
            if state.physInventoryJournals[journal] == nil {
                return make(
                    "physInventory.calculate",
                    obj([
                        "location": .string(loc), "journal": .string(journal),
                        "includeZero": chance(2) ? .bool(true) : nil,
                        "item": s(chance(5) ? item() : nil), "countingPeriodDue": chance(6) ? .bool(true) : nil
                    ]), ctx)
            }
            guard let j = state.physInventoryJournals[journal], !j.lines.isEmpty, chance(3) else {
                return make(
                    pick([
                        "physInventory.post", "physInventory.post", "physInventory.delete",
                        "physInventory.recalculate"
                    ]), obj(["journal": .string(journal)]), ctx)
            }
            let count: JSON
            if chance(2) {
                let line = pick(j.lines)
                count = obj(["lineNo": JSON(line.lineNo), "quantity": quantity(line.item)])
            } else {
                let it = item()
                count = obj([
                    "bin": s(bin(at: loc)), "item": .string(it), "quantity": quantity(it), "lot": s(lot(it)),
                    "serial": s(serial(it))
                ])
            }
            return make(
                "physInventory.recordCounts", obj(["journal": .string(journal), "counts": .array([count])]),
                ctx)
        case 22:
            return make(
                "binContent.setup",
                obj([
                    "location": .string("DIR"), "bin": .string(dirBin()), "item": .string(item()),
                    "minQuantity": chance(2) ? JSON(int(0...5)) : nil,
                    "maxQuantity": chance(2) ? JSON(int(0...60)) : nil,
                    "fixed": chance(2) ? .bool(chance(2)) : nil, "default": chance(3) ? .bool(chance(2)) : nil
                ]), ctx)
        case 23:
            return make(
                "item.setCountingPeriod",
                obj([
                    "item": .string(item()),
                    "countingPeriod": chance(4) ? .null : .string(chance(8) ? "WEEK" : "MONTH"),
                    "date": s(pick([nil, "2026-02-15", "2026-01-01", "2026-04-30"]))
                ]), ctx)
        case 24:
            let it = pick(["I3", "I4", "I6", "I1"])
            return make(
                "itemTracking.setBlocked",
                obj([
                    "item": .string(it), "lot": s(it == "I4" ? nil : lot(it)),
                    "serial": s(it == "I4" ? serial(it) : nil),
                    "blocked": chance(15) ? nil : .bool(chance(3))
                ]), ctx)
        case 25:
            return make(
                "location.update",
                obj([
                    "code": .string(pick(["DIR", "BAS", "PLN", "NOWHERE"])),
                    "binCapacityPolicy": s(chance(2) ? pick(["never", "allowMore", "prohibitMore", "sometimes"]) : nil),
                    "allowNegativeInventory": chance(4) ? .bool(chance(2)) : nil,
                    "name": s(chance(3) ? "N\(clock)" : nil),
                    "checkWarehouseClass": chance(6) ? .bool(false) : nil
                ]), ctx)
        case 26:
            let (loc, b) = pick([
                ("DIR", "A1"), ("DIR", "A2"), ("DIR", "A3"), ("BAS", "S1"), ("DIR", "ADJ"),
                ("DIR", "B9")
            ])
            return make(
                "bin.update",
                obj([
                    "location": .string(loc), "code": .string(b),
                    "blockMovement": s(chance(2) ? pick(["none", "none", "inbound", "outbound", "all"]) : nil),
                    "maximumCubage": chance(4) ? JSON(pick([0, 100, 300, 5000])) : nil,
                    "description": s(chance(3) ? "bin \(clock)" : nil)
                ]), ctx)
        case 27, 28:
            switch int(0...5) {
            case 0:
                let no = pick(["N1L", "N2S", "N3", "I1"])
                let tracking: JSON? =
                    no == "N1L"
                    ? obj(["lot": .bool(true)])
                    : no == "N2S" ? obj(["serial": .bool(true)]) : nil
                return make(
                    "item.create",
                    obj([
                        "no": .string(no), "tracking": tracking,
                        "unitsOfMeasure": chance(2)
                            ? .array([
                                obj([
                                    "code": .string("BOX"),
                                    "quantityPerUnitOfMeasure": JSON(int(2...10))
                                ])
                            ]) : nil
                    ]), ctx)
            case 1:
                return make(
                    "bin.create",
                    obj([
                        "location": .string(pick(["DIR", "BAS", "CNV"])),
                        "code": .string(pick(["B9", "S3", "A1"])),
                        "zone": s(chance(2) ? pick(["PICK", "RCV", "ADJUSTMENT"]) : nil)
                    ]),
                    ctx)
            case 2:
                return make(
                    "zone.create",
                    obj([
                        "location": .string(pick(["DIR", "CNV", "BAS"])),
                        "code": .string(pick(["BULK", "PICK"])), "binType": s("PUTPICK")
                    ]),
                    ctx)
            case 3:
                return make(
                    "countingPeriod.create",
                    obj([
                        "code": .string(pick(["WEEK", "MONTH"])),
                        "countFrequencyPerYear": JSON(pick([52, 0, 400]))
                    ]), ctx)
            case 4:
                return make(
                    "location.create",
                    obj([
                        "code": .string(pick(["PLN", "X\(int(1...3))"])),
                        "kind": s(pick(["plain", "basic", "directed", "odd"]))
                    ]), ctx)
            default:
                return make("location.convertToDirected", obj(["code": .string(pick(["CNV", "BAS"]))]), ctx)
            }
        case 29 where !chance(4):
            // Malformed requests: an unknown method, an unknown param, a missing one, a wrong type.
            switch int(0...3) {
            case 0:
                return make(pick(["item.delete", "server.status", "location.get"]), obj(["code": .string("DIR")]), ctx)
            case 1:
                return make(
                    "reservation.create",
                    obj([
                        "location": .string("PLN"), "item": .string("I1"),
                        "quantity": JSON(1), "colour": .string("red")
                    ]), ctx)
            case 2: return make("whseItemJournal.register", obj(["location": .string("DIR")]), ctx)
            default: return make("itemJournal.post", .array([]), ctx)
            }
        default:
            // A record over `maxRecordBytes`: refused by the log, rolled back.
            let line = obj([
                "item": .string("I1"), "bin": .string("A1"), "quantity": JSON(1),
                "unitOfMeasure": .string("PCS"), "zone": .string("PICK")
            ])
            let lines = [JSON](repeating: line, count: 60)
            return make("whseItemJournal.register", obj(["location": .string("DIR"), "lines": .array(lines)]), ctx)
        }
    }
}

/// SplitMix64: deterministic, so a seed replays.
private struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
