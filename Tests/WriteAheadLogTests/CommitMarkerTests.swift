import Foundation
import Testing

@testable import WriteAheadLog

/// Segment format 2: the commit marker that ends every commit's write tells a fully written record that was damaged
/// later (refuse to start, name the file and the offset) from a write cut short (cut, keeping the bytes aside).
struct CommitMarkerTests {
    static let first = "log-0000000000000001.wal"
    /// Two commits of sizes chosen to hit padding of 0, 1 and 7 bytes.
    static let batches: [[[UInt8]]] = [
        [payload(0, size: 1), payload(1, size: 8)],
        [payload(2, size: 13), payload(3, size: 40), payload(4, size: 100)]
    ]

    /// Every bit of a committed image: damage to any record is corruption at that record (a marker always follows
    /// it); damage to the last marker only is a torn tail of the marker, with every record kept.
    @Test func bitFlipAtEveryBitOfACommittedImage() {
        let (image, records, markers) = committedImage(Self.batches)
        var corrupt = 0
        var torn = 0
        for byte in 0..<image.count {
            for bit in 0..<8 {
                var flipped = image
                flipped[byte] ^= UInt8(1 << bit)
                let r = scan(flipped)
                let at = "byte \(byte) bit \(bit)"
                if byte >= markers.last! {
                    #expect(r.records.count == 5 && r.validEnd == markers.last!, "\(at)")
                    guard case .tornTail = r.state else {
                        Issue.record("\(at): \(r.state)")
                        continue
                    }
                    torn += 1
                    continue
                }
                guard case .corruptMiddle(let offset, let reason) = r.state else {
                    Issue.record("\(at): a damaged committed frame was not refused: \(r.state)")
                    continue
                }
                corrupt += 1
                if byte < WALFormat.segmentHeaderBytes {
                    #expect(offset < WALFormat.segmentHeaderBytes, "\(at)")
                    continue
                }
                // The offset is the damaged frame's: a record's, or the first marker's.
                let frame = (records + [markers[0]]).filter { $0 <= byte }.max()!
                #expect(offset == frame, "\(at): \(reason)")
                #expect(r.validEnd == frame, "\(at)")
            }
        }
        #expect(torn == WALFormat.markerBytes * 8 && corrupt + torn == image.count * 8)
    }

    /// The issue's case, through `open` on real files: one bit flipped in the last acknowledged record.
    @Test func bitFlipInTheLastAcknowledgedRecordRefusesStartWithFileAndOffset() throws {
        let tmp = TemporaryDirectory()
        let dir = tmp.sub("log")
        do {
            let (log, _, _) = try openLog(dir, testOptions(preallocate: true))
            for batch in Self.batches {
                for p in batch { try log.append(p) }
                try log.commit()
            }
            log.close()
        }
        let path = dir + "/" + Self.first
        let (image, records, _) = committedImage(Self.batches)
        let lastRecordOffset = records.last!
        var bytes = readFile(path)
        #expect(Array(bytes[..<image.count]) == image, "the log writes what committedImage builds")
        bytes[lastRecordOffset + WALFormat.frameHeaderBytes + 50] ^= 0x04  // inside the payload of record 5
        writeFile(path, bytes)
        do {
            let (log, _, _) = try openLog(dir)
            log.close()
            Issue.record("opened a log whose last acknowledged record is damaged")
        } catch let e as WALError {
            guard case .corrupt(let file, let offset, let reason) = e else {
                Issue.record("\(e)")
                return
            }
            #expect(file == path && offset == lastRecordOffset)
            #expect(reason.contains("checksum mismatch") && reason.contains("commit marker"))
            #expect(e.description.contains(path) && e.description.contains("offset \(lastRecordOffset)"))
        }
        // verify refuses the same way; nothing was changed or cut.
        do {
            _ = try WriteAheadLog.verify(directory: dir)
            Issue.record("verify accepted it")
        } catch let WALError.corrupt(file, offset, _) {
            #expect(file == path && offset == lastRecordOffset)
        }
        #expect(readFile(path) == bytes)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).sorted() == ["lock", Self.first])

        // repair copies the segment aside and cuts at the damaged record; open then marks the records kept.
        let repaired = try WriteAheadLog.repair(directory: dir)
        #expect(repaired.cutAtSequence == 5 && repaired.preservedFiles == [Self.first + ".broken"])
        #expect(readFile(path + ".broken") == bytes)
        let (log, report, replay) = try openLog(dir)
        log.close()
        #expect(replay.records.map(\.sequence) == [1, 2, 3, 4] && report.tornTailBytesDropped == 0)
        #expect(readFile(path) == withMarker(Array(image[..<lastRecordOffset]), first: 3, last: 4))
    }

