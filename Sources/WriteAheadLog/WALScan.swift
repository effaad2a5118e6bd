/// Pure recovery scan of one segment file's bytes (header included). No I/O: `WriteAheadLog.open`, `verify`, the
/// tests and a fuzzer all run this same code.
///
/// The scan walks the frames from the header on: records, and (segment version 2) the commit marker that ends each
/// commit's write. It stops at the first frame whose length, sequence, checksum or padding is wrong. What follows
/// decides the verdict:
/// - only zero bytes: `.clean` (the normal end of a preallocated or extended file);
/// - a later valid record with a sequence at least the expected one, or a later valid commit marker whose sequence
///   is at least the expected one (the write holding the bad record was finished): `.corruptMiddle` (refuse to start);
/// - anything else: `.tornTail` (a write cut short: cut it off, keeping the bytes aside).
public enum WALScan {
    public struct Result: Sendable {
        /// Every valid record before the stop point, with the byte range of its payload in the scanned bytes.
        /// Commit markers are not records and are not listed.
        public var records: [(sequence: UInt64, range: Range<Int>)]
        /// Offset just past the last valid record or commit marker; the header size when the segment holds no
        /// record; 0 when the header itself is missing or damaged.
        public var validEnd: Int
        public var state: State
        /// The last sequence a valid commit marker covers; the first sequence - 1 when no marker was seen (always so
        /// in version-1 segments). Records after it were never confirmed as fully written.
        public var certifiedThrough: UInt64

        public init(
            records: [(sequence: UInt64, range: Range<Int>)], validEnd: Int, state: State,
            certifiedThrough: UInt64 = 0
        ) {
            self.records = records
            self.validEnd = validEnd
            self.state = state
            self.certifiedThrough = certifiedThrough
        }
    }

    public enum State: Sendable, Equatable {
        /// Every byte after `validEnd` is zero.
        case clean
        /// Damage with nothing valid after it. `droppedBytes` counts from `validEnd` to the last non-zero byte.
        case tornTail(droppedBytes: Int)
        /// Damage at `offset` followed by a valid record or commit marker (or a header that cannot be used): refuse
        /// to start.
        case corruptMiddle(offset: Int, reason: String)
    }

    /// - Parameters:
    ///   - expectedFirstSequence: the first sequence the segment must hold (from its name or the previous
    ///     segment); nil accepts the header's. Also the lowest sequence that counts as "a later valid record"
    ///     when the header is damaged.
    ///   - maxRecordBytes: no length above this is believed.
    public static func scan(_ bytes: UnsafeRawBufferPointer, expectedFirstSequence: UInt64?, maxRecordBytes: Int)
        -> Result
    {
        let d = scanDetailed(bytes, expectedFirstSequence: expectedFirstSequence, maxRecordBytes: maxRecordBytes)
        return Result(records: d.records, validEnd: d.validEnd, state: d.state, certifiedThrough: d.certifiedThrough)
    }

    struct Detailed {
        var records: [(sequence: UInt64, range: Range<Int>)] = []
        var validEnd = 0
        var state: State = .clean
        /// Why the record at `validEnd` was rejected (also set for torn tails); nil when clean.
        var stopReason: String?
        /// Header version, when the header has the right magic but a version this code does not read.
        var unsupportedVersion: UInt32?
        /// The segment format version of a valid header.
        var version: UInt32 = WALFormat.segmentVersion
        /// See `Result.certifiedThrough`.
        var certifiedThrough: UInt64 = 0
    }

