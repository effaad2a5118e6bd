import Foundation
import Testing

@testable import WriteAheadLog

/// `open`, `verify` and `repair` on damaged logs.
struct RecoveryTests {
    static let first = "log-0000000000000001.wal"

    @Test func openAfterTruncationAtEveryOffsetCutsTheTailAndContinues() throws {
        let (image, ends) = segmentImage(exhaustivePayloads)
        let tmp = TemporaryDirectory()
        for k in 0...image.count {
            let dir = tmp.sub("k\(k)")
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: false)
            let path = dir + "/" + Self.first
            writeFile(path, Array(image[0..<k]))
            let complete = ends.filter { $0 <= k }.count
            let boundary =
                k < WALFormat.segmentHeaderBytes
                ? 0 : (complete == 0 ? WALFormat.segmentHeaderBytes : ends[complete - 1])
            do {
                let (log, report, replay) = try openLog(dir)
                #expect(replay.payloads == Array(exhaustivePayloads.prefix(complete)), "cut at \(k)")
                let dropped = nonZeroExtent(image[boundary..<k])
                #expect(report.tornTailBytesDropped == dropped, "cut at \(k)")
                // A segment without a complete header (even an empty file) is reported as the torn file.
                #expect(
                    report.tornTailFile == (dropped > 0 || k < WALFormat.segmentHeaderBytes ? path : nil), "cut at \(k)"
                )
                // The torn bytes are gone from the file (a header-less segment is replaced by a fresh one), and the
                // records kept got the commit marker their torn write lacked. The cut bytes are kept beside it.
                let onDisk = readFile(path)
                let prefix = Array(image[0..<boundary])
                let kept = complete == 0 ? prefix : withMarker(prefix, last: UInt64(complete))
                #expect(onDisk == (boundary == 0 ? WALFormat.segmentHeader(firstSequence: 1) : kept), "cut at \(k)")
                if dropped > 0 {
                    let cutPath = path + ".cut-\(boundary)"
                    #expect(report.tornTailOffset == boundary && report.tornTailKeptIn == cutPath, "cut at \(k)")
                    #expect(readFile(cutPath) == Array(image[boundary..<(boundary + dropped)]), "cut at \(k)")
                } else {
                    #expect(report.tornTailKeptIn == nil, "cut at \(k)")
                }
                // Appending goes on from the cut, and a reopen sees exactly the prefix plus the new record.
                #expect(try log.append([0xAB]) == UInt64(complete + 1), "cut at \(k)")
                try log.commit()
                log.close()
            }
            let (log, report, replay) = try openLog(dir)
            log.close()
            #expect(replay.payloads == Array(exhaustivePayloads.prefix(complete)) + [[0xAB]], "cut at \(k)")
            #expect(report.tornTailBytesDropped == 0 && report.tornTailFile == nil, "cut at \(k)")
        }
    }

    /// Every bit of a preallocated-looking segment, through `open` on the simulated file system.
    @Test func openAfterBitFlipAtEveryBitCutsTheLastRecordOrRefuses() throws {
        let (image, ends) = segmentImage(exhaustivePayloads)
        let starts = [WALFormat.segmentHeaderBytes] + ends.dropLast()
        let full = image + [UInt8](repeating: 0, count: 256)
        var options = testOptions(segmentBytes: full.count, preallocate: true)
        options.syncEnabled = true
        let path = "/wal/" + Self.first
        for byte in 0..<full.count {
            for bit in 0..<8 {
                let fs = SimulatedFileSystem(seed: UInt64(byte * 8 + bit))
                var flipped = full
                flipped[byte] ^= UInt8(1 << bit)
                fs.setDurableContents(of: path, flipped)
                let at = "byte \(byte) bit \(bit)"
                let frame = byte < WALFormat.segmentHeaderBytes ? -1 : starts.lastIndex { $0 <= byte }!
                do {
                    let (log, report, replay) = try openLog("/wal", options, fileSystem: fs)
                    log.close()
                    if byte >= image.count {
                        // A flip in the zero tail: every record, the stray byte cut.
                        #expect(replay.payloads == exhaustivePayloads, "\(at)")
                        #expect(report.tornTailBytesDropped == byte + 1 - image.count, "\(at)")
                    } else {
                        #expect(frame == exhaustivePayloads.count - 1, "\(at): opened although a valid record follows")
                        #expect(replay.payloads == Array(exhaustivePayloads.prefix(4)), "\(at)")
                        #expect(report.tornTailFile == path, "\(at)")
                    }
                    // The records kept are followed by the commit marker their write lacked; the cut region reads as
                    // zeros again (preallocated), and its bytes are kept in a .cut- file.
                    let after = fs.contents(of: path)!
                    let keptEnd = byte >= image.count ? image.count : ends[3]
                    let kept = withMarker(Array(image[..<keptEnd]), last: byte >= image.count ? 5 : 4)
                    #expect(after.count == full.count && Array(after[..<kept.count]) == kept, "\(at)")
                    #expect(after[kept.count...].allSatisfy { $0 == 0 }, "\(at)")
                    let cut = Array(flipped[keptEnd..<(keptEnd + report.tornTailBytesDropped)])
                    #expect(report.tornTailKeptIn.flatMap { fs.contents(of: $0) } == cut, "\(at)")
                } catch let e as WALError {
                    switch e {
                    case .corrupt(let file, let offset, _):
                        #expect(file == path, "\(at)")
                        if frame >= 0 {
                            #expect(frame < exhaustivePayloads.count - 1 && offset == starts[frame], "\(at): \(e)")
                        } else {
                            #expect(offset < WALFormat.segmentHeaderBytes, "\(at)")
                        }
                    case .unsupportedVersion:
                        #expect(byte >= 8 && byte < 12, "\(at)")
                    default:
                        Issue.record("\(at): \(e)")
                    }
                    // Refusing changes nothing.
                    #expect(fs.contents(of: path) == flipped, "\(at)")
                }
            }
        }
    }

    @Test func openKeepsEveryRecordBeforeAZeroOrGarbageTailAndDistrustsLongLengths() throws {
        let tmp = TemporaryDirectory()
        let (image, ends) = segmentImage(exhaustivePayloads)
        var r = TestRandom(5)
        var garbage = r.bytes(3000)
        garbage[0] |= 1
        var tooLong = image
        withUnsafeBytes(of: UInt32(1 << 20 + 1).littleEndian) {
            tooLong.replaceSubrange(ends[3]..<ends[3] + 4, with: $0)
        }
        let cases: [(name: String, bytes: [UInt8], records: Int, dropped: Int)] = [
            ("zeros", image + [UInt8](repeating: 0, count: 4096), 5, 0),
            ("garbage", image + garbage, 5, nonZeroExtent(garbage[...])),
            ("length above the cap in the last record", tooLong, 4, nonZeroExtent(tooLong[ends[3]...]))
        ]
        for c in cases {
            let dir = tmp.sub(c.name.replacingOccurrences(of: " ", with: "-"))
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: false)
            writeFile(dir + "/" + Self.first, c.bytes)
            let (log, report, replay) = try openLog(dir)
            log.close()
            #expect(replay.payloads == Array(exhaustivePayloads.prefix(c.records)), "\(c.name)")
            #expect(report.tornTailBytesDropped == c.dropped, "\(c.name)")
            let kept = withMarker(Array(image[..<ends[c.records - 1]]), last: UInt64(c.records))
            #expect(readFile(dir + "/" + Self.first) == kept, "\(c.name)")
        }
    }

    @Test func corruptionMessageNamesFileOffsetAndWayOut() throws {
        let tmp = TemporaryDirectory()
        let dir = tmp.sub("log")
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: false)
        var (image, ends) = segmentImage(exhaustivePayloads)
        image[ends[1] + 20] ^= 0x10  // inside record 3
        writeFile(dir + "/" + Self.first, image)
        do {
            _ = try openLog(dir)
            Issue.record("opened a corrupt log")
        } catch let e as WALError {
            guard case .corrupt(let file, let offset, let reason) = e else {
                Issue.record("\(e)")
                return
            }
            #expect(file == dir + "/" + Self.first && offset == ends[1])
            #expect(reason.contains("checksum mismatch") && reason.contains("sequence 4"))
            let text = e.description.lowercased()
            #expect(text.contains(file.lowercased()) && text.contains("offset \(ends[1])"))
            #expect(text.contains("restore from backup or run whsed --repair to cut the log at this point"))
        }
        // verify says the same without changing anything.
        #expect(throws: WALError.self) { try WriteAheadLog.verify(directory: dir) }
        #expect(readFile(dir + "/" + Self.first) == image)
    }

    /// Writes segments by hand: each entry is (first sequence, payload count), records numbered continuously unless
    /// a segment's first says otherwise.
    func writeSegments(_ dir: String, _ layout: [(first: UInt64, count: Int)]) throws {
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        for (first, count) in layout {
            let (bytes, _) = segmentImage(firstSequence: first, (0..<count).map { payload(Int(first) + $0, size: 20) })
            writeFile(dir + "/" + WALFormat.segmentName(firstSequence: first), bytes)
        }
    }

    func expectCorrupt(_ dir: String, file: String, _ comment: Comment) {
        do {
            let (log, _, _) = try openLog(dir)
            log.close()
            Issue.record("opened: \(comment)")
        } catch let WALError.corrupt(f, _, _) {
            #expect(f == dir + "/" + file, comment)
        } catch {
            Issue.record("\(error): \(comment)")
        }
    }

    @Test func damageOutsideTheLastSegmentIsAlwaysFatal() throws {
        let tmp = TemporaryDirectory()
        // A torn tail in a segment that is not the last.
        let a = tmp.sub("a")
        try writeSegments(a, [(1, 3), (4, 2)])
        let p = a + "/" + Self.first
        writeFile(p, readFile(p).dropLast(3))
        expectCorrupt(a, file: Self.first, "torn non-last segment")
        // A gap between segments.
        let b = tmp.sub("b")
        try writeSegments(b, [(1, 3), (5, 2)])
        expectCorrupt(b, file: WALFormat.segmentName(firstSequence: 5), "gap")
        // The log starting after 1 with no snapshot.
        let c = tmp.sub("c")
        try writeSegments(c, [(3, 3)])
        expectCorrupt(c, file: WALFormat.segmentName(firstSequence: 3), "missing start")
        // A header whose first sequence disagrees with the name.
        let d = tmp.sub("d")
        try writeSegments(d, [(1, 3)])
        try FileManager.default.moveItem(
            atPath: d + "/" + Self.first, toPath: d + "/" + WALFormat.segmentName(firstSequence: 2))
        try writeSegments(d, [(1, 1)])
        expectCorrupt(d, file: WALFormat.segmentName(firstSequence: 2), "header/name mismatch")
        // A newer format version.
        let e = tmp.sub("e")
        try writeSegments(e, [(1, 3)])
        var bytes = readFile(e + "/" + Self.first)
        bytes[8] = 3
        writeFile(e + "/" + Self.first, bytes)
        do {
            _ = try openLog(e)
            Issue.record("opened version 3")
        } catch let error as WALError {
            guard case .unsupportedVersion(let file, let version) = error else {
                Issue.record("\(error)")
                return
            }
            #expect(file == e + "/" + Self.first && version == 3)
            // Not called damage, no --repair: the file and the versions this build reads.
            #expect(error.description.contains(file) && error.description.contains("segment format versions 1–2"))
            #expect(!error.description.contains("repair") && !error.description.contains("corrupt"))
        }
    }

    @Test func tornHeaderOfANewLastSegmentIsDiscarded() throws {
        let tmp = TemporaryDirectory()
        let dir = tmp.sub("log")
        try writeSegments(dir, [(1, 3)])
        let torn = dir + "/" + WALFormat.segmentName(firstSequence: 4)
        writeFile(torn, Array(WALFormat.segmentHeader(firstSequence: 4)[0..<13]))
        do {
            let (log, report, replay) = try openLog(dir)
            #expect(replay.records.map(\.sequence) == [1, 2, 3])
            #expect(report.tornTailFile == torn && report.segments == 1)
            #expect(!FileManager.default.fileExists(atPath: torn))
            #expect(try log.append([4]) == 4)
            try log.commit()
            log.close()
        }
        let (log, _, replay) = try openLog(dir)
        log.close()
        #expect(replay.records.map(\.sequence) == [1, 2, 3, 4])
    }

    @Test func snapshotBeyondTheLogStartsANewSegment() throws {
        let tmp = TemporaryDirectory()
        let dir = tmp.sub("log")
        try writeSegments(dir, [(1, 3)])
        writeFile(dir + "/" + WALFormat.snapshotName(sequence: 5), WALFormat.encodeSnapshot(sequence: 5, payload: [5]))
        do {
            let (log, report, replay) = try openLog(dir)
            #expect(replay.snapshot?.sequence == 5 && replay.records.isEmpty && report.recordsReplayed == 0)
            #expect(log.lastSequence == 5)
            #expect(try log.append([6]) == 6)
            try log.commit()
            log.close()
        }
        #expect(!FileManager.default.fileExists(atPath: dir + "/" + Self.first))
        let (log, _, replay) = try openLog(dir)
        log.close()
        #expect(replay.snapshot?.sequence == 5 && replay.records.map(\.sequence) == [6])
    }

    @Test func leftoversOfAnInterruptedRetirementAreIgnoredAndRemoved() throws {
        let tmp = TemporaryDirectory()
        let dir = tmp.sub("log")
        // Snapshot at 7 written, but older segments and snapshot not yet removed.
        try writeSegments(dir, [(1, 3), (4, 3), (7, 3)])
        writeFile(dir + "/" + WALFormat.snapshotName(sequence: 2), WALFormat.encodeSnapshot(sequence: 2, payload: [2]))
        writeFile(dir + "/" + WALFormat.snapshotName(sequence: 7), WALFormat.encodeSnapshot(sequence: 7, payload: [7]))
        // Even a damaged covered segment does not matter: it is not read.
        writeFile(dir + "/" + Self.first, [1, 2, 3])
        let (log, report, replay) = try openLog(dir)
        log.close()
        #expect(replay.snapshot?.sequence == 7 && replay.records.map(\.sequence) == [8, 9])
        #expect(report.segments == 1)
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: dir).sorted()
                == ["lock", WALFormat.segmentName(firstSequence: 7), WALFormat.snapshotName(sequence: 7)])
    }

    @Test func damagedSnapshotRefusesStartAndRepairFallsBackOnlyWhenCovered() throws {
        let tmp = TemporaryDirectory()
        for covered in [true, false] {
            let dir = tmp.sub("log-\(covered)")
            do {
                let (log, _, _) = try openLog(dir, testOptions(segmentBytes: covered ? 1 << 20 : 200))
                for i in 0..<20 {
                    try log.append(payload(i, size: 30))
                    try log.commit()
                }
                try log.writeSnapshot(sequence: 10, payload: [10, 10])
                log.close()
            }
            let snap = dir + "/" + WALFormat.snapshotName(sequence: 10)
            var bytes = readFile(snap)
            bytes[bytes.count - 1] ^= 1
            writeFile(snap, bytes)
            do {
                _ = try openLog(dir)
                Issue.record("opened with a damaged snapshot")
            } catch let e as WALError {
                guard case .corrupt(let file, _, let reason) = e else {
                    Issue.record("\(e)")
                    continue
                }
                #expect(file == snap && reason.contains("checksum"))
                #expect(e.description.contains("snapshot"))
            }
            if covered {
                let report = try WriteAheadLog.repair(directory: dir)
                #expect(
                    report.preservedFiles == [WALFormat.snapshotName(sequence: 10) + ".broken"]
                        && report.cutAtSequence == nil)
                let (log, _, replay) = try openLog(dir)
                log.close()
                #expect(replay.snapshot == nil && replay.records.map(\.sequence) == Array(1...20))
            } else {
                #expect(throws: WALError.self) { try WriteAheadLog.repair(directory: dir) }
                #expect(readFile(snap) == bytes)  // put back as it was
            }
        }
    }

    @Test func repairCutsAtTheDamageAndKeepsTheEvidence() throws {
        let tmp = TemporaryDirectory()
        let dir = tmp.sub("log")
        do {
            let (log, _, _) = try openLog(dir, testOptions(segmentBytes: 400))
            for i in 0..<30 { try log.append(payload(i, size: 40)) }
            try log.commit()
            log.close()
        }
        let path = dir + "/" + Self.first
        let original = readFile(path)
        var damaged = original
        let offset = WALFormat.segmentHeaderBytes + 2 * WALFormat.frameBytes(payload: 40)  // record 3
        damaged[offset + 30] ^= 0xFF
        writeFile(path, damaged)
        #expect(throws: WALError.self) { try openLog(dir) }

        let report = try WriteAheadLog.repair(directory: dir)
        #expect(report.cutAtSequence == 3)
        #expect(report.preservedFiles.first == Self.first + ".broken")
        #expect(report.preservedFiles.count > 1)  // the later segments too
        #expect(readFile(path + ".broken") == damaged)
        #expect(readFile(path) == Array(original[..<offset]))
        // A second repair finds nothing to do.
        #expect(try WriteAheadLog.repair(directory: dir) == WALRepairReport())

        let (log, _, replay) = try openLog(dir, testOptions(segmentBytes: 400))
        defer { log.close() }
        #expect(replay.records.map(\.sequence) == [1, 2])
        #expect(try log.append([3]) == 3)
        try log.commit()
    }
}