    /// A final write cut short at every byte (no marker yet): never corruption; the complete records are kept, the
    /// rest is cut and its bytes kept in `<segment>.cut-<offset>`, and the records kept get their marker.
    @Test func tornFinalBatchIsCutAndItsBytesKeptBesideTheSegment() throws {
        let (image, records, markers) = committedImage(Self.batches)
        let committed = markers[0] + WALFormat.markerBytes
        let tmp = TemporaryDirectory()
        for k in committed..<image.count {
            let dir = tmp.sub("k\(k)")
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: false)
            let path = dir + "/" + Self.first
            writeFile(path, Array(image[..<k]) + [UInt8](repeating: 0, count: 100))
            // A frame is whole when its missing bytes are zeros anyway (padding, the marker's high bytes).
            func whole(_ end: Int) -> Bool { end <= k || image[k..<end].allSatisfy { $0 == 0 } }
            let ends = [records[3], records[4], markers[1]]  // where records 3, 4 and 5 end
            let complete = 2 + ends.filter(whole).count
            let kept = complete == 2 ? committed : ends[complete - 3]
            if whole(image.count) {
                let (log, report, replay) = try openLog(dir)
                log.close()
                #expect(replay.records.count == 5 && report.tornTailBytesDropped == 0, "cut at \(k)")
                continue
            }
            let (log, report, replay) = try openLog(dir)
            log.close()
            let at = "cut at \(k)"
            #expect(replay.records.map(\.sequence) == Array(1...UInt64(complete)), "\(at)")
            let dropped = kept >= k ? 0 : nonZeroExtent(image[kept..<k])
            #expect(report.tornTailBytesDropped == dropped, "\(at)")
            if dropped == 0 { continue }
            let cutPath = path + ".cut-\(kept)"
            #expect(report.tornTailFile == path && report.tornTailOffset == kept, "\(at)")
            #expect(report.tornTailKeptIn == cutPath, "\(at)")
            #expect(report.cutFiles == [Self.first + ".cut-\(kept)"], "\(at)")
            #expect(readFile(cutPath) == Array(image[kept..<(kept + dropped)]), "\(at)")
            let prefix = Array(image[..<kept])
            let expected = complete > 2 ? withMarker(prefix, first: 3, last: UInt64(complete)) : prefix
            #expect(readFile(path) == expected, "\(at)")
            // A second open finds a clean log and keeps the evidence.
            let (again, againReport, _) = try openLog(dir)
            again.close()
            #expect(againReport.tornTailBytesDropped == 0 && againReport.cutFiles == report.cutFiles, "\(at)")
            #expect(FileManager.default.fileExists(atPath: cutPath), "\(at)")
        }
    }

    /// Evidence is never overwritten: a second torn tail at the same offset with other bytes gets `.cut-N.1`; the
    /// same bytes again (a start that stopped before the cut) reuse the file.
    @Test func cutFilesAreNeverOverwritten() throws {
        let tmp = TemporaryDirectory()
        let dir = tmp.sub("log")
        let (image, _, markers) = committedImage([Self.batches[0]])
        let end = markers[0] + WALFormat.markerBytes
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: false)
        let path = dir + "/" + Self.first
        let steps: [([UInt8], String)] = [
            ([1, 2, 3], ".cut-\(end)"), ([4, 5], ".cut-\(end).1"),
            ([1, 2, 3], ".cut-\(end)")
        ]
        for (tail, name) in steps {
            writeFile(path, image + tail)
            let (log, report, _) = try openLog(dir)
            log.close()
            #expect(report.tornTailKeptIn == path + name)
            #expect(readFile(path + name) == tail)
        }
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: dir).sorted()
                == ["lock", Self.first, Self.first + ".cut-\(end)", Self.first + ".cut-\(end).1"])
        #expect(WALFormat.isCutName(Self.first + ".cut-\(end).1"))
        #expect(!WALFormat.isCutName(Self.first + ".cut-\(end).tmp"))
    }

    /// Without room for the `.cut-` file, open refuses and changes nothing.
    @Test func noRoomToKeepTheCutBytesRefusesAndChangesNothing() throws {
        let fs = SimulatedFileSystem(seed: 11)
        let path = "/wal/" + Self.first
        let (image, _, _) = committedImage(Self.batches)
        let torn = image + payload(9, size: 300)
        fs.setDurableContents(of: path, torn)
        fs.capacityBytes = fs.usedBytes + 100
        do {
            let (log, _, _) = try openLog("/wal", testOptions(), fileSystem: fs)
            log.close()
            Issue.record("opened without room for the cut bytes")
        } catch let e as WALError {
            guard case .noSpace(let detail) = e else {
                Issue.record("\(e)")
                return
            }
            #expect(detail.contains(path) && detail.contains("offset \(image.count)"))
        }
        #expect(fs.contents(of: path) == torn)
        #expect(try fs.listDirectory("/wal") == ["lock", Self.first])
        fs.capacityBytes = nil
        let (log, report, replay) = try openLog("/wal", testOptions(), fileSystem: fs)
        log.close()
        #expect(replay.records.count == 5 && report.tornTailKeptIn == path + ".cut-\(image.count)")
    }

    /// Version-1 segments (no markers) are read; open rewrites the last one as version 2 with a marker for its
    /// records and leaves earlier ones as they are. In a version-1 segment a flip in the last record is still a
    /// torn tail: nothing there tells it apart.
    @Test func version1SegmentsAreReadAndTheLastOneIsUpgraded() throws {
        let tmp = TemporaryDirectory()
        let dir = tmp.sub("log")
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: false)
        func v1(_ first: UInt64, _ n: Int) -> [UInt8] {
            var b = WALFormat.segmentHeader(firstSequence: first, version: 1)
            for i in 0..<n {
                payload(Int(first) + i, size: 20).withUnsafeBytes {
                    WALFormat.appendFrame(to: &b, sequence: first + UInt64(i), payload: $0)
                }
            }
            return b
        }
        let older = v1(1, 3)
        let last = v1(4, 3)
        writeFile(dir + "/" + Self.first, older)
        writeFile(dir + "/" + WALFormat.segmentName(firstSequence: 4), last)
        do {
            let (log, report, replay) = try openLog(dir)
            #expect(replay.records.map(\.sequence) == [1, 2, 3, 4, 5, 6] && report.tornTailBytesDropped == 0)
            try log.append([7])
            try log.commit()
            log.close()
        }
        #expect(readFile(dir + "/" + Self.first) == older)
        var upgraded = WALFormat.segmentHeader(firstSequence: 4) + last[WALFormat.segmentHeaderBytes...]
        WALFormat.appendMarker(to: &upgraded, first: 4, last: 6)
        [UInt8]([7]).withUnsafeBytes { WALFormat.appendFrame(to: &upgraded, sequence: 7, payload: $0) }
        WALFormat.appendMarker(to: &upgraded, first: 7, last: 7)
        #expect(readFile(dir + "/" + WALFormat.segmentName(firstSequence: 4)) == upgraded)
        let (log, _, replay) = try openLog(dir)
        log.close()
        #expect(replay.records.map(\.sequence) == Array(1...7))

        var flipped = v1(1, 3)
        flipped[flipped.count - 3] ^= 1
        #expect(scan(flipped).records.count == 2)
        if case .tornTail = scan(flipped).state {} else { Issue.record("\(scan(flipped).state)") }
    }

    /// Markers in the middle of a segment must match the records before them.
    @Test func aMarkerMustCoverExactlyTheRecordsSinceThePreviousOne() {
        var bytes = WALFormat.segmentHeader(firstSequence: 1)
        for s: UInt64 in [1, 2] {
            payload(Int(s), size: 10).withUnsafeBytes { WALFormat.appendFrame(to: &bytes, sequence: s, payload: $0) }
        }
        let good = withMarker(bytes, first: 1, last: 2)
        #expect(scan(good).certifiedThrough == 2 && scan(good).state == .clean)
        for (first, last) in [(UInt64(2), UInt64(2)), (1, 3), (1, 1)] {
            let bad = withMarker(bytes, first: first, last: last)
            let r = scan(bad)
            #expect(r.records.count == 2 && r.certifiedThrough == 0 && r.validEnd == bytes.count, "\(first)...\(last)")
            if case .tornTail = r.state {} else { Issue.record("\(first)...\(last): \(r.state)") }
        }
        // Two markers in a row: the second covers no record.
        let twice = withMarker(good, first: 3, last: 3)
        #expect(scan(twice).validEnd == good.count)
    }
}