    static func scanDetailed(_ bytes: UnsafeRawBufferPointer, expectedFirstSequence: UInt64?, maxRecordBytes: Int)
        -> Detailed
    {
        var d = Detailed()
        let first: UInt64
        switch WALFormat.checkSegmentHeader(bytes) {
        case .unsupported(let version):
            d.unsupportedVersion = version
            d.stopReason = "unsupported format version \(version)"
            d.state = .corruptMiddle(offset: 8, reason: d.stopReason!)
            return d
        case .invalid(let reason):
            // A damaged header: torn if nothing valid follows (a brand-new segment), otherwise corruption.
            // Without an expected sequence nothing bounds a later record's sequence from above.
            d.stopReason = reason
            d.state = classify(
                bytes, badOffset: 0, reason: reason, nextSequence: expectedFirstSequence ?? 1,
                boundSequence: expectedFirstSequence != nil, maxRecordBytes: maxRecordBytes)
            return d
        case .valid(let firstSequence, let version):
            if let e = expectedFirstSequence, firstSequence != e {
                d.stopReason = "segment header says the first sequence is \(firstSequence), expected \(e)"
                d.state = .corruptMiddle(offset: 12, reason: d.stopReason!)
                return d
            }
            first = firstSequence
            d.version = version
        }

        var off = WALFormat.segmentHeaderBytes
        var next = first
        d.certifiedThrough = first &- 1
        let markers = d.version >= 2
        let count = bytes.count
        // The first frame or marker that does not validate ends the scan; what follows it decides the verdict.
        func stop(at offset: Int, _ reason: String) {
            d.validEnd = offset
            d.state = classify(
                bytes, badOffset: offset, reason: reason, nextSequence: next, boundSequence: true,
                maxRecordBytes: maxRecordBytes)
            if d.state != .clean { d.stopReason = reason }
        }
        while off < count {
            if markers, count - off >= 4, bytes.loadLE(off, as: UInt32.self) == WALFormat.markerLength {
                switch checkMarker(bytes, at: off, first: d.certifiedThrough &+ 1, last: next &- 1) {
                case .valid:
                    d.certifiedThrough = next &- 1
                    off += WALFormat.markerBytes
                    continue
                case .invalid(let reason):
                    stop(at: off, reason)
                    return d
                }
            }
            switch checkFrame(bytes, at: off, sequence: next, maxRecordBytes: maxRecordBytes) {
            case .valid(let payloadBytes):
                d.records.append(
                    (next, (off + WALFormat.frameHeaderBytes)..<(off + WALFormat.frameHeaderBytes + payloadBytes)))
                off += WALFormat.frameBytes(payload: payloadBytes)
                next &+= 1
            case .invalid(let reason):
                stop(at: off, reason)
                return d
            }
        }
        d.validEnd = off
        return d
    }

    enum FrameCheck { case valid(payloadBytes: Int), invalid(reason: String) }

    /// Checks the frame at `off`. `sequence` is the one it must carry; nil accepts any and the caller checks it.
    @inline(__always)
    static func checkFrame(_ bytes: UnsafeRawBufferPointer, at off: Int, sequence: UInt64?, maxRecordBytes: Int)
        -> FrameCheck
    {
        let left = bytes.count - off
        guard left >= WALFormat.frameHeaderBytes else {
            return .invalid(reason: "record header incomplete (\(left) bytes)")
        }
        let length = Int(bytes.loadLE(off, as: UInt32.self))
        // Bound the length before anything else (RELIABILITY rule 3).
        guard length > 0 else { return .invalid(reason: "zero length (end of log) followed by non-zero bytes") }
        guard length <= maxRecordBytes else {
            return .invalid(reason: "length \(length) exceeds the \(maxRecordBytes)-byte cap")
        }
        let frame = WALFormat.frameBytes(payload: length)
        guard frame <= left else {
            return .invalid(reason: "record of \(length) bytes runs past the end of the file (\(left) bytes left)")
        }
        let seq = bytes.loadLE(off + 4, as: UInt64.self)
        if let s = sequence, seq != s { return .invalid(reason: "sequence \(seq) where \(s) was expected") }
        let payloadStart = off + WALFormat.frameHeaderBytes
        let crc = CRC32C.checksum(
            UnsafeRawBufferPointer(rebasing: bytes[payloadStart..<(payloadStart + length)]),
            seed: CRC32C.checksum(UnsafeRawBufferPointer(rebasing: bytes[off..<(off + 12)])))
        guard crc == bytes.loadLE(off + 12, as: UInt32.self) else { return .invalid(reason: "checksum mismatch") }
        for i in (payloadStart + length)..<(off + frame) where bytes[i] != 0 {
            return .invalid(reason: "non-zero padding")
        }
        return .valid(payloadBytes: length)
    }

