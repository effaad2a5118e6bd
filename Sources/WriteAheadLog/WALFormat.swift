#if canImport(Glibc)
    import Glibc
#endif

/// The byte layout of segments, records and snapshots (docs/on-disk-format.md describes every byte).
enum WALFormat {
    /// The segment format this build writes. Version 2 added the commit marker that ends every commit's write;
    /// version 1 (no markers) is still read.
    static let segmentVersion: UInt32 = 2
    static let readableSegmentVersions: ClosedRange<UInt32> = 1...2
    /// The snapshot file format (header and checksum); the payload has its own state version.
    static let snapshotVersion: UInt32 = 1

    // Segment header: magic[8] version u32 firstSequence u64 crc32c u32 (over bytes 0..<20).
    static let segmentMagic: [UInt8] = Array("WHSEDLOG".utf8)
    static let segmentHeaderBytes = 24
    // Record frame: length u32, sequence u64, crc32c u32 (over length, sequence and payload), payload, zero padding.
    static let frameHeaderBytes = 16
    static let frameAlignment = 8
    // Commit marker (segment version 2): a frame whose length field is the reserved value, sequence = the last
    // record of the commit's write, payload = the first record of that write (u64). 24 bytes, CRC as for records.
    static let markerLength = UInt32.max
    static let markerPayloadBytes = 8
    static let markerBytes = 24
    // Snapshot header: magic[8] version u32 reserved u32 sequence u64 payloadLength u64 crc32c u32 reserved u32.
    static let snapshotMagic: [UInt8] = Array("WHSEDSNP".utf8)
    static let snapshotHeaderBytes = 40

    static let lockFileName = "lock"
    static let temporarySuffix = ".tmp"
    static let brokenSuffix = ".broken"
    /// What open cut from a torn tail: `<segment>.cut-<offset>` (`.<n>` appended when taken).
    static let cutInfix = ".cut-"

    /// Frame size of a payload of `payloadBytes`, header and padding included.
    @inline(__always)
    static func frameBytes(payload payloadBytes: Int) -> Int {
        (frameHeaderBytes + payloadBytes + frameAlignment - 1) & ~(frameAlignment - 1)
    }

    // MARK: names

    static func segmentName(firstSequence: UInt64) -> String { "log-\(hex16(firstSequence)).wal" }
    static func snapshotName(sequence: UInt64) -> String { "snapshot-\(hex16(sequence)).snap" }
    static func segmentSequence(fromName name: String) -> UInt64? { parseName(name, prefix: "log-", suffix: ".wal") }
    static func snapshotSequence(fromName name: String) -> UInt64? {
        parseName(name, prefix: "snapshot-", suffix: ".snap")
    }

    static func hex16(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }

