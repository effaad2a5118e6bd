import WhseProtocol

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// One connection to whsed over its Unix stream socket: one request line out, one response line back, blocking.
/// Not thread-safe; `WhseClient` holds it under its lock.
final class Connection {
    private let fd: Int32
    private let path: String
    private var buffer: [UInt8] = []
    private var nextId = 1

    /// The longest response line taken (whsed's own replies stay under `maxReplyBytes`, 64 MiB by default).
    static let maxResponseBytes = 1 << 30

    init(path: String, timeoutSeconds: Double) throws(WhseConnectionError) {
        self.path = path
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard !bytes.isEmpty, !bytes.contains(0), bytes.count < MemoryLayout.size(ofValue: addr.sun_path) else {
            throw WhseConnectionError(.badSocketPath, "not a usable socket path: \(path)", requestSent: false)
        }
        withUnsafeMutableBytes(of: &addr.sun_path) { p in
            for (i, b) in bytes.enumerated() { p[i] = b }
        }
        fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else {
            throw WhseConnectionError(
                .cannotConnect, "cannot create a socket: \(Connection.errorText())",
                requestSent: false)
        }
        if timeoutSeconds > 0 {
            let whole = timeoutSeconds.rounded(.down)
            var tv = timeval(tv_sec: Int(whole), tv_usec: Int((timeoutSeconds - whole) * 1_000_000))
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
            setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        }
        var r: Int32
        repeat {
            r = withUnsafePointer(to: &addr) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
                }
            }
        } while r != 0 && errno == EINTR
        if r != 0 {
            let e = Connection.errorText()
            close(fd)
            throw WhseConnectionError(.cannotConnect, "cannot connect to whsed at \(path): \(e)", requestSent: false)
        }
    }

    deinit { close(fd) }

    /// Whether whsed has closed its end or sent something unasked (its idle timeout, a restart): then the
    /// connection cannot carry a request, and a new one should.
    var isStale: Bool {
        var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        return poll(&p, 1, 0) != 0
    }

    /// Sends one request and returns its `result`, or throws whsed's error object.
    func call(_ method: String, _ params: JSON?) throws(WhseClientError) -> JSON {
        let id = nextId
        nextId += 1
        var line = RPCRequest(id: JSON(id), method: method, params: params).json.serialized()
        line.append(10)
        try sendAll(line)
        let response = try readLine()
        let v: JSON
        do { v = try JSONParser.parse(response, maxDepth: 512) } catch {
            throw badAnswer("whsed sent an answer that is not JSON: \(error)")
        }
        // An error about a line whsed could not read (or a refused connection) carries id null.
        let answerId = v["id"]
        if let e = v["error"] {
            guard answerId == JSON(id) || answerId == .null, let error = WhseError(error: e) else {
                throw badAnswer("whsed's error answer is not for this request: \(v.serializedString.prefix(200))")
            }
            throw .server(error)
        }
        guard answerId == JSON(id) else {
            throw badAnswer("whsed answered request \(id) with id \(answerId?.serializedString ?? "absent")")
        }
        guard let result = v["result"] else { throw badAnswer("whsed's answer has neither result nor error") }
        return result
    }

    private func badAnswer(_ message: String) -> WhseClientError {
        .connection(WhseConnectionError(.badAnswer, message, requestSent: true))
    }

    private func sendAll(_ bytes: [UInt8]) throws(WhseClientError) {
        var off = 0
        while off < bytes.count {
            // MSG_NOSIGNAL: a closed peer is an EPIPE error here, not a SIGPIPE that ends the process.
            let n = bytes[off...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n < 0 {
                if errno == EINTR { continue }
                let timedOut = errno == EAGAIN || errno == EWOULDBLOCK
                throw .connection(
                    WhseConnectionError(
                        timedOut ? .timedOut : .connectionLost,
                        timedOut
                            ? "whsed took no request bytes within the timeout"
                            : "sending to whsed failed: \(Connection.errorText())",
                        requestSent: off > 0))
            }
            off += n
        }
    }

    private func readLine() throws(WhseClientError) -> [UInt8] {
        var scanned = 0
        while true {
            if let i = buffer[scanned...].firstIndex(of: 10) {
                let line = Array(buffer[..<i])
                buffer.removeSubrange(...i)
                return line
            }
            scanned = buffer.count
            guard buffer.count <= Connection.maxResponseBytes else {
                throw badAnswer("whsed's answer is longer than \(Connection.maxResponseBytes) bytes")
            }
            var chunk = [UInt8](repeating: 0, count: 65536)
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n < 0 {
                if errno == EINTR { continue }
                let timedOut = errno == EAGAIN || errno == EWOULDBLOCK
                throw .connection(
                    WhseConnectionError(
                        timedOut ? .timedOut : .connectionLost,
                        timedOut
                            ? "no answer from whsed within the timeout"
                            : "reading from whsed failed: \(Connection.errorText())",
                        requestSent: true))
            }
            if n == 0 {
                throw .connection(
                    WhseConnectionError(
                        .connectionLost, "whsed closed the connection before answering", requestSent: true))
            }
            buffer.append(contentsOf: chunk[..<n])
        }
    }

    private static func errorText() -> String { String(cString: strerror(errno)) }
}