    /// Checks the commit marker at `off` (its length field holds the reserved value). `first` and `last` are the
    /// records it must cover (those since the previous marker); nil accepts any range and the caller checks it.
    /// Returns the range it covers.
    static func checkMarker(_ bytes: UnsafeRawBufferPointer, at off: Int, first: UInt64?, last: UInt64?)
        -> MarkerCheck
    {
        let left = bytes.count - off
        guard left >= WALFormat.markerBytes else { return .invalid(reason: "commit marker incomplete (\(left) bytes)") }
        let seq = bytes.loadLE(off + 4, as: UInt64.self)
        let from = bytes.loadLE(off + WALFormat.frameHeaderBytes, as: UInt64.self)
        let crc = CRC32C.checksum(
            UnsafeRawBufferPointer(rebasing: bytes[(off + 16)..<(off + 24)]),
            seed: CRC32C.checksum(UnsafeRawBufferPointer(rebasing: bytes[off..<(off + 12)])))
        guard crc == bytes.loadLE(off + 12, as: UInt32.self) else {
            return .invalid(reason: "commit marker checksum mismatch")
        }
        guard from >= 1, from <= seq else {
            return .invalid(reason: "commit marker covers no record (\(from)...\(seq))")
        }
        if let first, let last, from != first || seq != last {
            let before = last >= first ? "records \(first)...\(last) precede it" : "no record precedes it"
            return .invalid(reason: "commit marker for records \(from)...\(seq) where \(before)")
        }
        return .valid(first: from, last: seq)
    }

    enum MarkerCheck { case valid(first: UInt64, last: UInt64), invalid(reason: String) }

    /// Verdict on the bytes from `badOffset` on, where a record (or the header) did not validate.
    static func classify(
        _ bytes: UnsafeRawBufferPointer, badOffset: Int, reason: String, nextSequence: UInt64,
        boundSequence: Bool, maxRecordBytes: Int
    ) -> State {
        guard let lastNonZero = lastNonZeroIndex(bytes, from: badOffset) else { return .clean }
        // Probe every aligned offset for a valid record, or a valid commit marker, with a sequence >= the expected one.
        // A marker is written in the same pwrite as the records it ends, and only a finished write is followed by
        // anything: either proves the bad bytes were written in full and damaged later. Frames start on 8-byte
        // boundaries. No record of this file can carry a sequence above next + size / 24 (24 bytes being the
        // smallest frame), which keeps random bytes from costing a checksum over a long span.
        let highest = nextSequence &+ UInt64(bytes.count / (WALFormat.frameHeaderBytes + WALFormat.frameAlignment))
        var p = badOffset + WALFormat.frameAlignment
        while p <= lastNonZero, p + WALFormat.frameHeaderBytes < bytes.count {
            let raw = bytes.loadLE(p, as: UInt32.self)
            if raw == WALFormat.markerLength, WALFormat.markerBytes <= bytes.count - p {
                let seq = bytes.loadLE(p + 4, as: UInt64.self)
                if seq >= nextSequence, !boundSequence || seq <= highest,
                    case .valid(let first, let last) = checkMarker(bytes, at: p, first: nil, last: nil)
                {
                    return .corruptMiddle(
                        offset: badOffset,
                        reason: "\(reason); a valid commit marker for records "
                            + "\(first)...\(last) follows at offset \(p), so that write was complete")
                }
            }
            let length = Int(raw)
            if length > 0, length <= maxRecordBytes, WALFormat.frameBytes(payload: length) <= bytes.count - p {
                let seq = bytes.loadLE(p + 4, as: UInt64.self)
                if seq >= nextSequence, !boundSequence || seq <= highest,
                    case .valid = checkFrame(bytes, at: p, sequence: nil, maxRecordBytes: maxRecordBytes)
                {
                    return .corruptMiddle(
                        offset: badOffset,
                        reason: "\(reason); a valid record with sequence \(seq) follows at offset \(p)")
                }
            }
            p += WALFormat.frameAlignment
        }
        return .tornTail(droppedBytes: lastNonZero + 1 - badOffset)
    }
}