    /// Accepts exactly prefix + 16 lowercase hex digits + suffix (the names this code writes).
    private static func parseName(_ name: String, prefix: String, suffix: String) -> UInt64? {
        let utf8 = Array(name.utf8)
        let p = Array(prefix.utf8)
        let s = Array(suffix.utf8)
        guard utf8.count == p.count + 16 + s.count, utf8.starts(with: p), utf8.suffix(s.count).elementsEqual(s) else {
            return nil
        }
        var value: UInt64 = 0
        for c in utf8[p.count..<(p.count + 16)] {
            let digit: UInt8
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = c - UInt8(ascii: "a") + 10
            default: return nil
            }
            value = value << 4 | UInt64(digit)
        }
        return value
    }

    // MARK: segment header

    /// The 24-byte header; `version` other than the current one only for tests that build old segments.
    static func segmentHeader(firstSequence: UInt64, version: UInt32 = segmentVersion) -> [UInt8] {
        var h = segmentMagic
        h.appendLE(version)
        h.appendLE(firstSequence)
        h.appendLE(CRC32C.checksum(h))
        assert(h.count == segmentHeaderBytes)
        return h
    }

    enum HeaderCheck: Equatable {
        case valid(firstSequence: UInt64, version: UInt32)
        case unsupported(version: UInt32)
        case invalid(reason: String)
    }

    static func checkSegmentHeader(_ bytes: UnsafeRawBufferPointer) -> HeaderCheck {
        guard bytes.count >= segmentHeaderBytes else {
            return .invalid(reason: "segment header incomplete (\(bytes.count) of \(segmentHeaderBytes) bytes)")
        }
        guard bytes.prefix(8).elementsEqual(segmentMagic) else { return .invalid(reason: "bad segment magic") }
        let v = bytes.loadLE(8, as: UInt32.self)
        guard readableSegmentVersions.contains(v) else { return .unsupported(version: v) }
        guard bytes.loadLE(20, as: UInt32.self) == CRC32C.checksum(UnsafeRawBufferPointer(rebasing: bytes[0..<20]))
        else {
            return .invalid(reason: "segment header checksum mismatch")
        }
        let first = bytes.loadLE(12, as: UInt64.self)
        guard first >= 1 else { return .invalid(reason: "segment header names first sequence 0") }
        return .valid(firstSequence: first, version: v)
    }

    // MARK: records

    /// Appends one framed record (header, payload, zero padding) to `buffer`.
    static func appendFrame(to buffer: inout [UInt8], sequence: UInt64, payload: UnsafeRawBufferPointer) {
        let n = payload.count
        withUnsafeTemporaryAllocation(byteCount: frameHeaderBytes, alignment: 8) { header in
            header.storeBytes(of: UInt32(n).littleEndian, toByteOffset: 0, as: UInt32.self)
            header.storeBytes(of: sequence.littleEndian, toByteOffset: 4, as: UInt64.self)
            let crc = CRC32C.checksum(payload, seed: CRC32C.checksum(UnsafeRawBufferPointer(rebasing: header[0..<12])))
            header.storeBytes(of: crc.littleEndian, toByteOffset: 12, as: UInt32.self)
            buffer.append(contentsOf: UnsafeRawBufferPointer(header))
        }
        buffer.append(contentsOf: payload)
        buffer.appendZeros(frameBytes(payload: n) - frameHeaderBytes - n)
    }

    /// Appends the commit marker that ends a write of the records `first...last` (segment version 2).
    static func appendMarker(to buffer: inout [UInt8], first: UInt64, last: UInt64) {
        precondition(first >= 1 && first <= last, "a commit marker covers at least one record")
        var frame: [UInt8] = []
        frame.reserveCapacity(markerBytes)
        frame.appendLE(markerLength)
        frame.appendLE(last)
        var payload: [UInt8] = []
        payload.appendLE(first)
        frame.appendLE(CRC32C.checksum(payload, seed: CRC32C.checksum(frame)))
        frame += payload
        assert(frame.count == markerBytes && frameBytes(payload: markerPayloadBytes) == markerBytes)
        buffer += frame
    }

    /// Name of the file that keeps the bytes cut from `segment` at `offset`; `n` > 0 when the plain name is taken.
    static func cutName(segment: String, offset: Int, n: Int = 0) -> String {
        segment + cutInfix + String(offset) + (n > 0 ? ".\(n)" : "")
    }

    /// True for the names `cutName` makes (not their temporary files).
    static func isCutName(_ name: String) -> Bool {
        let utf8 = Array(name.utf8)
        let segment = 4 + 16 + 4  // "log-" + hex + ".wal"
        let infix = Array(cutInfix.utf8)
        guard utf8.count > segment + infix.count, utf8[segment..<(segment + infix.count)].elementsEqual(infix),
            segmentSequence(fromName: String(decoding: utf8[..<segment], as: UTF8.self)) != nil
        else { return false }
        let rest = utf8[(segment + infix.count)...]
        let parts = rest.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        let digits = UInt8(ascii: "0")...UInt8(ascii: "9")
        return (1...2).contains(parts.count) && parts.allSatisfy { !$0.isEmpty && $0.allSatisfy(digits.contains) }
    }

    // MARK: snapshots

    /// The 40-byte snapshot header for `payload` (the payload follows it in the file).
    static func snapshotHeader(sequence: UInt64, payload: [UInt8]) -> [UInt8] {
        var b = snapshotMagic
        b.appendLE(snapshotVersion)
        b.appendLE(UInt32(0))
        b.appendLE(sequence)
        b.appendLE(UInt64(payload.count))
        b.appendLE(CRC32C.checksum(payload, seed: CRC32C.checksum(b)))
        b.appendLE(UInt32(0))
        assert(b.count == snapshotHeaderBytes)
        return b
    }

    /// A whole snapshot file.
    static func encodeSnapshot(sequence: UInt64, payload: [UInt8]) -> [UInt8] {
        snapshotHeader(sequence: sequence, payload: payload) + payload
    }

    enum SnapshotCheck: Equatable {
        case valid(payload: Range<Int>)
        case unsupported(version: UInt32)
        case invalid(offset: Int, reason: String)
    }

    /// Validates a whole snapshot file; `sequence` is the one its name promises.
    static func checkSnapshot(_ bytes: UnsafeRawBufferPointer, sequence: UInt64) -> SnapshotCheck {
        guard bytes.count >= snapshotHeaderBytes else {
            return .invalid(
                offset: 0, reason: "snapshot header incomplete (\(bytes.count) of \(snapshotHeaderBytes) bytes)")
        }
        guard bytes.prefix(8).elementsEqual(snapshotMagic) else {
            return .invalid(offset: 0, reason: "bad snapshot magic")
        }
        let v = bytes.loadLE(8, as: UInt32.self)
        guard v == snapshotVersion else { return .unsupported(version: v) }
        let length = bytes.loadLE(24, as: UInt64.self)
        guard length == UInt64(bytes.count - snapshotHeaderBytes) else {
            return .invalid(
                offset: 24,
                reason:
                    "payload length \(length) does not match the file (\(bytes.count - snapshotHeaderBytes) bytes follow the header)"
            )
        }
        let crc = CRC32C.checksum(
            UnsafeRawBufferPointer(rebasing: bytes[snapshotHeaderBytes...]),
            seed: CRC32C.checksum(UnsafeRawBufferPointer(rebasing: bytes[0..<32])))
        guard crc == bytes.loadLE(32, as: UInt32.self) else {
            return .invalid(offset: 32, reason: "snapshot checksum mismatch")
        }
        guard bytes.loadLE(36, as: UInt32.self) == 0 else {
            return .invalid(offset: 36, reason: "reserved header bytes are not zero")
        }
        let s = bytes.loadLE(16, as: UInt64.self)
        guard s == sequence else {
            return .invalid(offset: 16, reason: "snapshot holds sequence \(s) but its name says \(sequence)")
        }
        return .valid(payload: snapshotHeaderBytes..<bytes.count)
    }
}

