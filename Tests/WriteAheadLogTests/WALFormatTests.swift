import Testing

@testable import WriteAheadLog

/// The byte layouts exactly as docs/on-disk-format.md shows them.
struct WALFormatTests {
    func hex(_ s: String) -> [UInt8] {
        s.split(separator: " ").map { UInt8($0, radix: 16)! }
    }

    @Test func documentedSegmentExample() throws {
        let expected = hex(
            """
            57 48 53 45 44 4c 4f 47 02 00 00 00 01 00 00 00 \
            00 00 00 00 4f ef b0 46 05 00 00 00 01 00 00 00 \
            00 00 00 00 27 8d a7 10 68 65 6c 6c 6f 00 00 00 \
            ff ff ff ff 01 00 00 00 00 00 00 00 26 8f cf 44 \
            01 00 00 00 00 00 00 00
            """)
        // What the log itself writes for one committed record.
        let fs = SimulatedFileSystem(seed: 1)
        let (log, _, _) = try openLog("/wal", testOptions(), fileSystem: fs)
        try log.append(Array("hello".utf8))
        try log.commit()
        log.close()
        #expect(fs.contents(of: "/wal/log-0000000000000001.wal") == expected)
        #expect(scan(expected).records.count == 1 && scan(expected).certifiedThrough == 1)
    }

    /// A version-1 segment (no commit markers), as the first release wrote it, is still read.
    @Test func documentedVersion1SegmentExample() {
        let v1 = hex(
            """
            57 48 53 45 44 4c 4f 47 01 00 00 00 01 00 00 00 \
            00 00 00 00 1f 93 22 15 05 00 00 00 01 00 00 00 \
            00 00 00 00 27 8d a7 10 68 65 6c 6c 6f 00 00 00
            """)
        var image = WALFormat.segmentHeader(firstSequence: 1, version: 1)
        Array("hello".utf8).withUnsafeBytes { WALFormat.appendFrame(to: &image, sequence: 1, payload: $0) }
        #expect(image == v1)
        let r = scan(v1)
        #expect(r.state == .clean && r.records.map(\.sequence) == [1] && r.certifiedThrough == 0)
        // A marker in a version-1 segment is not one: there, a length of 0xFFFFFFFF is just too long.
        let marked = withMarker(v1, last: 1)
        #expect(scan(marked).state == .tornTail(droppedBytes: 17) && scan(marked).validEnd == v1.count)
    }

    @Test func documentedSnapshotExample() {
        let expected = hex(
            """
            57 48 53 45 44 53 4e 50 01 00 00 00 00 00 00 00 \
            01 00 00 00 00 00 00 00 02 00 00 00 00 00 00 00 \
            74 48 45 7e 00 00 00 00 01 02
            """)
        let bytes = WALFormat.encodeSnapshot(sequence: 1, payload: [1, 2])
        #expect(bytes == expected)
        #expect(bytes.withUnsafeBytes { WALFormat.checkSnapshot($0, sequence: 1) } == .valid(payload: 40..<42))
        var reserved = bytes
        reserved[37] = 1
        #expect(
            reserved.withUnsafeBytes { WALFormat.checkSnapshot($0, sequence: 1) }
                == .invalid(offset: 36, reason: "reserved header bytes are not zero"))
        #expect(bytes.withUnsafeBytes { WALFormat.checkSnapshot($0, sequence: 2) } != .valid(payload: 40..<42))
    }

    @Test func names() {
        #expect(WALFormat.segmentName(firstSequence: 0x1f) == "log-000000000000001f.wal")
        #expect(WALFormat.snapshotName(sequence: UInt64.max) == "snapshot-ffffffffffffffff.snap")
        #expect(WALFormat.segmentSequence(fromName: "log-000000000000001f.wal") == 0x1f)
        for bad in [
            "log-000000000000001F.wal", "log-00000000000001f.wal", "log-000000000000001f.wal.tmp",
            "log-000000000000001f.wal.broken", "log-00000000000000g1.wal", "snapshot-0000000000000001.snap"
        ] {
            #expect(WALFormat.segmentSequence(fromName: bad) == nil, "\(bad)")
        }
        #expect(WALFormat.snapshotSequence(fromName: "snapshot-0000000000000001.snap.tmp") == nil)
        #expect(
            WALFormat.frameBytes(payload: 1) == 24 && WALFormat.frameBytes(payload: 8) == 24
                && WALFormat.frameBytes(payload: 9) == 32)
    }
}
