import Testing

@testable import WriteAheadLog

/// The pure recovery scan, exhaustively (RELIABILITY B.3a, B.6 step 1).
struct WALScanTests {
    @Test func cleanImageYieldsEveryRecord() {
        let (image, ends) = segmentImage(exhaustivePayloads)
        let r = scan(image)
        #expect(r.state == .clean)
        #expect(r.validEnd == ends.last!)
        #expect(r.records.map(\.sequence) == [1, 2, 3, 4, 5])
        #expect(payloads(of: r, in: image) == exhaustivePayloads)
        // Frames are 8-byte aligned.
        #expect(ends.allSatisfy { $0 % 8 == 0 })
    }

    @Test func truncationAtEveryOffsetKeepsExactlyTheCompleteFrames() {
        let (image, ends) = segmentImage(exhaustivePayloads)
        for k in 0...image.count {
            let cutImage = Array(image[0..<k])
            let r = scan(cutImage)
            if k < WALFormat.segmentHeaderBytes {
                #expect(r.records.isEmpty && r.validEnd == 0, "cut at \(k)")
                #expect(
                    r.state == (k == 0 ? .clean : .tornTail(droppedBytes: nonZeroExtent(image[0..<k]))), "cut at \(k)")
                continue
            }
            let complete = ends.filter { $0 <= k }.count
            let boundary = complete == 0 ? WALFormat.segmentHeaderBytes : ends[complete - 1]
            #expect(r.records.count == complete, "cut at \(k)")
            #expect(payloads(of: r, in: cutImage) == Array(exhaustivePayloads.prefix(complete)), "cut at \(k)")
            #expect(r.validEnd == boundary, "cut at \(k)")
            let dropped = nonZeroExtent(image[boundary..<k])
            #expect(r.state == (dropped == 0 ? .clean : .tornTail(droppedBytes: dropped)), "cut at \(k)")
        }
    }

    @Test func bitFlipAtEveryBitIsTornTailInTheLastRecordAndCorruptionBeforeIt() {
        let (image, ends) = segmentImage(exhaustivePayloads)
        let starts = [WALFormat.segmentHeaderBytes] + ends.dropLast()
        var corrupt = 0
        var torn = 0
        for byte in 0..<image.count {
            for bit in 0..<8 {
                var flipped = image
                flipped[byte] ^= UInt8(1 << bit)
                let r = scan(flipped)
                let where_ = "byte \(byte) bit \(bit)"
                guard byte >= WALFormat.segmentHeaderBytes else {
                    // A damaged header in front of valid records is never a torn tail.
                    guard case .corruptMiddle(let offset, _) = r.state else {
                        Issue.record("\(where_): header damage not refused: \(r.state)")
                        continue
                    }
                    #expect(offset < WALFormat.segmentHeaderBytes && r.records.isEmpty, "\(where_)")
                    corrupt += 1
                    continue
                }
                let frame = starts.lastIndex { $0 <= byte }!
                // Never a wrong record: exactly the frames before the damaged one.
                #expect(payloads(of: r, in: flipped) == Array(exhaustivePayloads.prefix(frame)), "\(where_)")
                #expect(r.validEnd == starts[frame], "\(where_)")
                if frame == exhaustivePayloads.count - 1 {
                    guard case .tornTail = r.state else {
                        Issue.record("\(where_): expected torn tail, got \(r.state)")
                        continue
                    }
                    torn += 1
                } else {
                    guard case .corruptMiddle(let offset, _) = r.state else {
                        Issue.record("\(where_): expected corruption, got \(r.state)")
                        continue
                    }
                    #expect(offset == starts[frame], "\(where_)")
                    corrupt += 1
                }
            }
        }
        #expect(corrupt + torn == image.count * 8)
        #expect(torn == (image.count - starts.last!) * 8)
    }

    @Test func zeroTailIsCleanAndGarbageTailIsTorn() {
        let (image, ends) = segmentImage(exhaustivePayloads)
        let zeros = scan(image + [UInt8](repeating: 0, count: 4096))
        #expect(zeros.state == .clean)
        #expect(zeros.records.count == 5 && zeros.validEnd == ends.last!)

        var r = TestRandom(42)
        for n in [1, 7, 15, 16, 17, 300, 3000] {
            var garbage = r.bytes(n)
            garbage[0] |= 1  // a zero first byte could make a short garbage run look like a zero tail
            let g = scan(image + garbage + [UInt8](repeating: 0, count: 100))
            #expect(g.records.count == 5, "garbage \(n)")
            #expect(g.state == .tornTail(droppedBytes: nonZeroExtent(garbage[...])), "garbage \(n)")
        }
    }

    @Test func lengthAboveTheCapIsNeverTrusted() {
        let (image, ends) = segmentImage(exhaustivePayloads)
        let starts = [WALFormat.segmentHeaderBytes] + ends.dropLast()
        for length: UInt32 in [101, 4096, 1 << 20 + 1, .max] {
            // In the last record: torn tail.
            var last = image
            withUnsafeBytes(of: length.littleEndian) { last.replaceSubrange(starts[4]..<starts[4] + 4, with: $0) }
            let t = scan(last, maxRecordBytes: 100)
            #expect(t.records.count == 4)
            if case .tornTail = t.state {} else { Issue.record("length \(length) in the last record: \(t.state)") }
            // In the middle: refused, and the reason names the length.
            var middle = image
            withUnsafeBytes(of: length.littleEndian) { middle.replaceSubrange(starts[1]..<starts[1] + 4, with: $0) }
            let m = scan(middle, maxRecordBytes: 100)
            #expect(m.records.count == 1)
            guard case .corruptMiddle(let offset, let reason) = m.state else {
                Issue.record("length \(length): \(m.state)")
                continue
            }
            #expect(offset == starts[1])
            // UInt32.max is a commit marker's length field: the reason is about the marker.
            #expect(reason.contains(length == .max ? "commit marker" : "\(length)"))
        }
        // A record longer than the cap given to the scan is refused even though its checksum is right.
        let big = segmentImage([payload(0, size: 200), payload(1, size: 10)])
        if case .corruptMiddle = scan(big.bytes, maxRecordBytes: 100).state {} else { Issue.record("cap not applied") }
    }

    @Test func zeroedSectorInTheMiddleIsCorruption() {
        let sizes = (0..<20).map { 50 + $0 * 3 }
        let ps = sizes.enumerated().map { payload($0.offset, size: $0.element) }
        let (image, _) = segmentImage(ps)
        var holed = image
        holed.replaceSubrange(512..<1024, with: repeatElement(0, count: 512))
        if case .corruptMiddle = scan(holed).state {} else { Issue.record("hole followed by records not refused") }
    }

    @Test func headerChecks() {
        let (image, _) = segmentImage(firstSequence: 7, exhaustivePayloads)
        let ok = scan(image, expectedFirstSequence: 7)
        #expect(ok.state == .clean && ok.records.map(\.sequence) == [7, 8, 9, 10, 11])
        #expect(scan(image, expectedFirstSequence: nil).records.count == 5)
        #expect(
            scan(image, expectedFirstSequence: 8).state
                == .corruptMiddle(offset: 12, reason: "segment header says the first sequence is 7, expected 8"))

        var v3 = image
        v3[8] = 3
        guard case .corruptMiddle(8, _) = scan(v3, expectedFirstSequence: 7).state else {
            Issue.record("version 3 accepted")
            return
        }

        // A torn header with nothing after it (a creation cut short) is a torn tail with no valid end.
        let torn = Array(WALFormat.segmentHeader(firstSequence: 7)[0..<13]) + [UInt8](repeating: 0, count: 500)
        let t = scan(torn, expectedFirstSequence: 7)
        #expect(t.validEnd == 0 && t.state == .tornTail(droppedBytes: nonZeroExtent(torn[...])))
        #expect(scan([], expectedFirstSequence: 7).state == .clean)
        #expect(scan([UInt8](repeating: 0, count: 4096), expectedFirstSequence: 7).validEnd == 0)
    }

    @Test func sequenceMustContinue() {
        // Record 3 carries sequence 4 (valid checksum): the scan stops there and finds record 4 valid later.
        var bytes = WALFormat.segmentHeader(firstSequence: 1)
        for s: UInt64 in [1, 2, 4, 5] {
            payload(Int(s), size: 10).withUnsafeBytes { WALFormat.appendFrame(to: &bytes, sequence: s, payload: $0) }
        }
        let r = scan(bytes)
        #expect(r.records.count == 2)
        guard case .corruptMiddle(_, let reason) = r.state else {
            Issue.record("\(r.state)")
            return
        }
        #expect(reason.contains("sequence 4 where 3 was expected"))
    }

    @Test func randomInputsNeverTrap() {
        // A tiny in-process fuzz round: random bytes, and valid images with random damage.
        var r = TestRandom(99)
        let (image, _) = segmentImage(exhaustivePayloads)
        for _ in 0..<2000 {
            var b = r.chance(30) ? r.bytes(r.int(0...200)) : image
            for _ in 0..<r.int(0...4) where !b.isEmpty {
                b[r.int(0...(b.count - 1))] = UInt8(truncatingIfNeeded: r.next())
            }
            if r.chance(30), !b.isEmpty { b = Array(b.prefix(r.int(0...b.count))) }
            let s = scan(b, expectedFirstSequence: r.chance(50) ? nil : 1, maxRecordBytes: r.int(1...300))
            #expect(s.validEnd <= b.count)
            for rec in s.records { #expect(rec.range.upperBound <= s.validEnd) }
        }
    }
}