extension Array where Element == UInt8 {
    mutating func appendLE<T: FixedWidthInteger>(_ value: T) {
        Swift.withUnsafeBytes(of: value.littleEndian) { append(contentsOf: $0) }
    }

    /// Appends `count` zero bytes (memset, fast in unoptimised builds too).
    mutating func appendZeros(_ count: Int) {
        guard count > 0 else { return }
        append(
            contentsOf: [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
                memset(buffer.baseAddress!, 0, count)
                initialized = count
            })
    }
}

extension UnsafeRawBufferPointer {
    @inline(__always)
    func loadLE<T: FixedWidthInteger>(_ offset: Int, as: T.Type) -> T {
        T(littleEndian: loadUnaligned(fromByteOffset: offset, as: T.self))
    }
}

/// 64 KiB of zeros, compared against with memcmp to find the end of non-zero data quickly.
private let zeroChunk = [UInt8](repeating: 0, count: 1 << 16)

/// Index of the last non-zero byte at or after `from`, nil when they are all zero.
func lastNonZeroIndex(_ bytes: UnsafeRawBufferPointer, from: Int) -> Int? {
    guard let base = bytes.baseAddress, from < bytes.count else { return nil }
    var end = bytes.count
    return zeroChunk.withUnsafeBytes { zeros -> Int? in
        while end > from {
            let n = Swift.min(zeros.count, end - from)
            if memcmp(base + (end - n), zeros.baseAddress!, n) == 0 {
                end -= n
                continue
            }
            var i = end - 1
            while bytes[i] == 0 { i -= 1 }
            return i
        }
        return nil
    }
}
