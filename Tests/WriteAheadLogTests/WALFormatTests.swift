import Testing
@testable import WriteAheadLog

/// The byte layouts exactly as docs/on-disk-format.md shows them.
struct WALFormatTests {
    func hex(_ s: String) -> [UInt8] {
        s.split(separator: " ").map { UInt8($0, radix: 16)! }
    }

    @Test func documentedSegmentExample() {
        let expected = hex("""
            57 48 53 45 44 4c 4f 47 01 00 00 00 01 00 00 00 \
            00 00 00 00 1f 93 22 15 05 00 00 00 01 00 00 00 \
            00 00 00 00 27 8d a7 10 68 65 6c 6c 6f 00 00 00
            """)
        #expect(segmentImage([Array("hello".utf8)]).bytes == expected)
    }

    @Test func documentedSnapshotExample() {
        let expected = hex("""
            57 48 53 45 44 53 4e 50 01 00 00 00 00 00 00 00 \
            01 00 00 00 00 00 00 00 02 00 00 00 00 00 00 00 \
            74 48 45 7e 00 00 00 00 01 02
            """)
        let bytes = WALFormat.encodeSnapshot(sequence: 1, payload: [1, 2])
        #expect(bytes == expected)
        #expect(bytes.withUnsafeBytes { WALFormat.checkSnapshot($0, sequence: 1) } == .valid(payload: 40..<42))
        var reserved = bytes
        reserved[37] = 1
        #expect(reserved.withUnsafeBytes { WALFormat.checkSnapshot($0, sequence: 1) } == .invalid(offset: 36, reason: "reserved header bytes are not zero"))
        #expect(bytes.withUnsafeBytes { WALFormat.checkSnapshot($0, sequence: 2) } != .valid(payload: 40..<42))
    }

    @Test func names() {
        #expect(WALFormat.segmentName(firstSequence: 0x1f) == "log-000000000000001f.wal")
        #expect(WALFormat.snapshotName(sequence: UInt64.max) == "snapshot-ffffffffffffffff.snap")
        #expect(WALFormat.segmentSequence(fromName: "log-000000000000001f.wal") == 0x1f)
        for bad in ["log-000000000000001F.wal", "log-00000000000001f.wal", "log-000000000000001f.wal.tmp",
                    "log-000000000000001f.wal.broken", "log-00000000000000g1.wal", "snapshot-0000000000000001.snap"] {
            #expect(WALFormat.segmentSequence(fromName: bad) == nil, "\(bad)")
        }
        #expect(WALFormat.snapshotSequence(fromName: "snapshot-0000000000000001.snap.tmp") == nil)
        #expect(WALFormat.frameBytes(payload: 1) == 24 && WALFormat.frameBytes(payload: 8) == 24 && WALFormat.frameBytes(payload: 9) == 32)
    }
}
