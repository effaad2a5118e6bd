import NIOCore

#if canImport(Glibc)
    import Glibc
#endif

/// One unit of input from a connection.
public enum Frame: Sendable {
    /// A complete line, without its newline (and without a trailing carriage return).
    case line(ByteBuffer)
    /// A line longer than the limit; its bytes were dropped up to the next newline.
    case tooLong
}

/// Splits a byte stream into newline-terminated lines of at most `maxLineBytes`. An over-long line is reported once
/// and skipped up to its newline, so the connection stays usable and memory stays bounded.
public struct LineFramer: ByteToMessageDecoder {
    public typealias InboundOut = Frame
    let maxLineBytes: Int
    var discarding = false
    /// Bytes at the front of the buffer already known to hold no newline.
    var scanned = 0

    public init(maxLineBytes: Int) { self.maxLineBytes = maxLineBytes }

    public mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let frame = next(&buffer) else { return .needMoreData }
        context.fireChannelRead(wrapInboundOut(frame))
        return .continue
    }

    public mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws
        -> DecodingState
    {
        if let frame = next(&buffer) {
            context.fireChannelRead(wrapInboundOut(frame))
            return .continue
        }
        // A last line without its newline: serve it, unless it is the tail of an over-long line.
        if buffer.readableBytes > 0 && !discarding, let slice = buffer.readSlice(length: buffer.readableBytes) {
            scanned = 0
            context.fireChannelRead(wrapInboundOut(.line(slice)))
        }
        buffer.clear()
        return .needMoreData
    }

    /// The next frame in `buffer`, consuming it; nil when more bytes are needed.
    public mutating func next(_ buffer: inout ByteBuffer) -> Frame? {
        while true {
            let readable = buffer.readableBytes
            let from = min(scanned, readable)
            // memchr: a partial line of megabytes is scanned at memory speed, in debug builds too.
            let found: Int? = buffer.withUnsafeReadableBytes { raw in
                guard let base = raw.baseAddress, from < raw.count,
                    let hit = memchr(base + from, 0x0A, raw.count - from)
                else { return nil }
                return base.distance(to: UnsafeRawPointer(hit))
            }
            guard let offset = found else {
                if discarding {
                    buffer.moveReaderIndex(forwardBy: buffer.readableBytes)
                    buffer.discardReadBytes()
                    scanned = 0
                    return nil
                }
                if readable > maxLineBytes {
                    buffer.moveReaderIndex(forwardBy: buffer.readableBytes)
                    buffer.discardReadBytes()
                    scanned = 0
                    discarding = true
                    return .tooLong
                }
                scanned = readable
                return nil
            }
            let length = offset
            scanned = 0
            if discarding {
                buffer.moveReaderIndex(forwardBy: length + 1)
                discarding = false
                continue
            }
            if length > maxLineBytes {
                buffer.moveReaderIndex(forwardBy: length + 1)
                return .tooLong
            }
            var line = buffer.readSlice(length: length)!
            buffer.moveReaderIndex(forwardBy: 1)
            if line.readableBytes > 0, line.getInteger(at: line.writerIndex - 1, as: UInt8.self) == UInt8(ascii: "\r") {
                line.moveWriterIndex(to: line.writerIndex - 1)
            }
            return .line(line)
        }
    }
}
