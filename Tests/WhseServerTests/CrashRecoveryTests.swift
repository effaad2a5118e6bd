import Testing
import Warehouse
import WhseProtocol
import WriteAheadLog

@testable import WhseCore
@testable import WhseServer

/// The ledger over the log on a simulated file system that loses power at random calls (unsynced writes dropped or
/// torn, directory entries lost without a directory fsync): after every crash the replayed books hold every
/// acknowledged posting (acknowledged ⊆ recovered), nothing that was never appended, and `verify()` finds nothing.
@Suite struct CrashRecovery {
    struct Rng {
        var s: UInt64
        mutating func next() -> UInt64 {
            s &+= 0x9E37_79B9_7F4A_7C15
            var z = s
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func int(_ r: ClosedRange<Int>) -> Int { r.lowerBound + Int(next() % UInt64(r.count)) }
    }

    static let ctx = PostingContext(user: "test", timestamp: "2026-01-01T00:00:00Z", today: "2026-01-01")
    static let setup: [(String, String)] = [
        ("location.create", #"{"code":"WH1"}"#),
        ("zone.create", #"{"location":"WH1","code":"PICK","binType":"PICK"}"#),
        ("bin.create", #"{"location":"WH1","code":"A-01","zone":"PICK"}"#),
        ("bin.create", #"{"location":"WH1","code":"A-02","zone":"PICK"}"#),
        ("item.create", #"{"no":"ITEM1","unitsOfMeasure":[{"code":"BOX","quantityPerUnitOfMeasure":6}]}"#)
    ]

    /// Applies through the writer's own path (`StateMachine.apply`); true when the record was appended.
    static func post(_ m: StateMachine, _ log: WriteAheadLog, _ method: String, _ params: String) throws -> Bool {
        var pending = StateMachine.PendingKeys()  // no idempotency keys here
        let (_, record) = try m.apply(
            method: method, params: try JSONParser.parse(params), context: ctx,
            maxOpenCountJournals: 64, pending: &pending, append: { _ = try log.append($0) })
        return record != nil
    }

    @Test(arguments: 0..<4)
    func acknowledgedPostingsSurvivePowerLoss(chunk: Int) throws {
        var crashes = 0
        var acknowledgedTotal = 0
        for seed in (chunk * 60)..<((chunk + 1) * 60) {
            var r = Rng(s: UInt64(seed) &* 7919)
            let fs = SimulatedFileSystem(seed: UInt64(seed))
            fs.sectorSize = [8, 64, 512][r.int(0...2)]
            var options = WALOptions()
            options.segmentBytes = r.int(2048...16384)
            options.preallocate = r.int(0...1) == 0
            var acknowledged: [String] = []  // document numbers whose commit returned
            var appended: Set<String> = []  // every document number ever appended
            var serial = 0
            for round in 0..<4 {
                let m = StateMachine()
                let (log, _) = try WriteAheadLog.open(
                    directory: "/state", options: options, fileSystem: fs,
                    onSnapshot: { _, payload in try m.restore(payload) }, onRecord: { _, bytes in try m.replay(bytes) })
                let docs = Set(m.ledger.state.warehouseEntries.map(\.documentNo))
                for a in acknowledged where !docs.contains(a) {
                    Issue.record("seed \(seed) round \(round): acknowledged posting \(a) lost")
                    return
                }
                for d in docs where !d.isEmpty && !appended.contains(d) {
                    Issue.record("seed \(seed) round \(round): posting \(d) was never appended")
                    return
                }
                let problems = m.ledger.verify()
                if !problems.isEmpty {
                    Issue.record("seed \(seed) round \(round): \(problems)")
                    return
                }
                if m.ledger.state.locations["WH1"] == nil {
                    for (method, params) in CrashRecovery.setup { _ = try CrashRecovery.post(m, log, method, params) }
                    try log.commit()
                }
                fs.powerFailAtCall = fs.callCount + r.int(3...400)
                do {
                    var pending: [String] = []
                    for _ in 0..<r.int(10...80) {
                        serial += 1
                        let doc = "D\(serial)"
                        let bin = r.int(0...1) == 0 ? "A-01" : "A-02"
                        let unit = r.int(0...3) == 0 ? "BOX" : "PCS"
                        let q = r.int(-6...9)
                        if q == 0 { continue }
                        let params =
                            #"{"location":"WH1","documentNo":"\#(doc)","lines":[{"item":"ITEM1","bin":"\#(bin)","quantity":\#(q),"unitOfMeasure":"\#(unit)"}]}"#
                        if try CrashRecovery.post(m, log, "whseItemJournal.register", params) {
                            appended.insert(doc)
                            pending.append(doc)
                        }
                        if r.int(0...3) == 0 {
                            try log.commit()
                            acknowledged += pending
                            pending.removeAll()
                        }
                        if r.int(0...30) == 0 {
                            try log.commit()
                            acknowledged += pending
                            pending.removeAll()
                            try log.writeSnapshot(sequence: log.lastCommittedSequence, payload: m.snapshot())
                        }
                    }
                    try log.commit()
                    acknowledged += pending
                } catch {
                    // Power failed (or a write failed): nothing more is acknowledged, exactly like whsed exiting.
                }
                crashes += 1
                fs.powerFailAtCall = nil
                fs.crashAndRestart()
            }
            acknowledgedTotal += acknowledged.count
        }
        #expect(crashes == 240 && acknowledgedTotal > 1000, "crashes \(crashes), acknowledged \(acknowledgedTotal)")
    }
}
