import Foundation
import Testing

@testable import WriteAheadLog

#if canImport(Glibc)
    import Glibc
#endif

/// Crash and I/O-fault simulation on `SimulatedFileSystem` (RELIABILITY B.6 step 2, T1–T3, T8).
struct FaultInjectionTests {
    static let directory = "/wal"

    /// Drives one seeded run: a writer appending, committing, discarding, snapshotting, closing, and a file system
    /// that loses power or fails calls. Keeps what was appended (`history`: payload of sequence i+1, committed or
    /// maybe committed) and how much of it was acknowledged.
    final class Harness {
        let seed: UInt64
        let fs: SimulatedFileSystem
        let options: WALOptions
        var r: TestRandom
        var log: WriteAheadLog?
        var history: [[UInt8]] = []
        var acked = 0
        var stats = (crashes: 0, noSpace: 0, tornTails: 0, snapshots: 0, ioErrors: 0)
        /// Prints what the run does (set by WAL_SEED, see `seededCrashAndFaultRuns`).
        var trace = false
        func note(_ s: @autoclosure () -> String) { if trace { print("seed \(seed):", s()) } }

        init(seed: UInt64) {
            self.seed = seed
            r = TestRandom(seed)
            fs = SimulatedFileSystem(seed: seed ^ 0x5EED)
            fs.sectorSize = [8, 64, 512][r.int(0...2)]
            var o = WALOptions()
            o.segmentBytes = r.int(100...2000)
            o.preallocate = r.chance(50)
            o.maxRecordBytes = 600
            options = o
        }

        static func encode(_ records: ArraySlice<[UInt8]>) -> [UInt8] {
            var b: [UInt8] = []
            for p in records {
                b.appendLE(UInt32(p.count))
                b += p
            }
            return b
        }

        static func decode(_ bytes: [UInt8]) -> [[UInt8]] {
            var out: [[UInt8]] = []
            var i = 0
            while i < bytes.count {
                let n = bytes.withUnsafeBytes { Int($0.loadLE(i, as: UInt32.self)) }
                out.append(Array(bytes[(i + 4)..<(i + 4 + n)]))
                i += 4 + n
            }
            return out
        }

