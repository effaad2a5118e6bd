import NIOCore
import WhseServer

/// libFuzzer entry: the line framer never traps, never returns a line longer than its limit, and consumes input.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzFramer(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeBufferPointer(start: data, count: size)
    guard let first = bytes.first else { return 0 }
    // The first byte picks the limit and how the input is split into reads.
    let limit = Int(first % 64) + 1
    let chunk = Int(first / 64) * 7 + 1
    var framer = LineFramer(maxLineBytes: limit)
    var buffer = ByteBufferAllocator().buffer(capacity: size)
    var offset = 1
    while offset < size {
        let end = min(size, offset + chunk)
        buffer.writeBytes(UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(bytes)[offset..<end]))
        offset = end
        while let frame = framer.next(&buffer) {
            if case .line(let l) = frame { precondition(l.readableBytes <= limit, "line longer than the limit") }
        }
        precondition(buffer.readableBytes <= limit + chunk, "framer holds more than a line plus a read")
    }
    return 0
}
