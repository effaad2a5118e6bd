import Foundation
import Testing

@testable import WriteAheadLog

/// The log on real files in temporary directories, with real fsync.
struct WriteAheadLogTests {
    func segmentNames(_ dir: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).filter { $0.hasSuffix(".wal") }.sorted()
    }

    @Test func roundTripAcrossSegmentRotations() throws {
        let tmp = TemporaryDirectory()
        let dir = tmp.sub("log")
        let options = testOptions(segmentBytes: 4096, preallocate: true, maxRecordBytes: 10_000)
        var r = TestRandom(1)
        var expected: [[UInt8]] = []
        do {
            let (log, report, replay) = try openLog(dir, options)
            #expect(replay.records.isEmpty && replay.snapshot == nil && report == WALRecoveryReport(segments: 1))
            #expect(log.lastSequence == 0)
            for batch in 0..<40 {
                for _ in 0..<r.int(1...6) {
                    // Mostly small, some larger than a segment (they get a segment of their own).
                    let size = r.chance(5) ? r.int(4000...9000) : r.int(1...300)
                    let p = payload(expected.count, size: size)
                    let seq = try log.append(p)
                    expected.append(p)
                    #expect(seq == UInt64(expected.count))
                }
                try log.commit()
                #expect(log.lastCommittedSequence == UInt64(expected.count), "batch \(batch)")
            }
            log.close()
        }
        let segments = segmentNames(dir)
        #expect(segments.count > 5)
        #expect(segments.first == "log-0000000000000001.wal")
        let (log, report, replay) = try openLog(dir, options)
        defer { log.close() }
        #expect(replay.payloads == expected)
        #expect(replay.records.map(\.sequence) == Array(1...UInt64(expected.count)))
        #expect(
            report.recordsReplayed == expected.count && report.tornTailBytesDropped == 0 && report.tornTailFile == nil)
        #expect(report.segments == segments.count)
        // Every finished segment was trimmed to its records; each starts with the right header.
        // Every finished segment ends with a commit marker that covers its last record.
        for name in segments.dropLast() {
            let bytes = readFile(dir + "/" + name)
            let first = WALFormat.segmentSequence(fromName: name)!
            let s = scan(bytes, expectedFirstSequence: first, maxRecordBytes: 10_000)
            #expect(s.state == .clean && s.validEnd == bytes.count, "\(name)")
            #expect(s.certifiedThrough == s.records.last!.sequence, "\(name)")
            #expect(bytes.count <= 4096 || s.records.count == 1, "\(name): \(bytes.count) bytes")
        }
        // The active one is preallocated to segmentBytes.
        #expect(readFile(dir + "/" + segments.last!).count >= 4096)
        // And the log continues where it ended.
        #expect(try log.append([1, 2, 3]) == UInt64(expected.count + 1))
    }

    @Test func snapshotThenReopenDeliversOnlyLaterRecordsAndRetiresSegments() throws {
        let tmp = TemporaryDirectory()
        let dir = tmp.sub("log")
        let options = testOptions(segmentBytes: 1024)
        var expected: [[UInt8]] = []
        do {
            let (log, _, _) = try openLog(dir, options)
            for i in 0..<60 {
                expected.append(payload(i, size: 50 + i))
                try log.append(expected.last!)
                if i % 5 == 4 { try log.commit() }
            }
            #expect(segmentNames(dir).count > 4)
            try log.writeSnapshot(sequence: 40, payload: Array("state at 40".utf8))
            #expect(log.snapshotSequence == 40)
            // Only segments holding records after 40 remain, and they still reach back to 41.
            let firsts = segmentNames(dir).map { WALFormat.segmentSequence(fromName: $0)! }
            #expect(firsts.first! <= 41 && (firsts.count < 2 || firsts[1] > 41))
            #expect(
                try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasSuffix(".snap") } == [
                    "snapshot-0000000000000028.snap"
                ])
            // A second snapshot replaces the first.
            try log.writeSnapshot(sequence: 50, payload: Array("state at 50".utf8))
            #expect(
                try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.contains(".snap") } == [
                    "snapshot-0000000000000032.snap"
                ])
            log.close()
        }
        let (log, report, replay) = try openLog(dir, options)
        defer { log.close() }
        #expect(replay.snapshot?.sequence == 50 && replay.snapshot?.payload == Array("state at 50".utf8))
        #expect(replay.records.map(\.sequence) == Array(51...60))
        #expect(replay.payloads == Array(expected[50...]))
        #expect(report.snapshotSequence == 50 && report.recordsReplayed == 10)
        #expect(log.lastSequence == 60)
    }

    @Test func snapshotOfTheWholeLogKeepsTheActiveSegment() throws {
        let tmp = TemporaryDirectory()
        let dir = tmp.sub("log")
        do {
            let (log, _, _) = try openLog(dir)
            for i in 0..<10 { try log.append(payload(i, size: 20)) }
            try log.commit()
            try log.writeSnapshot(sequence: 10, payload: [9])
            #expect(segmentNames(dir) == ["log-0000000000000001.wal"])
            try log.append([1])
            try log.commit()
            log.close()
        }
        let (log, _, replay) = try openLog(dir)
        defer { log.close() }
        #expect(replay.snapshot?.sequence == 10 && replay.records.map(\.sequence) == [11])
    }

    @Test func groupCommitDiscardAndRecordLimit() throws {
        let tmp = TemporaryDirectory()
        let dir = tmp.sub("log")
        do {
            let (log, _, _) = try openLog(dir, testOptions(maxRecordBytes: 100))
            try log.append([1])
            try log.append([2])
            try log.commit()
            try log.append([3])
            log.discardPending()
            #expect(log.lastSequence == 2)
            try log.commit()  // nothing pending: no-op
            #expect(throws: WALError.self) { try log.append([UInt8](repeating: 7, count: 101)) }
            do {
                try log.append([UInt8](repeating: 7, count: 101))
            } catch let WALError.recordTooLarge(bytes, max) {
                #expect(bytes == 101 && max == 100)
            }
            #expect(log.lastSequence == 2)
            try log.append([UInt8](repeating: 7, count: 100))
            try log.append([4])  // pending at close: dropped
            try log.commit()
            try log.append([5])
            log.close()
        }
        let (log, _, replay) = try openLog(dir, testOptions(maxRecordBytes: 100))
        defer { log.close() }
        #expect(replay.payloads == [[1], [2], [UInt8](repeating: 7, count: 100), [4]])
    }

    @Test func secondOpenOfTheSameDirectoryIsLocked() throws {
        let tmp = TemporaryDirectory()
        let dir = tmp.sub("log")
        let (log, _, _) = try openLog(dir)
        do {
            _ = try openLog(dir)
            Issue.record("second open succeeded")
        } catch let e as WALError {
            guard case .locked = e else {
                Issue.record("\(e)")
                return
            }
            #expect(e.description.contains("lock"))
        }
        // verify refuses too while a writer runs.
        #expect(throws: WALError.self) { try WriteAheadLog.verify(directory: dir) }
        log.close()
        let (again, _, _) = try openLog(dir)
        again.close()
    }

    @Test func leftoverTemporaryFilesAreRemovedAndOthersIgnored() throws {
        let tmp = TemporaryDirectory()
        let dir = tmp.sub("log")
        do {
            let (log, _, _) = try openLog(dir)
            try log.append([1])
            try log.commit()
            log.close()
        }
        writeFile(dir + "/snapshot-0000000000000001.snap.tmp", [1, 2, 3])
        writeFile(dir + "/log-0000000000000002.wal.tmp", [4, 5, 6])
        writeFile(dir + "/notes.txt", [7])
        let (log, report, replay) = try openLog(dir)
        defer { log.close() }
        #expect(replay.payloads == [[1]] && report.tornTailFile == nil)
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: dir).sorted() == [
                "lock", "log-0000000000000001.wal", "notes.txt"
            ])
    }

    @Test func diskUsageCountsSegmentsAndSnapshots() throws {
        let tmp = TemporaryDirectory()
        let dir = tmp.sub("log")
        let (log, _, _) = try openLog(dir, testOptions(segmentBytes: 1 << 16, preallocate: true))
        defer { log.close() }
        #expect(log.diskUsage() == 1 << 16)
        try log.append([UInt8](repeating: 1, count: 100))
        try log.commit()
        try log.writeSnapshot(sequence: 1, payload: [UInt8](repeating: 2, count: 60))
        #expect(log.diskUsage() == (1 << 16) + 40 + 60)
    }

    @Test func verifyReportsWithoutChangingAnything() throws {
        let tmp = TemporaryDirectory()
        let dir = tmp.sub("log")
        do {
            let (log, _, _) = try openLog(dir)
            for i in 0..<5 { try log.append(payload(i, size: 30)) }
            try log.commit()
            try log.writeSnapshot(sequence: 2, payload: [42])
            log.close()
        }
        let path = dir + "/log-0000000000000001.wal"
        let original = readFile(path)
        writeFile(path, original + [9, 9, 9])
        var delivered: [UInt64] = []
        let report = try WriteAheadLog.verify(
            directory: dir, options: testOptions(), onRecord: { s, _ in delivered.append(s) })
        #expect(
            report
                == WALRecoveryReport(
                    snapshotSequence: 2, recordsReplayed: 3, tornTailBytesDropped: 3,
                    tornTailFile: path, tornTailOffset: original.count, segments: 1))
        #expect(delivered == [3, 4, 5])
        #expect(readFile(path) == original + [9, 9, 9])
        // open then cuts it, keeping the bytes beside the segment.
        let (log, openReport, _) = try openLog(dir)
        log.close()
        var expected = report
        expected.tornTailKeptIn = path + ".cut-\(original.count)"
        expected.cutFiles = ["log-0000000000000001.wal.cut-\(original.count)"]
        #expect(openReport == expected)
        #expect(readFile(path) == original)
        #expect(readFile(path + ".cut-\(original.count)") == [9, 9, 9])
        // Later checks see no torn tail, but the kept bytes (never removed by the log).
        let again = try WriteAheadLog.verify(directory: dir, options: testOptions())
        #expect(again.tornTailBytesDropped == 0 && again.cutFiles == expected.cutFiles)
    }

    @Test func verifyOfAMissingDirectoryFails() {
        #expect(throws: WALError.self) { try WriteAheadLog.verify(directory: "/nonexistent/whsed-wal-test") }
    }
}