        /// Restart after a crash or an exit: open must succeed (crash-only faults never look like corruption),
        /// and acknowledged ⊆ recovered ⊆ appended, as a prefix, with continuous sequences.
        func reopen() throws {
            log = nil
            for _ in 0..<50 {
                var recovered: [[UInt8]] = []
                var sequences: [UInt64] = []
                var snapshotAt: UInt64 = 0
                do {
                    let (opened, report) = try WriteAheadLog.open(
                        directory: FaultInjectionTests.directory, options: options, fileSystem: fs,
                        onSnapshot: { s, p in
                            snapshotAt = s
                            recovered = Harness.decode(p)
                        },
                        onRecord: { s, p in
                            sequences.append(s)
                            recovered.append(Array(p))
                        })
                    let where_ = Comment(rawValue: "seed \(seed)")
                    #expect(UInt64(recovered.count) - UInt64(sequences.count) == snapshotAt, where_)
                    #expect(
                        sequences == Array(stride(from: snapshotAt + 1, through: UInt64(recovered.count), by: 1)),
                        where_)
                    #expect(
                        recovered.count >= acked,
                        "seed \(seed): acknowledged records lost: acked \(acked), recovered \(recovered.count)")
                    #expect(
                        recovered.count <= history.count && recovered == Array(history.prefix(recovered.count)),
                        "seed \(seed): recovered records are not a prefix of the appended ones")
                    #expect(opened.lastSequence == UInt64(recovered.count), where_)
                    if report.tornTailBytesDropped > 0 {
                        stats.tornTails += 1
                        // A torn write is never called corruption (no marker can outlive its write here), and what
                        // is cut is kept first.
                        let kept = report.tornTailKeptIn.flatMap { fs.contents(of: $0) }
                        #expect(
                            kept?.count == report.tornTailBytesDropped,
                            "seed \(seed): cut bytes not kept: \(report)")
                    }
                    note("reopened: \(report) recovered \(recovered.count)")
                    log = opened
                    history = recovered
                    acked = recovered.count
                    return
                } catch let e as WALError {
                    note("open failed: \(e)")
                    switch e {
                    case .io:
                        // Power failed (or an injected error) during recovery itself: crash again.
                        fs.crashAndRestart()
                        stats.crashes += 1
                    case .noSpace:
                        fs.clearInjectedErrors()
                    default:
                        Issue.record("seed \(seed): open refused after crash-only faults: \(e)")
                        throw e
                    }
                }
            }
            Issue.record("seed \(seed): could not reopen")
        }

        /// The process dies after a fatal error: either just exits (the page cache keeps its data) or the
        /// machine loses power too.
        func die() throws {
            stats.ioErrors += 1
            if r.chance(50) {
                log?.close()
            } else {
                fs.crashAndRestart()
                stats.crashes += 1
            }
            try reopen()
        }

        func randomPayload() -> [UInt8] {
            let size = r.chance(5) ? r.int(200...600) : r.int(1...120)
            return r.bytes(size).map { $0 | 1 }
        }

        func step() throws {
            guard let log else { return try reopen() }
            do {
                let action = r.int(0...99)
                note(
                    "step action \(action) history \(history.count) acked \(acked) calls \(fs.callCount) powerFailAt \(fs.powerFailAtCall ?? -1)"
                )
                switch action {
                case 0..<55:
                    for _ in 0..<r.int(1...5) {
                        history.append(randomPayload())
                        #expect(try log.append(history.last!) == UInt64(history.count), "seed \(seed)")
                    }
                    do {
                        try log.commit()
                        acked = history.count
                    } catch let WALError.noSpace(detail) {
                        note("noSpace: \(detail)")
                        // The records were dropped; the log goes on from the last committed one.
                        stats.noSpace += 1
                        #expect(
                            log.lastSequence == UInt64(acked) && log.lastCommittedSequence == UInt64(acked),
                            "seed \(seed)")
                        history.removeLast(history.count - acked)
                    }
                case 55..<65:
                    for _ in 0..<r.int(1...3) {
                        history.append(randomPayload())
                        try log.append(history.last!)
                    }
                    log.discardPending()
                    history.removeLast(history.count - acked)
                case 65..<75:
                    let s = Int(log.lastCommittedSequence)
                    do {
                        try log.writeSnapshot(sequence: UInt64(s), payload: Harness.encode(history[..<s]))
                        stats.snapshots += 1
                    } catch WALError.noSpace {
                        stats.noSpace += 1
                    }
                case 75..<80:
                    log.close()
                    history.removeLast(history.count - acked)
                    try reopen()
                case 80..<88:
                    fs.powerFailAtCall = fs.callCount + r.int(1...30)
                case 88..<93:
                    fs.injectError(ENOSPC, onNth: r.int(1...6), of: [.write, .allocate, .openFile, .rename])
                case 93..<97:
                    fs.injectError(
                        EIO, onNth: r.int(1...10), of: [.write, .sync, .syncDirectory, .rename, .remove, .truncate])
                default:
                    fs.crashAndRestart()  // between two calls
                    stats.crashes += 1
                    try reopen()
                }
            } catch let e as WALError {
                note("error \(e) poweredOff \(fs.isPoweredOff)")
                guard case .io = e else { throw e }
                if fs.isPoweredOff {
                    fs.crashAndRestart()
                    stats.crashes += 1
                    try reopen()
                } else {
                    // Fatal for the log: every further call fails the same way until the process exits.
                    #expect(throws: WALError.self) { try log.commit() }
                    try die()
                }
            }
        }

        func finish() throws {
            fs.clearInjectedErrors()
            fs.powerFailAtCall = nil
            fs.capacityBytes = nil
            if let log { log.close() }
            history.removeLast(history.count - acked)
            try reopen()
            log?.close()
            let report = try WriteAheadLog.verify(
                directory: FaultInjectionTests.directory, options: options, fileSystem: fs)
            #expect(report.tornTailBytesDropped == 0, "seed \(seed)")
        }
    }

    /// 400 seeded runs of 60 steps. To replay one failing seed with a trace:
    /// `WAL_SEED=<n> swift test --filter seededCrashAndFaultRuns`.
    @Test func seededCrashAndFaultRuns() throws {
        var totals = (crashes: 0, noSpace: 0, tornTails: 0, snapshots: 0, ioErrors: 0, records: 0)
        let only = ProcessInfo.processInfo.environment["WAL_SEED"].flatMap { UInt64($0) }
        for seed in only.map({ $0...$0 }) ?? UInt64(1)...400 {
            let h = Harness(seed: seed)
            if only != nil {
                h.trace = true
                h.fs.trace = { print("seed \(seed):   fs", $0) }
            }
            try h.reopen()
            for _ in 0..<60 { try h.step() }
            try h.finish()
            totals.crashes += h.stats.crashes
            totals.noSpace += h.stats.noSpace
            totals.tornTails += h.stats.tornTails
            totals.snapshots += h.stats.snapshots
            totals.ioErrors += h.stats.ioErrors
            totals.records += h.acked
        }
        // The runs must actually exercise what they claim to.
        guard only == nil else { return }
        #expect(
            totals.crashes > 400 && totals.noSpace > 50 && totals.tornTails > 20 && totals.snapshots > 400
                && totals.ioErrors > 50,
            "\(totals)")
    }

    @Test func crashRightAfterEachCommitLosesNothingAcrossRotations() throws {
        for seed in UInt64(1)...100 {
            let h = Harness(seed: seed)
            try h.reopen()
            for _ in 0..<12 {
                for _ in 0..<h.r.int(1...4) {
                    h.history.append(h.randomPayload())
                    try h.log!.append(h.history.last!)
                }
                try h.log!.commit()
                h.acked = h.history.count
                h.fs.crashAndRestart()
                try h.reopen()
                #expect(h.acked == h.history.count, "seed \(seed)")
            }
        }
    }

    @Test func noSpaceRollsBackAndTheLogKeepsWorking() throws {
        let fs = SimulatedFileSystem(seed: 3)
        let options = testOptions(segmentBytes: 2048)
        let path = Self.directory + "/" + WALFormat.segmentName(firstSequence: 1)
        do {
            let (log, _, _) = try openLog(Self.directory, options, fileSystem: fs)
            for i in 0..<10 { try log.append(payload(i, size: 50)) }
            try log.commit()
            let before = fs.contents(of: path)!

            // Disk full part-way through the write: a short write, then ENOSPC.
            fs.capacityBytes = fs.usedBytes + 100
            for i in 10..<15 { try log.append(payload(i, size: 50)) }
            do {
                try log.commit()
                Issue.record("commit succeeded on a full disk")
            } catch let e as WALError {
                guard case .noSpace(let detail) = e else {
                    Issue.record("\(e)")
                    return
                }
                #expect(detail.contains("11...15"))
                #expect(e.description.contains("still usable"))
            }
            #expect(log.lastSequence == 10 && log.lastCommittedSequence == 10)
            #expect(fs.contents(of: path) == before)

            // Space comes back: the same sequences are used again.
            fs.capacityBytes = nil
            #expect(try log.append(payload(100, size: 50)) == 11)
            try log.commit()

            // ENOSPC creating the next segment during a rotating commit: both files back as they were.
            let committed = fs.contents(of: path)!
            for i in 0..<40 { try log.append(payload(200 + i, size: 50)) }
            fs.injectError(ENOSPC, onNth: 1, of: [.openFile])
            #expect(throws: WALError.self) { try log.commit() }
            #expect(log.lastSequence == 11)
            #expect(fs.contents(of: path) == committed)
            #expect(fs.contents(of: Self.directory + "/" + WALFormat.segmentName(firstSequence: 12)) == nil)
            #expect(try log.append(payload(300, size: 50)) == 12)
            try log.commit()

            // ENOSPC on the snapshot: the previous state stays in force.
            fs.injectError(ENOSPC, onNth: 1, of: [.write])
            #expect(throws: WALError.self) { try log.writeSnapshot(sequence: 12, payload: [1]) }
            #expect(log.snapshotSequence == nil)
            #expect(fs.contents(of: Self.directory + "/" + WALFormat.snapshotName(sequence: 12) + ".tmp") == nil)
            try log.writeSnapshot(sequence: 12, payload: [1])
            log.close()
        }
        fs.crashAndRestart()
        let (log, _, replay) = try openLog(Self.directory, options, fileSystem: fs)
        log.close()
        #expect(replay.snapshot?.sequence == 12 && replay.records.isEmpty)
    }

    @Test func openWithoutRoomToRewriteTheActiveSegmentRefusesAndChangesNothing() throws {
        let fs = SimulatedFileSystem(seed: 9)
        let options = testOptions()
        let path = Self.directory + "/" + WALFormat.segmentName(firstSequence: 1)
        do {
            let (log, _, _) = try openLog(Self.directory, options, fileSystem: fs)
            for i in 0..<20 { try log.append(payload(i, size: 100)) }
            try log.commit()
            log.close()
        }
        let before = fs.contents(of: path)!
        fs.capacityBytes = fs.usedBytes + 10
        do {
            _ = try openLog(Self.directory, options, fileSystem: fs)
            Issue.record("opened without room")
        } catch let e as WALError {
            guard case .noSpace = e else {
                Issue.record("\(e)")
                return
            }
        }
        #expect(fs.contents(of: path) == before)
        #expect(try fs.listDirectory(Self.directory) == ["lock", WALFormat.segmentName(firstSequence: 1)])
        fs.capacityBytes = nil
        let (log, _, replay) = try openLog(Self.directory, options, fileSystem: fs)
        log.close()
        #expect(replay.records.count == 20)
    }

    @Test func failedSyncIsFatalAndNeverRetried() throws {
        let fs = SimulatedFileSystem(seed: 4)
        let options = testOptions()
        do {
            let (log, _, _) = try openLog(Self.directory, options, fileSystem: fs)
            try log.append([1])
            try log.commit()
            fs.injectError(EIO, onNth: 1, of: [.sync])
            try log.append([2])
            do {
                try log.commit()
                Issue.record("commit succeeded although fdatasync failed")
            } catch let e as WALError {
                guard case .io(let operation, let path, let code) = e else {
                    Issue.record("\(e)")
                    return
                }
                #expect(operation == "fdatasync" && path.hasSuffix(".wal") && code == EIO)
            }
            let syncs = fs.syncCount
            // Every later call fails the same way; nothing is synced again (no retry).
            #expect(throws: WALError.self) { try log.commit() }
            #expect(throws: WALError.self) { try log.append([3]) }
            #expect(throws: WALError.self) { try log.writeSnapshot(sequence: 1, payload: []) }
            #expect(fs.syncCount == syncs)
            log.close()
        }
        // The kernel dropped record 2's pages: after a power loss it is gone, record 1 is there.
        fs.crashAndRestart()
        let (log, _, replay) = try openLog(Self.directory, options, fileSystem: fs)
        log.close()
        #expect(replay.payloads == [[1]])
    }

    /// Checks the simulator itself: without a directory fsync a new file may vanish in a crash, with it never.
    @Test func simulatorLosesUnsyncedDirectoryEntriesOnly() throws {
        var lost = 0
        for seed in UInt64(0)..<64 {
            for syncDirectory in [false, true] {
                let fs = SimulatedFileSystem(seed: seed)
                _ = try fs.createDirectory("/d")
                let h = try fs.openFile("/d/f", writable: true, create: true, truncate: false)
                try [UInt8](repeating: 7, count: 100).withUnsafeBytes { try fs.write(h, $0, at: 0) }
                try fs.sync(h, metadata: true)
                if syncDirectory { try fs.syncDirectory("/d") }
                fs.crashAndRestart()
                let survived = fs.contents(of: "/d/f")
                if syncDirectory {
                    #expect(survived == [UInt8](repeating: 7, count: 100))
                } else if survived == nil {
                    lost += 1
                } else {
                    #expect(survived == [UInt8](repeating: 7, count: 100))
                }
            }
        }
        #expect(lost > 10)
    }

    /// Checks the simulator itself: unsynced writes come back applied, dropped or torn, never reordered.
    @Test func simulatorTearsUnsyncedWritesAtSectorBoundaries() throws {
        var outcomes = Set<Int>()
        for seed in UInt64(0)..<200 {
            let fs = SimulatedFileSystem(seed: seed)
            fs.sectorSize = 64
            _ = try fs.createDirectory("/d")
            let h = try fs.openFile("/d/f", writable: true, create: true, truncate: false)
            try fs.syncDirectory("/d")
            let data = (0..<300).map { UInt8($0 % 250 + 1) }
            try data.withUnsafeBytes { try fs.write(h, $0, at: 0) }
            fs.crashAndRestart()
            let after = fs.contents(of: "/d/f")!
            let kept = after.prefix { $0 != 0 }.count
            // What survives starts with a sector-aligned prefix of the write (a garbage sector may follow it).
            let intact = zip(after, data).prefix { $0 == $1 }.count
            #expect(intact == data.count || intact % 64 == 0 || intact == kept, "seed \(seed)")
            outcomes.insert(intact == data.count ? 2 : (after.allSatisfy { $0 == 0 } ? 0 : 1))
        }
        #expect(outcomes == [0, 1, 2])
    }
}
