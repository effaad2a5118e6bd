import WriteAheadLog

/// libFuzzer entry: the recovery scan is a pure function of the bytes; it never traps, never reads past the end,
/// every record it returns lies inside the valid prefix it reports, and no commit marker covers more than the records.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzLogScan(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let raw = UnsafeRawBufferPointer(start: data, count: size)
    let result = WALScan.scan(raw, expectedFirstSequence: nil, maxRecordBytes: 1 << 16)
    precondition(result.validEnd <= size, "valid end beyond the input")
    var last: UInt64 = 0
    for r in result.records {
        precondition(r.range.upperBound <= result.validEnd, "record beyond the valid end")
        precondition(r.sequence > last, "sequences out of order")
        last = r.sequence
    }
    if let lastRecord = result.records.last {
        precondition(
            result.certifiedThrough <= lastRecord.sequence,
            "a commit marker covers records that are not there")
    }
    return 0
}
