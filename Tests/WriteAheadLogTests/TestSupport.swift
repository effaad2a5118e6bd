import Foundation
import Testing

@testable import WriteAheadLog

/// A fresh directory under the system temporary directory, removed on deinit.
final class TemporaryDirectory {
    let path: String

    init() {
        var template = Array((NSTemporaryDirectory() + "/waltest-XXXXXX").utf8CString)
        let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        precondition(made != nil, "mkdtemp failed")
        path = String(cString: made!)
    }

    /// A not yet existing subdirectory path.
    func sub(_ name: String) -> String { path + "/" + name }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}

/// Deterministic payload for record `i`: never empty, bytes never zero (so torn-tail byte counts are exact).
func payload(_ i: Int, size: Int) -> [UInt8] {
    (0..<size).map { k in UInt8(truncatingIfNeeded: (i &* 131 &+ k &* 29) % 255 + 1) }
}

/// Deterministic test PRNG.
struct TestRandom {
    private var g: SplitMix64
    init(_ seed: UInt64) { g = SplitMix64(seed: seed) }
    mutating func next() -> UInt64 { g.next() }
    mutating func int(_ range: ClosedRange<Int>) -> Int { range.lowerBound + Int(g.next() % UInt64(range.count)) }
    mutating func chance(_ percent: Int) -> Bool { Int(g.next() % 100) < percent }
    mutating func bytes(_ n: Int) -> [UInt8] { (0..<n).map { _ in UInt8(truncatingIfNeeded: g.next()) } }
}

/// What `open` delivered.
struct Replay {
    var snapshot: (sequence: UInt64, payload: [UInt8])?
    var records: [(sequence: UInt64, payload: [UInt8])] = []
    var payloads: [[UInt8]] { records.map(\.payload) }
}

func openLog(
    _ directory: String, _ options: WALOptions = testOptions(), fileSystem: any WALFileSystem = PosixFileSystem()
) throws
    -> (log: WriteAheadLog, report: WALRecoveryReport, replay: Replay)
{
    var replay = Replay()
    let (log, report) = try WriteAheadLog.open(
        directory: directory, options: options, fileSystem: fileSystem,
        onSnapshot: { replay.snapshot = ($0, $1) },
        onRecord: { replay.records.append(($0, Array($1))) })
    return (log, report, replay)
}

func testOptions(segmentBytes: Int = 64 << 20, preallocate: Bool = false, maxRecordBytes: Int = 1 << 20) -> WALOptions {
    var o = WALOptions()
    o.segmentBytes = segmentBytes
    o.preallocate = preallocate
    o.maxRecordBytes = maxRecordBytes
    return o
}

/// A single segment image built with the production framing: header, then one frame per payload.
/// `ends[i]` is the offset just past frame i.
func segmentImage(firstSequence: UInt64 = 1, _ payloads: [[UInt8]]) -> (bytes: [UInt8], ends: [Int]) {
    var bytes = WALFormat.segmentHeader(firstSequence: firstSequence)
    var ends: [Int] = []
    for (i, p) in payloads.enumerated() {
        p.withUnsafeBytes { WALFormat.appendFrame(to: &bytes, sequence: firstSequence + UInt64(i), payload: $0) }
        ends.append(bytes.count)
    }
    return (bytes, ends)
}

/// A segment image as `commit` writes it: each batch's frames followed by its commit marker. `records[i]` and
/// `markers[j]` are the offsets where record i and marker j start.
func committedImage(firstSequence: UInt64 = 1, _ batches: [[[UInt8]]])
    -> (bytes: [UInt8], records: [Int], markers: [Int])
{
    var bytes = WALFormat.segmentHeader(firstSequence: firstSequence)
    var records: [Int] = []
    var markers: [Int] = []
    var next = firstSequence
    for batch in batches {
        let first = next
        for p in batch {
            records.append(bytes.count)
            p.withUnsafeBytes { WALFormat.appendFrame(to: &bytes, sequence: next, payload: $0) }
            next += 1
        }
        markers.append(bytes.count)
        WALFormat.appendMarker(to: &bytes, first: first, last: next - 1)
    }
    return (bytes, records, markers)
}

/// `bytes` with a commit marker for records `first...last` appended (what open adds to records no marker covers).
func withMarker(_ bytes: [UInt8], first: UInt64 = 1, last: UInt64) -> [UInt8] {
    var b = bytes
    WALFormat.appendMarker(to: &b, first: first, last: last)
    return b
}

/// The five-record image the exhaustive tests use: sizes chosen to hit padding of 0, 1 and 7 bytes.
let exhaustivePayloads: [[UInt8]] = [1, 8, 13, 40, 100].enumerated().map { payload($0.offset, size: $0.element) }

func scan(_ bytes: [UInt8], expectedFirstSequence: UInt64? = 1, maxRecordBytes: Int = 1 << 20) -> WALScan.Result {
    bytes.withUnsafeBytes {
        WALScan.scan($0, expectedFirstSequence: expectedFirstSequence, maxRecordBytes: maxRecordBytes)
    }
}

func payloads(of result: WALScan.Result, in bytes: [UInt8]) -> [[UInt8]] {
    result.records.map { Array(bytes[$0.range]) }
}

/// Byte count the scan reports for a torn region: up to its last non-zero byte.
func nonZeroExtent(_ bytes: ArraySlice<UInt8>) -> Int {
    guard let last = bytes.lastIndex(where: { $0 != 0 }) else { return 0 }
    return last + 1 - bytes.startIndex
}

func writeFile(_ path: String, _ bytes: [UInt8]) {
    precondition(FileManager.default.createFile(atPath: path, contents: Data(bytes)))
}

func readFile(_ path: String) -> [UInt8] {
    [UInt8](FileManager.default.contents(atPath: path) ?? Data())
}

func isCorrupt(_ error: any Error) -> Bool {
    if case WALError.corrupt = error { return true }
    return false
}
