#if canImport(Glibc)
import Glibc
#endif
import Foundation
import WhseProtocol

/// whsectl's exit codes (documented in README and --help).
enum Exit {
    static let refused: Int32 = 1          // the server refused the request (domain error, invalid params…)
    static let usage: Int32 = 64           // bad command line or input file
    static let unavailable: Int32 = 69     // cannot connect, or the connection broke / timed out
    static let protocolError: Int32 = 76   // the server's answer made no sense
    static let permission: Int32 = 77      // permission_denied
}

/// A failure whsectl reports on stderr before exiting with `code`.
struct CLIError: Error {
    var code: Int32
    var message: String
}

/// A blocking JSON-RPC client over a Unix stream socket: one request line out, one response line back.
final class Client {
    let fd: Int32
    var buffer: [UInt8] = []
    var nextId = 1

    init(path: String, timeoutSeconds: Double) throws {
        fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw CLIError(code: Exit.unavailable, message: "cannot create a socket: \(String(cString: strerror(errno)))") }
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: addr.sun_path) else {
            close(fd)
            throw CLIError(code: Exit.usage, message: "socket path too long: \(path)")
        }
        withUnsafeMutableBytes(of: &addr.sun_path) { p in for (i, b) in bytes.enumerated() { p[i] = b } }
        if timeoutSeconds > 0 {
            var tv = timeval(tv_sec: Int(timeoutSeconds), tv_usec: Int((timeoutSeconds - Double(Int(timeoutSeconds))) * 1_000_000))
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
            setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        }
        let r = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        if r != 0 {
            let e = String(cString: strerror(errno))
            close(fd)
            throw CLIError(code: Exit.unavailable, message: "cannot connect to whsed at \(path): \(e) (is whsed running? set --socket or WHSED_SOCKET)")
        }
    }

    deinit { close(fd) }

    /// Sends one request and returns its result, or throws the server's error.
    func call(_ method: String, _ params: [String: JSON]) throws -> JSON {
        let id = nextId
        nextId += 1
        let request = RPCRequest(id: JSON(id), method: method, params: .object(params))
        var line = request.json.serialized()
        line.append(10)
        try writeAll(line)
        let response = try readLine()
        let v: JSON
        do { v = try JSONParser.parse(response, maxDepth: 512) } catch {
            throw CLIError(code: Exit.protocolError, message: "whsed sent an answer that is not JSON: \(error)")
        }
        if let e = v["error"] {
            let reason = e["data"]?["reason"]?.stringValue ?? "error"
            let message = e["message"]?.stringValue ?? "error"
            throw ServerError(reason: reason, message: message, error: e)
        }
        guard let result = v["result"] else {
            throw CLIError(code: Exit.protocolError, message: "whsed's answer has neither result nor error")
        }
        return result
    }

    func writeAll(_ bytes: [UInt8]) throws {
        var off = 0
        while off < bytes.count {
            let n = bytes[off...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw CLIError(code: Exit.unavailable, message: "sending to whsed failed: \(String(cString: strerror(errno)))")
            }
            off += n
        }
    }

    func readLine() throws -> [UInt8] {
        while true {
            if let i = buffer.firstIndex(of: 10) {
                let line = Array(buffer[..<i])
                buffer.removeSubrange(...i)
                return line
            }
            var chunk = [UInt8](repeating: 0, count: 65536)
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                let timedOut = errno == EAGAIN || errno == EWOULDBLOCK
                throw CLIError(code: Exit.unavailable, message: timedOut
                    ? "no answer from whsed within the timeout; the request may or may not have been posted (retry with the same --idempotency-key)"
                    : "reading from whsed failed: \(String(cString: strerror(errno)))")
            }
            if n == 0 {
                throw CLIError(code: Exit.unavailable, message: "whsed closed the connection before answering; the request may or may not have been posted (retry with the same --idempotency-key)")
            }
            buffer.append(contentsOf: chunk[..<n])
        }
    }
}

/// An error object returned by whsed.
struct ServerError: Error {
    var reason: String
    var message: String
    var error: JSON
    var exitCode: Int32 { reason == "permission_denied" ? Exit.permission : Exit.refused }
}
